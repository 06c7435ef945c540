/** The case table of BAK-05 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, R, remove } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'the Cluster without prevent_destroy',
      mutate: (j) => delete body(j, R.postgresCluster).lifecycle,
      address: address(R.postgresCluster),
      message: 'can be destroyed by an ordinary destroy: the operator would delete its volumes',
    },
    {
      name: 'the namespace holding the Cluster without prevent_destroy',
      mutate: (j) => delete body(j, R.homeserverNamespace).lifecycle,
      address: address(R.homeserverNamespace),
      message: 'holds a PostgreSQL cluster and can be destroyed',
    },
  ],
  good: [
    { name: 'other namespaces without prevent_destroy', mutate: (j) => delete body(j, R.gatewayNamespace).lifecycle },
    {
      name: 'the ScheduledBackup without prevent_destroy (it holds no data)',
      mutate: (j) => delete body(j, R.postgresScheduledBackup).lifecycle,
    },
  ],
  notApplicable: [
    {
      name: 'no PostgreSQL cluster in the stack',
      mutate: (j) => {
        remove(j, R.postgresCluster);
        remove(j, R.postgresScheduledBackup);
      },
    },
  ],
};
