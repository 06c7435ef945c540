/** The case table of STO-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, GATEWAY_NAMESPACE, metadataBlock, R, remove, specOf } from '../../../test/policies/fixtures';

const openldap = address(R.openldapStatefulSet);

export const cases: RuleCases = {
  bad: [
    {
      name: 'serviceName unset',
      mutate: (j) => delete specOf(j, R.openldapStatefulSet).service_name,
      address: openldap,
      message: 'service_name is not set',
    },
    {
      name: 'serviceName naming no Service',
      mutate: (j) => remove(j, R.openldapHeadless),
      address: openldap,
      message: 'service_name "openldap-pods" names no Service of the stack in its namespace',
    },
    {
      name: 'the governing Service in another namespace',
      mutate: (j) => (metadataBlock(j, R.openldapHeadless).namespace = GATEWAY_NAMESPACE),
      address: openldap,
      message: 'names no Service of the stack in its namespace',
    },
    {
      name: 'a governing Service with a cluster IP',
      mutate: (j) => delete specOf(j, R.postgresHeadless).cluster_ip,
      address: postgres,
      message: 'service_name "postgres-pods" is not headless (cluster_ip null, not "None")',
    },
    {
      name: 'serviceName naming the load-balancing Service of another workload',
      mutate: (j) => (specOf(j, R.postgresStatefulSet).service_name = 'synapse'),
      address: postgres,
      message: 'service_name "synapse" is not headless',
    },
    {
      name: "a headless Service selecting other pods than the set's",
      mutate: (j) => (specOf(j, R.openldapHeadless).selector = { 'matrix.sovereign/workload': 'keycloak' }),
      address: openldap,
      message: 'service_name "openldap-pods" does not select the set\'s pods',
    },
    {
      name: 'a headless Service without a selector',
      mutate: (j) => delete specOf(j, R.openldapHeadless).selector,
      address: openldap,
      message: "does not select the set's pods",
    },
  ],
  good: [
    {
      name: 'a headless Service with a port',
      mutate: (j) => (specOf(j, R.openldapHeadless).port = [{ name: 'main', port: 1636, protocol: 'TCP', target_port: 'main' }]),
    },
  ],
  notApplicable: [
    {
      name: 'no StatefulSet',
      mutate: (j) => {
        remove(j, R.postgresStatefulSet);
        remove(j, R.openldapStatefulSet);
      },
    },
  ],
};
