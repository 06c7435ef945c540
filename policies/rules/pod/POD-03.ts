import { containerAddress, containerSecurityContext, podSpecs } from '../../../tfjson/pod-specs';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule } from '../../rule';

/** Every container sets allow_privilege_escalation = false explicitly (the default is true). */
export const rule: Rule = {
  id: 'POD-03',
  title: 'Containers forbid privilege escalation explicitly',
  level: 'error',
  lesson: 'setuid binaries in an image let an intruder regain privileges the pod was meant not to have.',
  references: {
    podSecurityStandards: 'Restricted: Privilege Escalation',
    cisKubernetes: '5.2.5',
    nsaCisa: 'Pod security: disallow privilege escalation',
    anssi: 'R31',
    checkov: ['CKV_K8S_20'],
  },
  fix: 'Set security_context.allow_privilege_escalation = false on every container.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      view.containers
        .filter((container) => containerSecurityContext(container).allow_privilege_escalation !== false)
        .map((container) => ({
          address: containerAddress(view, container),
          message: 'allow_privilege_escalation is not explicitly false',
        })),
    ),
};
