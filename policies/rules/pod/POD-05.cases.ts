/** The case table of POD-05 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, synapse, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, podSecurityContextOf, R, securityContextOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'pod seccomp Unconfined',
      mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'),
      address: synapse,
      message: 'pod seccomp_profile.type is "Unconfined"',
    },
    {
      name: 'pod seccomp absent',
      mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).seccomp_profile,
      address: postgres,
      message: 'pod seccomp_profile.type is null',
    },
    {
      name: 'container seccomp Unconfined',
      mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'),
      address: synapseContainer,
      message: 'seccomp_profile.type is "Unconfined"',
    },
  ],
  good: [
    {
      name: 'Localhost seccomp profile',
      mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Localhost'),
    },
  ],
};
