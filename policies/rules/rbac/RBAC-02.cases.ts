/** The case table of RBAC-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { hsNamespace, postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, HOMESERVER_NAMESPACE, podSpecOf, R, remove } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'pod automount absent',
      mutate: (j) => delete podSpecOf(j, R.synapseDeployment).automount_service_account_token,
      address: synapse,
      message: 'pod automount_service_account_token is not false',
    },
    {
      name: 'pod automount true',
      mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).automount_service_account_token = true),
      address: postgres,
      message: 'pod automount_service_account_token is not false',
    },
    {
      name: 'service account automount absent',
      mutate: (j) => delete body(j, R.synapseAccount).automount_service_account_token,
      address: address(R.synapseAccount),
      message: 'automount_service_account_token is not false',
    },
    {
      name: 'default service account automount true',
      mutate: (j) => (body(j, R.gatewayDefaultAccount).automount_service_account_token = true),
      address: address(R.gatewayDefaultAccount),
      message: 'automount_service_account_token is not false',
    },
    {
      name: 'default service account not managed',
      mutate: (j) => remove(j, R.homeserverDefaultAccount),
      address: hsNamespace,
      message: `the default service account of "${HOMESERVER_NAMESPACE}" is not managed with automount false`,
    },
  ],
};
