/** The case table of POD-09 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, metadataBlock, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'deployment without namespace',
      mutate: (j) => delete metadataBlock(j, R.synapseDeployment).namespace,
      address: synapse,
      message: 'namespace is "(absent = default)"',
    },
    {
      name: 'service in "default"',
      mutate: (j) => (metadataBlock(j, R.synapseService).namespace = 'default'),
      address: address(R.synapseService),
      message: 'namespace is "default"',
    },
    {
      name: 'service account with empty namespace',
      mutate: (j) => (metadataBlock(j, R.postgresAccount).namespace = ''),
      address: address(R.postgresAccount),
      message: 'namespace is ""',
    },
  ],
};
