/** The case table of POD-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { hsNamespace, setLabel } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, metadataBlock, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'enforce=baseline',
      mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce', 'baseline'),
      address: hsNamespace,
      message: 'enforce=baseline',
    },
    {
      name: 'enforce-version "latest"',
      mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce-version', 'latest'),
      address: hsNamespace,
      message: 'enforce-version=latest (must be pinned)',
    },
    {
      name: 'audit label absent',
      mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/audit', undefined),
      address: hsNamespace,
      message: 'audit=(absent)',
    },
    {
      name: 'warn-version absent',
      mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/warn-version', undefined),
      address: hsNamespace,
      message: 'warn-version=(absent)',
    },
    {
      name: 'no labels at all',
      mutate: (j) => delete metadataBlock(j, R.gatewayNamespace).labels,
      address: address(R.gatewayNamespace),
      message: /enforce=\(absent\).*audit=\(absent\).*warn=\(absent\)/,
    },
  ],
};
