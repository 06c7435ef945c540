import { capabilities, containerAddress, containerSecurityContext, podSpecs } from '../../../tfjson/pod-specs';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** Every container drops ALL capabilities and adds none. */
export const rule: Rule = {
  id: 'POD-04',
  title: 'Containers drop all Linux capabilities',
  level: 'error',
  lesson: 'Default capabilities (NET_RAW, CHOWN, ...) are tools for an intruder, not for Synapse.',
  references: {
    podSecurityStandards: 'Restricted: Capabilities',
    cisKubernetes: '5.2.8, 5.2.9',
    nsaCisa: 'Pod security: drop capabilities',
    anssi: 'R31',
    checkov: ['CKV_K8S_28', 'CKV_K8S_37'],
  },
  fix: 'Set security_context.capabilities.drop = ["ALL"] and add nothing.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container): Violation[] => {
        const { drop, add } = capabilities(containerSecurityContext(container));
        const violations: Violation[] = [];
        if (!drop.includes('ALL'))
          violations.push({ address: containerAddress(view, container), message: 'capabilities.drop does not contain "ALL"' });
        if (add.length > 0)
          violations.push({ address: containerAddress(view, container), message: `capabilities.add is not empty (${add.join(', ')})` });
        return violations;
      }),
    ),
};
