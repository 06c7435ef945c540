import { containerAddress, containerSecurityContext, podSecurityContext, podSpecs } from '../../../tfjson/pod-specs';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

function nonZeroId(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && /^[1-9][0-9]*$/.test(String(value));
}

/** Pods and containers set runAsNonRoot: true and explicit non-zero user and group ids. */
export const rule: Rule = {
  id: 'POD-02',
  title: 'Pods run as an explicit non-root user and group',
  level: 'error',
  lesson: 'A root process in a compromised container reaches whatever the kernel lets root reach.',
  references: {
    podSecurityStandards: 'Restricted: Running as Non-root',
    cisKubernetes: '5.2.6',
    nsaCisa: 'Use containers built to run as non-root',
    anssi: 'R31',
    checkov: ['CKV_K8S_23', 'CKV_K8S_40'],
  },
  fix: 'Set security_context.run_as_non_root = true and non-zero run_as_user / run_as_group on the pod and every container.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) => {
      const violations: Violation[] = [];
      const pod = podSecurityContext(view);
      if (pod.run_as_non_root !== true)
        violations.push({ address: view.resource.address, message: 'pod security_context.run_as_non_root is not true' });
      if (!nonZeroId(pod.run_as_user) || !nonZeroId(pod.run_as_group)) {
        violations.push({
          address: view.resource.address,
          message: 'pod security_context needs explicit non-zero run_as_user and run_as_group',
        });
      }
      for (const container of view.containers) {
        const context = containerSecurityContext(container);
        if (context.run_as_non_root === false)
          violations.push({ address: containerAddress(view, container), message: 'run_as_non_root is false' });
        for (const field of ['run_as_user', 'run_as_group'] as const) {
          if (context[field] !== undefined && !nonZeroId(context[field])) {
            violations.push({ address: containerAddress(view, container), message: `${field} must be non-zero` });
          }
        }
      }
      return violations;
    }),
};
