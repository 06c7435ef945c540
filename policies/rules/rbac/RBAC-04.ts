import { bindings, label, roles, type PolicyRuleView } from '../../../tfjson/rbac';
import type { Rule, Violation } from '../../rule';

/** Verbs that let a subject give itself more than it was granted. */
const ESCALATION_VERBS = ['escalate', 'bind', 'impersonate'];
/**
 * Subresources whose use is a path to other identities or nodes: exec/attach run code in any
 * pod of the scope (`get` counts too: the WebSocket upgrade is a GET), a token request mints a
 * service account's credential, CSR approval issues cluster certificates.
 */
const DANGEROUS_SUBRESOURCES: readonly { resource: string; verbs: readonly string[] }[] = [
  { resource: 'pods/exec', verbs: ['create', 'get'] },
  { resource: 'pods/attach', verbs: ['create', 'get'] },
  { resource: 'serviceaccounts/token', verbs: ['create'] },
  { resource: 'certificatesigningrequests/approval', verbs: ['create', 'update', 'patch'] },
];
const READ_VERBS = ['get', 'list', 'watch'];
const POWERFUL_CLUSTER_ROLES = ['cluster-admin', 'admin', 'edit'];
const POWERFUL_GROUPS = ['system:masters'];

function grantsVerb(rule: PolicyRuleView, verb: string): boolean {
  return rule.verbs.includes(verb) || rule.verbs.includes('*');
}

/** Whether a rule's resource list covers `target` (`pods/exec`, `secrets`), wildcards included. */
function coversResource(rule: PolicyRuleView, target: string): boolean {
  const [resource = '', subresource] = target.split('/');
  return rule.resources.some(
    (entry) =>
      entry === target || entry === '*' || (subresource !== undefined && (entry === `${resource}/*` || entry === `*/${subresource}`)),
  );
}

/**
 * No role grants escalate, bind or impersonate, exec/attach into pods, service account token
 * creation or CSR approval; no ClusterRole reads Secrets; nothing is bound to cluster-admin,
 * admin or edit, or to the system:masters group.
 */
export const rule: Rule = {
  id: 'RBAC-04',
  title: 'No privilege escalation paths in RBAC',
  level: 'error',
  lesson: 'One compromised identity must stay one identity: no permission may mint, borrow or widen another.',
  references: {
    cisKubernetes: '5.1.1, 5.1.2, 5.1.8, 5.1.11, 5.1.13',
    nsaCisa: 'Authentication and authorization',
    anssi: 'R27',
    checkov: ['CKV_K8S_156', 'CKV_K8S_157', 'CKV_K8S_158'],
  },
  fix: 'Drop escalate/bind/impersonate, pods/exec, pods/attach, serviceaccounts/token and CSR approval from roles, read Secrets only through a namespaced Role on named resources, and bind narrow roles (never cluster-admin, admin, edit or system:masters).',
  appliesTo: { subject: 'Role, ClusterRole or binding', presentIn: (stack) => roles(stack).length > 0 || bindings(stack).length > 0 },
  check: (stack) => {
    const violations: Violation[] = [];
    for (const role of roles(stack)) {
      role.rules.forEach((rule, index) => {
        const report = (message: string) => violations.push({ address: role.address, message: `${label(role)} rule[${index}] ${message}` });
        const verbs = ESCALATION_VERBS.filter((verb) => grantsVerb(rule, verb));
        if (verbs.length > 0) report(`grants ${verbs.join(', ')}`);
        for (const { resource, verbs: risky } of DANGEROUS_SUBRESOURCES) {
          const granted = risky.filter((verb) => grantsVerb(rule, verb));
          if (granted.length > 0 && coversResource(rule, resource)) report(`grants ${granted.join(', ')} on ${resource}`);
        }
        if (role.kind === 'ClusterRole' && coversResource(rule, 'secrets')) {
          const reads = READ_VERBS.filter((verb) => grantsVerb(rule, verb));
          if (reads.length > 0) report(`grants ${reads.join(', ')} on secrets cluster-wide`);
        }
      });
    }
    for (const binding of bindings(stack)) {
      if (binding.roleRef.kind === 'ClusterRole' && POWERFUL_CLUSTER_ROLES.includes(binding.roleRef.name)) {
        violations.push({ address: binding.address, message: `${label(binding)} binds the built-in ClusterRole ${binding.roleRef.name}` });
      }
      for (const subject of binding.subjects) {
        if (subject.kind === 'Group' && POWERFUL_GROUPS.includes(subject.name))
          violations.push({ address: binding.address, message: `${label(binding)} binds the group ${subject.name}` });
      }
    }
    return violations;
  },
};
