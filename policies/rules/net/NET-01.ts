import { selectsEverything } from '../../../tfjson/label-selectors';
import { declaredNamespaces } from '../../../tfjson/namespaces';
import { networkPolicies } from '../../../tfjson/reachability';
import { NAMESPACES } from '../../checks/subjects';
import type { Rule } from '../../rule';

/** Each namespace has a policy selecting all pods with both policy types and no allow rule. */
export const rule: Rule = {
  id: 'NET-01',
  title: 'Every namespace denies ingress and egress by default',
  level: 'error',
  lesson: 'Without default deny, any compromised pod could reach the media store and the directory directly.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation: default deny', anssi: 'R34', checkov: ['CKV2_K8S_6'] },
  fix: 'Add a NetworkPolicy with an empty pod_selector, policy_types ["Ingress", "Egress"] and no rules to the namespace.',
  appliesTo: NAMESPACES,
  check: (stack) => {
    const policies = networkPolicies(stack);
    return [...declaredNamespaces([stack]).keys()]
      .filter(
        (name) =>
          !policies.some(
            (policy) =>
              policy.namespace === name &&
              selectsEverything(policy.podSelector) &&
              policy.policyTypes.includes('Ingress') &&
              policy.policyTypes.includes('Egress') &&
              policy.ingress.length === 0 &&
              policy.egress.length === 0,
          ),
      )
      .map((name) => ({ address: `namespace "${name}"`, message: 'no default-deny policy for both ingress and egress' }));
  },
};
