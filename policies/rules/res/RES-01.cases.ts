/** The case table of RES-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, containerOf, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'limits.memory absent',
      mutate: (j) => delete child(containerOf(j, R.synapseDeployment), 'resources', 'limits').memory,
      address: synapseContainer,
      message: 'missing limits.memory',
    },
    {
      name: 'requests.cpu empty',
      mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'resources', 'requests').cpu = ''),
      address: postgresContainer,
      message: 'missing requests.cpu',
    },
    {
      name: 'resources absent',
      mutate: (j) => delete containerOf(j, R.synapseDeployment).resources,
      address: synapseContainer,
      message: 'missing requests.cpu, requests.memory, limits.cpu, limits.memory',
    },
  ],
};
