/** The case table of RBAC-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { podSpecOf, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'service_account_name absent',
      mutate: (j) => delete podSpecOf(j, R.synapseDeployment).service_account_name,
      address: synapse,
      message: 'service_account_name is "(absent = default)"',
    },
    {
      name: 'service_account_name "default"',
      mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).service_account_name = 'default'),
      address: postgres,
      message: 'service_account_name is "default"',
    },
    {
      name: 'service_account_name empty',
      mutate: (j) => (podSpecOf(j, R.synapseDeployment).service_account_name = ''),
      address: synapse,
      message: 'service_account_name is ""',
    },
  ],
};
