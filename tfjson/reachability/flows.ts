/** A reachability result: flows between zones, the order they are listed in, and when one covers another. */
import { comparePortLabels, parsePortLabel, portCovers } from './ports';
import { compareZones } from './zones';

export interface ReachabilityFlow {
  readonly from: string;
  readonly to: string;
  /** `8008/TCP`, `9000-9100/TCP`, `metrics/TCP` (named container port), `all/UDP` (every UDP port) or `all ports`. */
  readonly port: string;
}

export interface Reachability {
  /** Namespaces, plus the pseudo-zones `outside` and `any namespace` when something reaches them or is reached from them. */
  readonly zones: readonly string[];
  /** Sorted (zone order, then port), deduplicated, ports covered by a wider port of the same pair left out. */
  readonly flows: readonly ReachabilityFlow[];
  /**
   * Namespaces the stacks only name in selectors (e.g. kube-system): their own NetworkPolicies
   * are unknown, so they are modelled as having none. Absent when the value was written by hand.
   */
  readonly unmanaged?: readonly string[];
}

export interface ReachabilityDelta {
  readonly opened: readonly ReachabilityFlow[];
  readonly closed: readonly ReachabilityFlow[];
}

/** An `outside` flow with the address ranges (ipBlocks) that let it through. */
export interface OutsideFlowRanges extends ReachabilityFlow {
  /** `cidr` or `cidr except a, b`; `any address` when no ipBlock restricts it. */
  readonly ranges: readonly string[];
}

export function compareFlows(a: ReachabilityFlow, b: ReachabilityFlow): number {
  return compareZones(a.from, b.from) || compareZones(a.to, b.to) || comparePortLabels(a.port, b.port);
}

/** Whether `wider` allows at least what `flow` describes (same zones, a port label that covers it). */
export function flowCovers(wider: ReachabilityFlow, flow: ReachabilityFlow): boolean {
  if (wider.from !== flow.from || wider.to !== flow.to) return false;
  if (wider.port === flow.port) return true;
  const outer = parsePortLabel(wider.port);
  const inner = parsePortLabel(flow.port);
  return outer !== undefined && inner !== undefined && portCovers(outer, inner);
}
