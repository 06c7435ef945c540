/** Evaluation: what each pod's policies grant, combined into the ports allowed between zones. */
import { EVERYTHING, selects, type Labels } from '../label-selectors';
import type { SynthesizedStack } from '../terraform-json';
import { declaredObjects, podsOf, zonesOf, type Pod, type ZonedPolicy } from './cluster-objects';
import { isolates, rangeText, rulesOf, type Direction, type PolicyPeer } from './network-policies';
import { ALL, intersectPorts, portCovers, portLabel, type PortSpec } from './ports';
import { compareZones, OUTSIDE_ZONE, zoneRank } from './zones';

const ANY_ADDRESS = 'any address';

/** One side's permission: ports, and for `outside` the address ranges they apply to. */
interface Grant {
  readonly spec: PortSpec;
  readonly ranges: readonly string[];
}

type Endpoint = Pod | typeof OUTSIDE_ZONE;

function peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint, zones: ReadonlyMap<string, Labels>): boolean {
  if (endpoint === OUTSIDE_ZONE) return peer.kind === 'ipBlock';
  if (peer.kind !== 'pods') return false;
  const inNamespace = peer.namespaceSelector
    ? selects(peer.namespaceSelector, zones.get(endpoint.zone) ?? {})
    : endpoint.zone === policyNamespace;
  return inNamespace && (!peer.podSelector || selects(peer.podSelector, endpoint.labels));
}

/** What the policies of `pod` allow in one direction towards `peer` (the pod's own side only). */
function grants(
  pod: Pod,
  direction: Direction,
  peer: Endpoint,
  policies: readonly ZonedPolicy[],
  zones: ReadonlyMap<string, Labels>,
): Grant[] {
  const applying = policies.filter(
    (policy) => isolates(policy, direction) && policy.zone === pod.zone && selects(policy.podSelector ?? EVERYTHING, pod.labels),
  );
  if (applying.length === 0) return [{ spec: ALL, ranges: [ANY_ADDRESS] }];
  const result: Grant[] = [];
  for (const policy of applying) {
    for (const rule of rulesOf(policy, direction)) {
      const matched =
        rule.peers.length === 0 ? undefined : rule.peers.filter((candidate) => peerMatches(candidate, policy.zone, peer, zones));
      if (matched !== undefined && matched.length === 0) continue;
      const ranges =
        matched === undefined
          ? [ANY_ADDRESS]
          : matched.flatMap((candidate) => (candidate.kind === 'ipBlock' ? [rangeText(candidate)] : []));
      for (const spec of rule.ports) result.push({ spec, ranges });
    }
  }
  return result;
}

interface ZonePairPorts {
  readonly from: string;
  readonly to: string;
  /** By port label. */
  readonly ports: Map<string, { readonly spec: PortSpec; readonly ranges: Set<string> }>;
}

interface Analysis {
  readonly zones: readonly string[];
  readonly unmanaged: readonly string[];
  readonly pairs: readonly ZonePairPorts[];
}

export function analyse(stacks: readonly SynthesizedStack[]): Analysis {
  const declared = declaredObjects(stacks);
  const zoneLabels = zonesOf(declared);
  const pods = podsOf(declared, zoneLabels);
  const pairs = new Map<string, ZonePairPorts>();
  const record = (from: string, to: string, spec: PortSpec, ranges: readonly string[]) => {
    // Only flows a policy of these stacks takes part in; the rest is the site's business.
    if (!declared.governed.has(from) && !declared.governed.has(to)) return;
    const key = `${from}\0${to}`;
    const pair: ZonePairPorts = pairs.get(key) ?? { from, to, ports: new Map() };
    pairs.set(key, pair);
    const label = portLabel(spec);
    const entry = pair.ports.get(label) ?? { spec, ranges: new Set<string>() };
    pair.ports.set(label, entry);
    if (from === OUTSIDE_ZONE || to === OUTSIDE_ZONE) for (const range of ranges) entry.ranges.add(range);
  };
  const { policies } = declared;
  for (const source of pods) {
    for (const egress of grants(source, 'egress', OUTSIDE_ZONE, policies, zoneLabels))
      record(source.zone, OUTSIDE_ZONE, egress.spec, egress.ranges);
    for (const destination of pods) {
      const allowedOut = grants(source, 'egress', destination, policies, zoneLabels);
      if (allowedOut.length === 0) continue;
      const allowedIn = grants(destination, 'ingress', source, policies, zoneLabels);
      for (const egress of allowedOut) {
        for (const ingress of allowedIn) {
          const spec = intersectPorts(egress.spec, ingress.spec, destination.ports);
          if (spec) record(source.zone, destination.zone, spec, []);
        }
      }
    }
  }
  for (const destination of pods) {
    for (const ingress of grants(destination, 'ingress', OUTSIDE_ZONE, policies, zoneLabels)) {
      const spec = intersectPorts(ALL, ingress.spec, destination.ports);
      if (spec) record(OUTSIDE_ZONE, destination.zone, spec, ingress.ranges);
    }
  }
  // A port already covered by a wider one of the same pair says nothing more; its ranges move to the wider one.
  for (const pair of pairs.values()) {
    const entries = [...pair.ports.entries()];
    for (const [label, entry] of entries) {
      const wider = entries.filter(
        ([other, candidate]) => other !== label && pair.ports.has(other) && portCovers(candidate.spec, entry.spec),
      );
      if (wider.length === 0) continue;
      for (const [, candidate] of wider) for (const range of entry.ranges) candidate.ranges.add(range);
      pair.ports.delete(label);
    }
  }
  const seen = new Set([...pairs.values()].flatMap((pair) => [pair.from, pair.to]));
  const zones = [...zoneLabels.keys(), OUTSIDE_ZONE].filter((zone) => zoneRank(zone) === 1 || seen.has(zone)).sort(compareZones);
  const unmanaged = zones.filter((zone) => zoneRank(zone) === 1 && !declared.governed.has(zone));
  return { zones, unmanaged, pairs: [...pairs.values()] };
}
