import { containerAddress, containerSecurityContext, podSpecs } from '../../../tfjson/pod-specs';
import { blocks } from '../../../tfjson/terraform-json';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

const HOST_FLAGS = ['host_network', 'host_pid', 'host_ipc'] as const;

/** Host namespaces are explicitly off, no host ports, no privileged containers. */
export const rule: Rule = {
  id: 'POD-06',
  title: 'No host namespaces, host ports or privileged containers',
  level: 'error',
  lesson: 'Host namespaces expose node traffic and processes: the path from one pod to every compartment.',
  references: {
    podSecurityStandards: 'Baseline: Host Namespaces, Privileged Containers, HostPorts',
    cisKubernetes: '5.2.2, 5.2.3, 5.2.4, 5.2.13',
    nsaCisa: 'Pod security: host namespaces',
    anssi: 'R31',
    checkov: ['CKV_K8S_16', 'CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19'],
  },
  fix: 'Set host_network, host_pid and host_ipc = false on the pod, privileged = false on containers, and no host_port.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) => {
      const violations: Violation[] = [];
      for (const flag of HOST_FLAGS) {
        if (view.podSpec[flag] !== false) violations.push({ address: view.resource.address, message: `${flag} is not explicitly false` });
      }
      for (const container of view.containers) {
        if (containerSecurityContext(container).privileged === true)
          violations.push({ address: containerAddress(view, container), message: 'privileged is true' });
        for (const port of blocks(container.port)) {
          if (port.host_port !== undefined && port.host_port !== 0)
            violations.push({ address: containerAddress(view, container), message: `host_port ${String(port.host_port)} is set` });
        }
      }
      return violations;
    }),
};
