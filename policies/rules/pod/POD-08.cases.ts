/** The case table of POD-08 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, postgresContainer, synapse, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, R, securityContextOf, volumeOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'read_only_root_filesystem false',
      mutate: (j) => (securityContextOf(j, R.synapseDeployment).read_only_root_filesystem = false),
      address: synapseContainer,
      message: 'read_only_root_filesystem is not true',
    },
    {
      name: 'read_only_root_filesystem absent',
      mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).read_only_root_filesystem,
      address: postgresContainer,
      message: 'read_only_root_filesystem is not true',
    },
    {
      name: 'emptyDir without size_limit',
      mutate: (j) => delete child(volumeOf(j, R.synapseDeployment, 'tmp'), 'empty_dir').size_limit,
      address: `${synapse} volume "tmp"`,
      message: 'emptyDir has no size_limit',
    },
    {
      name: 'emptyDir with a malformed size_limit',
      mutate: (j) => (child(volumeOf(j, R.postgresStatefulSet, 'run'), 'empty_dir').size_limit = 'lots'),
      address: `${postgres} volume "run"`,
      message: 'emptyDir has no size_limit',
    },
  ],
};
