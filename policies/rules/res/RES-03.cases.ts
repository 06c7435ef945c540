/** The case table of RES-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, containerOf, R, specOf } from '../../../test/policies/fixtures';
import { blocks, type TerraformJson } from '../../../tfjson/terraform-json';

/** The directory backup job's first init container (its export step). */
const exportStep = (j: TerraformJson) => {
  const [step] = blocks(child(specOf(j, R.directoryBackup), 'job_template', 'spec', 'template', 'spec').init_container);
  if (!step) throw new Error('the directory backup job has no init container');
  return step;
};
const containerLimits = (j: TerraformJson, limits: typeof R.gatewayLimits) => {
  const [item] = blocks(specOf(j, limits).limit);
  if (!item) throw new Error('no limit item');
  return item;
};

export const cases: RuleCases = {
  bad: [
    {
      name: 'a container without an ephemeral-storage limit',
      mutate: (j) => delete child(containerOf(j, R.synapseDeployment), 'resources', 'limits')['ephemeral-storage'],
      address: synapseContainer,
      message: 'missing limits.ephemeral-storage',
    },
    {
      name: 'an init container without an ephemeral-storage request',
      mutate: (j) => delete child(exportStep(j), 'resources', 'requests')['ephemeral-storage'],
      address: address(R.directoryBackup),
      message: 'missing requests.ephemeral-storage',
    },
    {
      name: 'a container with neither',
      mutate: (j) => {
        const resources = child(containerOf(j, R.postgresStatefulSet), 'resources');
        delete child(resources, 'requests')['ephemeral-storage'];
        delete child(resources, 'limits')['ephemeral-storage'];
      },
      address: address(R.postgresStatefulSet),
      message: 'missing requests.ephemeral-storage, limits.ephemeral-storage',
    },
    {
      name: 'a quota that does not bound local disk',
      mutate: (j) => {
        const hard = child(specOf(j, R.homeserverQuota), 'hard');
        delete hard['requests.ephemeral-storage'];
        delete hard['limits.ephemeral-storage'];
      },
      address: address(R.homeserverQuota),
      message: 'the quota does not bound requests.ephemeral-storage or limits.ephemeral-storage',
    },
    {
      name: 'a quota bounding requests only',
      mutate: (j) => delete child(specOf(j, R.gatewayQuota), 'hard')['limits.ephemeral-storage'],
      address: address(R.gatewayQuota),
      message: 'the quota does not bound limits.ephemeral-storage',
    },
    {
      name: 'container limits without a default',
      mutate: (j) => delete child(containerLimits(j, R.gatewayLimits), 'default')['ephemeral-storage'],
      address: address(R.gatewayLimits),
      message: 'container limits have no default ephemeral-storage',
    },
  ],
  good: [
    {
      name: 'a claim size limit beside the container limits (only Container items are judged)',
      mutate: (j) =>
        (specOf(j, R.gatewayLimits).limit = [
          containerLimits(j, R.gatewayLimits),
          { type: 'PersistentVolumeClaim', max: { storage: '5Gi' } },
        ]),
    },
    { name: 'quantities in bytes', mutate: (j) => (child(specOf(j, R.gatewayQuota), 'hard')['limits.ephemeral-storage'] = '2147483648') },
  ],
};
