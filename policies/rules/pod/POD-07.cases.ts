/** The case table of POD-07 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, synapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { R, volumeList } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'host_path volume',
      mutate: (j) => volumeList(j, R.synapseDeployment).push({ host_path: { path: '/var/run' }, name: 'host' }),
      address: `${synapse} volume "host"`,
      message: 'volume type host_path is not allowed',
    },
    {
      name: 'nfs volume',
      mutate: (j) => volumeList(j, R.postgresStatefulSet).push({ name: 'share', nfs: [{ path: '/export', server: 'nas' }] }),
      address: `${postgres} volume "share"`,
      message: 'volume type nfs is not allowed',
    },
  ],
};
