/** The case table of POD-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, R, securityContextOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'drop without ALL',
      mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').drop = ['NET_RAW']),
      address: synapseContainer,
      message: 'capabilities.drop does not contain "ALL"',
    },
    {
      name: 'capabilities absent',
      mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).capabilities,
      address: postgresContainer,
      message: 'capabilities.drop does not contain "ALL"',
    },
    {
      name: 'add NET_ADMIN',
      mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').add = ['NET_ADMIN']),
      address: synapseContainer,
      message: 'capabilities.add is not empty (NET_ADMIN)',
    },
  ],
};
