/** Who may connect into a compartment, as written in its namespace's ingress policies. */
import { LABEL_NAMESPACE_NAME, LABEL_WORKLOAD } from '../../../model/compartments';
import type { Violation } from '../../rule';
import { block, blocks, stringMap, type SynthesizedStack } from '../../terraform-json';
import { compartmentOfNamespace } from './compartment-of';
import { networkPolicies, peersOf } from './network-policy-view';

export interface IngressSource {
  /** Compartment of the peer namespace (by this project's `<homeserver>-<compartment>` names). */
  readonly compartment: string | undefined;
  /** The peer namespace itself, when the peer selects one. */
  readonly namespace: string | undefined;
  readonly workload: string | undefined;
  readonly ports: readonly string[];
}

export type SourceCheck = (source: IngressSource) => string | null;

/** Applies `check` to every ingress source of every policy in namespaces of `compartment`. */
export function checkIngressInto(stack: SynthesizedStack, compartment: string, check: SourceCheck): Violation[] {
  const violations: Violation[] = [];
  for (const policy of networkPolicies(stack)) {
    if (!policy.namespace || compartmentOfNamespace(stack, policy.namespace) !== compartment) continue;
    for (const rule of policy.ingress) {
      const ports = blocks(rule.ports).map((port) => String(port.port));
      for (const peer of peersOf(rule, 'ingress')) {
        const namespace = stringMap(block(peer.namespace_selector)?.match_labels)[LABEL_NAMESPACE_NAME];
        const source: IngressSource = {
          compartment: peer.ip_block !== undefined ? 'outside' : namespace?.split('-').pop(),
          namespace: peer.ip_block !== undefined ? undefined : namespace,
          workload: stringMap(block(peer.pod_selector)?.match_labels)[LABEL_WORKLOAD],
          ports,
        };
        const problem = check(source);
        if (problem) violations.push({ address: policy.resource.address, message: problem });
      }
    }
  }
  return violations;
}
