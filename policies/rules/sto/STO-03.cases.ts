/** The case table of STO-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { addClaimUser, markSingleton, postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, claimVolume, HOMESERVER_NAMESPACE, R, specOf, volumeList } from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

/** The directory backup job's pod, which reads the directory's claim on its node. */
const backupPod = (j: TerraformJson) => child(specOf(j, R.directoryBackup), 'job_template', 'spec', 'template', 'spec');
const openldapAndBackup = `mounted by ${address(R.openldapStatefulSet)}, ${address(R.directoryBackup)}`;

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
    {
      name: "a backup job's main container mounting the directory's claim writable",
      mutate: (j) => {
        const upload = (backupPod(j).container as JsonObject[])[0]!;
        upload.volume_mount = [...(upload.volume_mount as JsonObject[]), { name: 'data', mount_path: '/data', read_only: false }];
      },
      address: 'claim "agency-directory/data-openldap-0"',
      message: openldapAndBackup,
    },
    {
      name: "a backup job reading the directory's claim from any node (no pod affinity)",
      mutate: (j) => delete backupPod(j).affinity,
      address: 'claim "agency-directory/data-openldap-0"',
      message: openldapAndBackup,
    },
    {
      name: "a Deployment mounting a StatefulSet's stamped claim",
      mutate: (j) => addClaimUser(j, 'ldap-copy', R.directoryNamespace, 'data-openldap-0'),
      address: 'claim "agency-directory/data-openldap-0"',
      message: address(R.openldapStatefulSet),
    },
  ],
  good: [
    {
      name: "the backup job alone, its claim's owner gone",
      mutate: (j) => {
        delete specOf(j, R.openldapStatefulSet).volume_claim_template;
        markSingleton(j, R.openldapStatefulSet);
      },
    },
    { name: 'same claim name in another namespace', mutate: (j) => addClaimUser(j, 'gateway-media', R.gatewayNamespace, 'synapse-media') },
    { name: 'two claims in one namespace', mutate: (j) => addClaimUser(j, 'synapse-other', R.homeserverNamespace, 'synapse-other-media') },
  ],
};
