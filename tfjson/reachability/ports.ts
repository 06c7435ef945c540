/** Ports: NetworkPolicy port entries, their labels and order, coverage and intersection. */
import { compareText } from './compare-text';

export const ALL_PORTS = 'all ports';

export type PortSpec =
  | { readonly kind: 'all' }
  | { readonly kind: 'protocol'; readonly protocol: string }
  | { readonly kind: 'range'; readonly protocol: string; readonly first: number; readonly last: number }
  | { readonly kind: 'named'; readonly protocol: string; readonly name: string };

export const ALL: PortSpec = { kind: 'all' };

export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
}

export function portLabel(spec: PortSpec): string {
  switch (spec.kind) {
    case 'all':
      return ALL_PORTS;
    case 'protocol':
      return `all/${spec.protocol}`;
    case 'range':
      return spec.first === spec.last ? `${spec.first}/${spec.protocol}` : `${spec.first}-${spec.last}/${spec.protocol}`;
    case 'named':
      return `${spec.name}/${spec.protocol}`;
  }
}

/** The inverse of portLabel; undefined for text it never writes. */
export function parsePortLabel(label: string): PortSpec | undefined {
  if (label === ALL_PORTS) return ALL;
  const match = /^(.+)\/([A-Z]+)$/.exec(label);
  const port = match?.[1];
  const protocol = match?.[2];
  if (port === undefined || protocol === undefined) return undefined;
  if (port === 'all') return { kind: 'protocol', protocol };
  const range = /^([0-9]+)(?:-([0-9]+))?$/.exec(port);
  if (range?.[1]) return { kind: 'range', protocol, first: Number(range[1]), last: Number(range[2] ?? range[1]) };
  return { kind: 'named', protocol, name: port };
}

/** Whether every connection `inner` describes is also described by `outer`. */
export function portCovers(outer: PortSpec, inner: PortSpec): boolean {
  if (outer.kind === 'all') return true;
  if (inner.kind === 'all' || outer.protocol !== inner.protocol) return false;
  if (outer.kind === 'protocol') return true;
  if (outer.kind === 'range') return inner.kind === 'range' && outer.first <= inner.first && inner.last <= outer.last;
  return inner.kind === 'named' && inner.name === outer.name;
}

function portRank(spec: PortSpec): number {
  return { all: 0, protocol: 1, range: 2, named: 3 }[spec.kind];
}

function comparePorts(a: PortSpec, b: PortSpec): number {
  const byRank = portRank(a) - portRank(b);
  if (byRank !== 0 || a.kind === 'all' || b.kind === 'all') return byRank;
  if (a.kind === 'range' && b.kind === 'range' && (a.first !== b.first || a.last !== b.last)) return a.first - b.first || a.last - b.last;
  if (a.kind === 'named' && b.kind === 'named' && a.name !== b.name) return compareText(a.name, b.name);
  return compareText(a.protocol, b.protocol);
}

export function comparePortLabels(a: string, b: string): number {
  const parsedA = parsePortLabel(a);
  const parsedB = parsePortLabel(b);
  if (parsedA && parsedB) return comparePorts(parsedA, parsedB) || compareText(a, b);
  return parsedA ? -1 : parsedB ? 1 : compareText(a, b);
}

/** A port entry as it applies to one destination pod: a named port carries the number it resolved to there. */
interface ResolvedPort {
  readonly spec: PortSpec;
  readonly number?: number;
}

/**
 * A named port means the destination pod's container port of that name (for ingress and for
 * egress alike). undefined: the destination declares no such port, so the entry allows nothing
 * there. Stand-in pods, whose containers we cannot see, keep the name unresolved.
 */
function resolveNamed(spec: PortSpec, destination: readonly ContainerPort[] | undefined): ResolvedPort | undefined {
  if (spec.kind !== 'named' || destination === undefined) return { spec };
  const declared = destination.find((port) => port.name === spec.name && port.protocol === spec.protocol);
  return declared ? { spec, number: declared.port } : undefined;
}

function numberSpan(port: ResolvedPort): { first: number; last: number } | undefined {
  if (port.spec.kind === 'range') return port.spec;
  return port.number !== undefined ? { first: port.number, last: port.number } : undefined;
}

/** The ports both an egress and an ingress entry allow towards `destination`, or undefined when none. */
export function intersectPorts(
  egress: PortSpec,
  ingress: PortSpec,
  destination: readonly ContainerPort[] | undefined,
): PortSpec | undefined {
  const a = resolveNamed(egress, destination);
  const b = resolveNamed(ingress, destination);
  if (!a || !b) return undefined;
  const specA = a.spec;
  const specB = b.spec;
  if (specA.kind === 'all') return specB;
  if (specB.kind === 'all') return specA;
  if (specA.protocol !== specB.protocol) return undefined;
  if (specA.kind === 'protocol') return specB;
  if (specB.kind === 'protocol') return specA;
  // Named against named: the same name (resolved on the same pod, so to the same number).
  if (specA.kind === 'named' && specB.kind === 'named') return specA.name === specB.name ? specA : undefined;
  // Numbers against numbers; a named port counts as the number it resolved to (reported as the number).
  const spanA = numberSpan(a);
  const spanB = numberSpan(b);
  if (!spanA || !spanB) return undefined;
  const first = Math.max(spanA.first, spanB.first);
  const last = Math.min(spanA.last, spanB.last);
  return first <= last ? { kind: 'range', protocol: specA.protocol, first, last } : undefined;
}
