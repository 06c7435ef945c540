import type { Rule, Violation } from '../../rule';
import { blocks, stringMap } from '../../terraform-json';
import { namespaceNames, networkPolicies, peersOf, selectsEverything } from './network-policy-view';

/**
 * Policies that apply to every pod of a namespace (empty pod selector) may allow only DNS
 * egress (port 53) to selected resolver pods; each namespace has that baseline.
 */
export const NET_02: Rule = {
  id: 'NET-02',
  title: 'Namespace-wide egress is DNS to the cluster resolver only',
  level: 'error',
  lesson: 'A namespace-wide allow rule silently opens every future workload of the compartment.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Keep namespace-wide (empty pod_selector) policies to default deny plus DNS (UDP/TCP 53) to the kube-dns pods; put every other allow on a workload selector.',
  check: (stack) => {
    const violations: Violation[] = [];
    const policies = networkPolicies(stack);
    for (const policy of policies.filter((candidate) => selectsEverything(candidate.podSelector))) {
      if (policy.ingress.length > 0) violations.push({ address: policy.resource.address, message: 'namespace-wide ingress allow rule' });
      for (const rule of policy.egress) {
        const ports = blocks(rule.ports);
        // A port block with end_port opens a range (port..end_port), so it is DNS only if the range ends at 53.
        const dnsOnly = ports.length > 0 && ports.every((port) => String(port.port) === '53' && (port.end_port === undefined || String(port.end_port) === '53'));
        const peers = peersOf(rule, 'egress');
        const toResolverPods = peers.length > 0 && peers.every((peer) => Object.keys(stringMap(blocks(peer.pod_selector)[0]?.match_labels)).length > 0 && peer.ip_block === undefined);
        if (!dnsOnly || !toResolverPods) violations.push({ address: policy.resource.address, message: 'namespace-wide egress rule other than DNS to selected resolver pods' });
      }
    }
    for (const name of namespaceNames(stack)) {
      const hasDns = policies.some((policy) => policy.namespace === name && selectsEverything(policy.podSelector) && policy.egress.length > 0);
      if (!hasDns) violations.push({ address: `namespace "${name}"`, message: 'no DNS-only baseline egress policy' });
    }
    return violations;
  },
};
