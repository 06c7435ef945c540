import { isAnyAddress } from '../../../config/validators';
import { TRANSPORT_ANNOTATION } from '../../../model/flow-transport';
import { hasMatchLabels } from '../../../tfjson/label-selectors';
import { networkPolicies, rulesOf, type NetworkPolicyView, type PolicyPeer } from '../../../tfjson/reachability';
import { compartmentsOf } from '../../checks/namespaces';
import { NETWORK_POLICIES } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

function peerProblem(peer: PolicyPeer): string | null {
  if (peer.kind === 'ipBlock') return null;
  if (peer.kind === 'nothing' || !hasMatchLabels(peer.namespaceSelector))
    return 'peer without a namespace selector label (matches every namespace or the policy namespace implicitly)';
  if (!hasMatchLabels(peer.podSelector)) return 'peer without a pod selector label (matches every pod of the namespace)';
  return null;
}

/** A policy admitting call media: it states WebRTC's transport and admits single numbered ports only. */
function isCallMedia(policy: NetworkPolicyView): boolean {
  const ports = [...policy.ingress, ...policy.egress].flatMap((rule) => rule.ports);
  return (
    policy.annotations[TRANSPORT_ANNOTATION] === 'webrtc' &&
    ports.length > 0 &&
    ports.every((port) => port.kind === 'range' && port.first === port.last)
  );
}

/**
 * Peers name both namespace and pods; any-address blocks appear only as the gateway's
 * external ingress, the calls' media ingress (single ports stating WebRTC's transport), or as
 * an egress block that carves out reserved ranges (federation).
 */
export const rule: Rule = {
  id: 'NET-03',
  title: 'No empty peer selectors and no any-address ranges outside the declared exceptions',
  level: 'error',
  lesson: 'An empty selector or 0.0.0.0/0 quietly reopens what the flow matrix closed.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Select peers by namespace and pod labels; use 0.0.0.0/0 only for the gateway ingress, the call media ports (single ports, transport webrtc) or federation egress with except ranges.',
  appliesTo: NETWORK_POLICIES,
  check: (stack, context) => {
    const compartmentOf = compartmentsOf(stack, context);
    return networkPolicies(stack).flatMap((policy) => {
      const violations: Violation[] = [];
      const compartment = compartmentOf(policy.namespace);
      for (const direction of ['ingress', 'egress'] as const) {
        for (const entry of rulesOf(policy, direction)) {
          if (entry.peers.length === 0)
            violations.push({ address: policy.address, message: `${direction} rule without peers allows every source/destination` });
          for (const peer of entry.peers) {
            const problem = peerProblem(peer);
            if (problem) violations.push({ address: policy.address, message: `${direction}: ${problem}` });
            if (peer.kind !== 'ipBlock' || peer.cidr === undefined || !isAnyAddress(peer.cidr)) continue;
            if (direction === 'ingress' && compartment !== 'gateway' && !(compartment === 'calls' && isCallMedia(policy)))
              violations.push({
                address: policy.address,
                message: `ingress from ${peer.cidr} outside the gateway compartment (and not to call media)`,
              });
            if (direction === 'egress' && peer.except.length === 0)
              violations.push({ address: policy.address, message: `egress to ${peer.cidr} without excluded ranges` });
          }
        }
      }
      return violations;
    });
  },
};
