import { containerAddress, containerSecurityContext, podSecurityContext, podSpecs, seccompType } from '../../../tfjson/pod-specs';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** The pod sets seccomp RuntimeDefault (or Localhost); no container weakens it. */
export const rule: Rule = {
  id: 'POD-05',
  title: 'Pods use the RuntimeDefault seccomp profile',
  level: 'error',
  lesson: 'Without a syscall filter, a kernel bug reachable from the container is a host escape.',
  references: {
    podSecurityStandards: 'Restricted: Seccomp',
    cisKubernetes: '5.7.2',
    nsaCisa: 'Pod security: seccomp',
    anssi: 'R31',
    checkov: ['CKV_K8S_31'],
  },
  fix: 'Set security_context.seccomp_profile.type = "RuntimeDefault" on the pod (and do not set Unconfined on containers).',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) => {
      const violations: Violation[] = [];
      const podType = seccompType(podSecurityContext(view));
      if (podType !== 'RuntimeDefault' && podType !== 'Localhost') {
        violations.push({ address: view.resource.address, message: `pod seccomp_profile.type is ${JSON.stringify(podType ?? null)}` });
      }
      for (const container of view.containers) {
        const type = seccompType(containerSecurityContext(container));
        if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') {
          violations.push({ address: containerAddress(view, container), message: `seccomp_profile.type is ${JSON.stringify(type)}` });
        }
      }
      return violations;
    }),
};
