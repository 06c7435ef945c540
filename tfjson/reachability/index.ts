/**
 * The reachability engine: what can reach what in a deployment, computed from its synthesized
 * NetworkPolicies alone (not from the flow model they were derived from). The review shows
 * what a change really opens or closes between namespaces and the outside world; the NET rules
 * ask who a compartment lets in (admittedSources).
 *
 * Kubernetes semantics: a connection from pod P to pod Q on a port is allowed when P's egress
 * allows it (or P is not isolated for egress) and Q's ingress allows it (or Q is not isolated
 * for ingress). Pods are the workloads the stacks declare plus stand-ins for pods they do not
 * show (chart pods, pods in namespaces only named by selectors); pod-level results are then
 * aggregated per namespace ("zone"). Pure: no I/O, deterministic output.
 */
import type { SynthesizedStack } from '../terraform-json';
import { compareText } from './compare-text';
import { analyse } from './evaluate';
import {
  compareFlows,
  flowCovers,
  type OutsideFlowRanges,
  type Reachability,
  type ReachabilityDelta,
  type ReachabilityFlow,
} from './flows';
import { OUTSIDE_ZONE } from './zones';

export { admittedSources, type AdmittedSource } from './admitted-sources';
export { declaredObjects, type Declared } from './cluster-objects';
export type { OutsideFlowRanges, Reachability, ReachabilityDelta, ReachabilityFlow } from './flows';
export {
  dnsOnly,
  isolates,
  networkPolicies,
  rangeText,
  rulesOf,
  type Direction,
  type NetworkPolicyView,
  type PolicyPeer,
  type PolicyRule,
} from './network-policies';
export { ALL, ALL_PORTS, comparePortLabels, portCovers, portLabel, type PortSpec } from './ports';
export { ANY_NAMESPACE_ZONE, OUTSIDE_ZONE } from './zones';

export function reachabilityOf(stacks: readonly SynthesizedStack[]): Reachability {
  const { zones, unmanaged, pairs } = analyse(stacks);
  const flows = pairs.flatMap((pair) => [...pair.ports.keys()].map((port) => ({ from: pair.from, to: pair.to, port })));
  return { zones, flows: flows.sort(compareFlows), unmanaged };
}

/** The address ranges behind each flow to or from `outside` (the matrix only says `outside`). */
export function outsideRangesOf(stacks: readonly SynthesizedStack[]): readonly OutsideFlowRanges[] {
  const { pairs } = analyse(stacks);
  const flows = pairs
    .filter((pair) => pair.from === OUTSIDE_ZONE || pair.to === OUTSIDE_ZONE)
    .flatMap((pair) =>
      [...pair.ports].map(([port, entry]) => ({ from: pair.from, to: pair.to, port, ranges: [...entry.ranges].sort(compareText) })),
    );
  return flows.sort(compareFlows);
}

/**
 * What a change opens and closes. A flow still covered by a wider port on the other side is
 * no change (8008/TCP before, all ports after: only `all ports` is opened).
 */
export function reachabilityDelta(before: Reachability, after: Reachability): ReachabilityDelta {
  const notIn = (flows: readonly ReachabilityFlow[], others: readonly ReachabilityFlow[]) =>
    flows.filter((flow) => !others.some((other) => flowCovers(other, flow))).sort(compareFlows);
  return { opened: notIn(after.flows, before.flows), closed: notIn(before.flows, after.flows) };
}
