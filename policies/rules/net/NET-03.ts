import { isAnyAddress } from '../../../config/validators';
import type { Rule, Violation } from '../../rule';
import { block, stringMap, type JsonObject } from '../../terraform-json';
import { compartmentOfNamespace } from './compartment-of';
import { networkPolicies, peersOf } from './network-policy-view';

function hasLabels(selector: unknown): boolean {
  const found = block(selector);
  return found !== undefined && Object.keys(stringMap(found.match_labels)).length > 0;
}

function peerProblem(peer: JsonObject): string | null {
  const ipBlock = block(peer.ip_block);
  if (ipBlock) return null;
  if (!hasLabels(peer.namespace_selector)) return 'peer without a namespace selector label (matches every namespace or the policy namespace implicitly)';
  if (!hasLabels(peer.pod_selector)) return 'peer without a pod selector label (matches every pod of the namespace)';
  return null;
}

/**
 * Peers name both namespace and pods; any-address blocks appear only as the gateway's
 * external ingress or as an egress block that carves out reserved ranges (federation).
 */
export const NET_03: Rule = {
  id: 'NET-03',
  title: 'No empty peer selectors and no any-address ranges outside the declared exceptions',
  level: 'error',
  lesson: 'An empty selector or 0.0.0.0/0 quietly reopens what the flow matrix closed.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Select peers by namespace and pod labels; use 0.0.0.0/0 only for the gateway ingress or federation egress with except ranges.',
  check: (stack) =>
    networkPolicies(stack).flatMap((policy) => {
      const violations: Violation[] = [];
      const compartment = policy.namespace ? compartmentOfNamespace(stack, policy.namespace) : undefined;
      for (const direction of ['ingress', 'egress'] as const) {
        for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
          const peers = peersOf(rule, direction);
          if (peers.length === 0) violations.push({ address: policy.resource.address, message: `${direction} rule without peers allows every source/destination` });
          for (const peer of peers) {
            const problem = peerProblem(peer);
            if (problem) violations.push({ address: policy.resource.address, message: `${direction}: ${problem}` });
            const ipBlock = block(peer.ip_block);
            const cidr = ipBlock?.cidr;
            if (typeof cidr !== 'string' || !isAnyAddress(cidr)) continue;
            const except = Array.isArray(ipBlock?.except) ? ipBlock.except : [];
            if (direction === 'ingress' && compartment !== 'gateway') {
              violations.push({ address: policy.resource.address, message: `ingress from ${cidr} outside the gateway compartment` });
            }
            if (direction === 'egress' && except.length === 0) {
              violations.push({ address: policy.resource.address, message: `egress to ${cidr} without excluded ranges` });
            }
          }
        }
      }
      return violations;
    }),
};
