/** The case table of POD-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, postgresContainer, synapse, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { podSecurityContextOf, podSpecOf, R, securityContextOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'pod run_as_non_root false',
      mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_non_root = false),
      address: synapse,
      message: 'pod security_context.run_as_non_root is not true',
    },
    {
      name: 'pod run_as_user 0',
      mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_user = '0'),
      address: synapse,
      message: 'explicit non-zero run_as_user and run_as_group',
    },
    {
      name: 'pod run_as_group absent',
      mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).run_as_group,
      address: postgres,
      message: 'explicit non-zero run_as_user and run_as_group',
    },
    {
      name: 'pod security_context absent',
      mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).security_context,
      address: postgres,
      message: 'run_as_non_root is not true',
    },
    {
      name: 'container run_as_non_root false',
      mutate: (j) => (securityContextOf(j, R.synapseDeployment).run_as_non_root = false),
      address: synapseContainer,
      message: 'run_as_non_root is false',
    },
    {
      name: 'container run_as_user 0',
      mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).run_as_user = 0),
      address: postgresContainer,
      message: 'run_as_user must be non-zero',
    },
  ],
};
