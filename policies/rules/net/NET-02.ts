import { hasMatchLabels, selectsEverything } from '../../../tfjson/label-selectors';
import { declaredNamespaces } from '../../../tfjson/namespaces';
import { dnsOnly, networkPolicies } from '../../../tfjson/reachability';
import { NAMESPACES_OR_POLICIES } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/**
 * Policies that apply to every pod of a namespace (empty pod selector) may allow only DNS
 * egress (port 53) to selected resolver pods; each namespace has that baseline.
 */
export const rule: Rule = {
  id: 'NET-02',
  title: 'Namespace-wide egress is DNS to the cluster resolver only',
  level: 'error',
  lesson: 'A namespace-wide allow rule silently opens every future workload of the compartment.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Keep namespace-wide (empty pod_selector) policies to default deny plus DNS (UDP/TCP 53) to the kube-dns pods; put every other allow on a workload selector.',
  appliesTo: NAMESPACES_OR_POLICIES,
  check: (stack) => {
    const violations: Violation[] = [];
    const policies = networkPolicies(stack);
    for (const policy of policies.filter((candidate) => selectsEverything(candidate.podSelector))) {
      if (policy.ingress.length > 0) violations.push({ address: policy.address, message: 'namespace-wide ingress allow rule' });
      for (const egress of policy.egress) {
        const toResolverPods =
          egress.peers.length > 0 && egress.peers.every((peer) => peer.kind === 'pods' && hasMatchLabels(peer.podSelector));
        if (!dnsOnly(egress) || !toResolverPods)
          violations.push({ address: policy.address, message: 'namespace-wide egress rule other than DNS to selected resolver pods' });
      }
    }
    for (const name of declaredNamespaces([stack]).keys()) {
      const hasDns = policies.some(
        (policy) => policy.namespace === name && selectsEverything(policy.podSelector) && policy.egress.length > 0,
      );
      if (!hasDns) violations.push({ address: `namespace "${name}"`, message: 'no DNS-only baseline egress policy' });
    }
    return violations;
  },
};
