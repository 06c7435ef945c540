import { label, roles } from '../../../tfjson/rbac';
import type { Rule, Violation } from '../../rule';

/** Roles and ClusterRoles name their verbs, resources, API groups and non-resource URLs: no `*`. */
export const rule: Rule = {
  id: 'RBAC-03',
  title: 'No wildcard RBAC',
  level: 'error',
  lesson: "A wildcard grants tomorrow's resources and verbs too: what a compromised identity may do must be listed, not implied.",
  references: { cisKubernetes: '5.1.3', nsaCisa: 'Authentication and authorization', anssi: 'R27', checkov: ['CKV_K8S_49'] },
  fix: 'List the exact verbs, resources and API groups each role needs (and the exact non-resource URLs).',
  appliesTo: { subject: 'Role or ClusterRole', presentIn: (stack) => roles(stack).length > 0 },
  check: (stack) =>
    roles(stack).flatMap((role) =>
      role.rules.flatMap((rule, index): Violation[] => {
        const where = `${label(role)} rule[${index}]`;
        const found: string[] = [];
        if (rule.verbs.includes('*')) found.push('verbs "*"');
        const resources = rule.resources.filter((resource) => resource.includes('*'));
        if (resources.length > 0) found.push(`resources ${resources.map((resource) => JSON.stringify(resource)).join(', ')}`);
        if (rule.apiGroups.includes('*')) found.push('apiGroups "*"');
        const urls = rule.nonResourceUrls.filter((url) => url === '*' || url === '/*');
        if (urls.length > 0) found.push(`nonResourceURLs ${urls.map((url) => JSON.stringify(url)).join(', ')}`);
        return found.map((what) => ({ address: role.address, message: `${where} grants ${what}` }));
      }),
    ),
};
