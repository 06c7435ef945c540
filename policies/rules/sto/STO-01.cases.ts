/** The case table of STO-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, R, specOf, volumeList } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'claim without storage class',
      mutate: (j) => delete specOf(j, R.synapseClaim).storage_class_name,
      address: address(R.synapseClaim),
      message: 'no explicit storage_class_name',
    },
    {
      name: 'claim with empty storage class',
      mutate: (j) => (specOf(j, R.synapseClaim).storage_class_name = ''),
      address: address(R.synapseClaim),
      message: 'no explicit storage_class_name',
    },
    {
      name: 'volume claim template with a non-allowlisted class',
      mutate: (j) => (child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name = 'standard'),
      address: `${postgres} volume_claim_template`,
      message: 'storage class "standard" is not allowlisted',
    },
    {
      name: 'volume claim template without class',
      mutate: (j) => delete child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name,
      address: `${postgres} volume_claim_template`,
      message: 'no explicit storage_class_name',
    },
    {
      name: 'generic ephemeral volume on the cluster default class',
      mutate: (j) =>
        volumeList(j, R.synapseDeployment).push({
          name: 'scratch',
          ephemeral: { volume_claim_template: { spec: { access_modes: ['ReadWriteOncePod'] } } },
        }),
      address: `${synapse} volume "scratch" (ephemeral)`,
      message: 'no explicit storage_class_name',
    },
  ],
};
