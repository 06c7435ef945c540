import { NAMESPACE_TYPES } from '../../../tfjson/resource-types';
import { metadataOf, resources, stringMap } from '../../../tfjson/terraform-json';
import { TYPED_NAMESPACES } from '../../checks/subjects';
import type { Rule } from '../../rule';

const MODES = ['enforce', 'audit', 'warn'] as const;

/** Every namespace enforces, audits and warns on Pod Security `restricted`, each pinned to a version. */
export const rule: Rule = {
  id: 'POD-01',
  title: 'Namespaces carry Pod Security Admission restricted labels with a pinned version',
  level: 'error',
  lesson: 'A compartment that admits privileged pods turns one compromised workload into a node compromise.',
  references: {
    podSecurityStandards: 'Restricted profile',
    cisKubernetes: '5.2.1',
    nsaCisa: 'Pod security (Pod Security Admission)',
    anssi: 'R30',
  },
  fix: 'Label the namespace pod-security.kubernetes.io/{enforce,audit,warn}=restricted and {mode}-version=v1.NN.',
  appliesTo: TYPED_NAMESPACES,
  check: (stack) =>
    resources(stack, ...NAMESPACE_TYPES).flatMap((namespace) => {
      const labels = stringMap(metadataOf(namespace).labels);
      const problems: string[] = [];
      for (const mode of MODES) {
        const level = labels[`pod-security.kubernetes.io/${mode}`];
        const version = labels[`pod-security.kubernetes.io/${mode}-version`];
        if (level !== 'restricted') problems.push(`${mode}=${level ?? '(absent)'}`);
        if (!version || !/^v1\.[0-9]+$/.test(version)) problems.push(`${mode}-version=${version ?? '(absent)'} (must be pinned)`);
      }
      return problems.length
        ? [{ address: namespace.address, message: `Pod Security labels not restricted/pinned: ${problems.join(', ')}` }]
        : [];
    }),
};
