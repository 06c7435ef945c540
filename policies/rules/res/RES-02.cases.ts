/** The case table of RES-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { hsNamespace } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, GATEWAY_NAMESPACE, HOMESERVER_NAMESPACE, metadataBlock, R, remove } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'namespace without quota',
      mutate: (j) => remove(j, R.homeserverQuota),
      address: hsNamespace,
      message: `namespace "${HOMESERVER_NAMESPACE}" has no ResourceQuota`,
    },
    {
      name: 'namespace without limit range',
      mutate: (j) => remove(j, R.gatewayLimits),
      address: address(R.gatewayNamespace),
      message: `namespace "${GATEWAY_NAMESPACE}" has no LimitRange`,
    },
    {
      name: 'quota in another namespace',
      mutate: (j) => (metadataBlock(j, R.homeserverQuota).namespace = GATEWAY_NAMESPACE),
      address: hsNamespace,
      message: 'has no ResourceQuota',
    },
  ],
};
