/** The case table of STO-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { addClaimUser, postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { claimVolume, HOMESERVER_NAMESPACE, R, volumeList } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'claim mounted by two deployments in one namespace',
      mutate: (j) => addClaimUser(j, 'synapse-copy', R.homeserverNamespace, 'synapse-media'),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: `mounted by ${synapse}, kubernetes_deployment_v1.synapse-copy_workload`,
    },
    {
      name: 'claim mounted by a deployment and a stateful set',
      mutate: (j) => volumeList(j, R.postgresStatefulSet).push(claimVolume('media', 'synapse-media')),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: postgres,
    },
  ],
  good: [
    { name: 'same claim name in another namespace', mutate: (j) => addClaimUser(j, 'gateway-media', R.gatewayNamespace, 'synapse-media') },
    { name: 'two claims in one namespace', mutate: (j) => addClaimUser(j, 'synapse-other', R.homeserverNamespace, 'synapse-other-media') },
  ],
};
