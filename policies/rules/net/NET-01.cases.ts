/** The case table of NET-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { copy, GATEWAY_NAMESPACE, HOMESERVER_NAMESPACE, R, remove, ruleOf, specOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'default deny removed',
      mutate: (j) => remove(j, R.homeserverDefaultDeny),
      address: `namespace "${HOMESERVER_NAMESPACE}"`,
      message: 'no default-deny policy for both ingress and egress',
    },
    {
      name: 'default deny covers ingress only',
      mutate: (j) => (specOf(j, R.gatewayDefaultDeny).policy_types = ['Ingress']),
      address: `namespace "${GATEWAY_NAMESPACE}"`,
      message: 'no default-deny policy',
    },
    {
      name: 'default deny selects some pods only',
      mutate: (j) => (specOf(j, R.homeserverDefaultDeny).pod_selector = { match_labels: { 'matrix.sovereign/workload': 'synapse' } }),
      address: `namespace "${HOMESERVER_NAMESPACE}"`,
      message: 'no default-deny policy',
    },
    {
      name: 'default deny has an allow rule',
      mutate: (j) => (specOf(j, R.homeserverDefaultDeny).egress = [copy(ruleOf(j, R.homeserverDns, 'egress'))]),
      address: `namespace "${HOMESERVER_NAMESPACE}"`,
      message: 'no default-deny policy',
    },
  ],
};
