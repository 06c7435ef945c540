/** The case table of POD-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgres, postgresContainer, synapse, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, containerOf, podSpecOf, R, securityContextOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'host_network true',
      mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_network = true),
      address: synapse,
      message: 'host_network is not explicitly false',
    },
    {
      name: 'host_pid absent',
      mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).host_pid,
      address: postgres,
      message: 'host_pid is not explicitly false',
    },
    {
      name: 'host_ipc true',
      mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_ipc = true),
      address: synapse,
      message: 'host_ipc is not explicitly false',
    },
    {
      name: 'privileged true',
      mutate: (j) => (securityContextOf(j, R.synapseDeployment).privileged = true),
      address: synapseContainer,
      message: 'privileged is true',
    },
    {
      name: 'host_port set',
      mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'port').host_port = 5432),
      address: postgresContainer,
      message: 'host_port 5432 is set',
    },
  ],
  good: [{ name: 'host_port 0', mutate: (j) => (child(containerOf(j, R.synapseDeployment), 'port').host_port = 0) }],
};
