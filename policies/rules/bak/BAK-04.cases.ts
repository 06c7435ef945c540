/** The case table of BAK-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, CONFIG_CONTEXT, manifestSpecOf, R, remove, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

const cluster = address(R.postgresCluster);
const spec = (j: Parameters<typeof manifestSpecOf>[0]) => manifestSpecOf(j, R.postgresCluster);
const small = { ...CONFIG_CONTEXT, facts: { ...CONFIG_CONTEXT.facts!, profile: 'small' as const } };

export const cases: RuleCases = {
  bad: [
    {
      name: 'one instance on a production site',
      mutate: (j) => {
        spec(j).instances = 1;
        delete child(spec(j), 'postgresql').synchronous;
      },
      address: cluster,
      message: 'runs 1 instance(s) on a production site: at least 2',
    },
    {
      name: 'instances unset (the operator defaults to one)',
      mutate: (j) => delete spec(j).instances,
      address: cluster,
      message: 'runs an unset number of instance(s)',
    },
    {
      name: 'standbys, but commits do not wait for them',
      mutate: (j) => delete child(spec(j), 'postgresql').synchronous,
      address: cluster,
      message: 'does not wait for a standby on commit',
    },
    {
      name: 'synchronous replication that may degrade to asynchronous',
      mutate: (j) => (child(spec(j), 'postgresql').synchronous = { method: 'any', number: 1, dataDurability: 'preferred' }),
      address: cluster,
      message: 'does not wait for a standby on commit',
    },
  ],
  good: [
    { name: 'one instance on a small site', mutate: (j) => (spec(j).instances = 1), context: small },
    { name: 'two instances with a synchronous standby', mutate: (j) => (spec(j).instances = 2) },
    {
      name: 'one instance in a standalone audit (the profile is unknown: not judged)',
      mutate: (j) => (spec(j).instances = 1),
      context: STANDALONE_CONTEXT,
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
