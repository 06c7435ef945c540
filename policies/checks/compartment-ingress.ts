/**
 * Who may connect into a compartment (NET-04, NET-05), asked of the reachability engine: every
 * source its namespaces' ingress policies admit, with the source's compartment read from its
 * namespace's compartment label.
 */
import { LABEL_COMPARTMENT, LABEL_WORKLOAD } from '../../model/compartments';
import { admittedSources, declaredObjects, OUTSIDE_ZONE, type PortSpec } from '../../tfjson/reachability';
import type { SynthesizedStack } from '../../tfjson/terraform-json';
import type { AuditContext, Violation } from '../rule';
import { knownNamespaces } from './namespaces';

export interface IngressSource {
  /** The compartment label of the source's namespace; `outside` for an address block; undefined when unknown. */
  readonly compartment: string | undefined;
  /** The source namespace, when it is a known or named one. */
  readonly namespace: string | undefined;
  readonly workload: string | undefined;
  /** `8008`, `9000-9100`, a port name, `all TCP`, or `all`. */
  readonly ports: readonly string[];
}

export type SourceCheck = (source: IngressSource) => string | null;

function portText(spec: PortSpec): string {
  switch (spec.kind) {
    case 'all':
      return 'all';
    case 'protocol':
      return `all ${spec.protocol}`;
    case 'range':
      return spec.first === spec.last ? String(spec.first) : `${spec.first}-${spec.last}`;
    case 'named':
      return spec.name;
  }
}

/** Whether the stack holds a namespace of the compartment, or a policy in one. */
export function holdsCompartment(stack: SynthesizedStack, context: AuditContext, compartment: string): boolean {
  const declared = declaredObjects([stack], knownNamespaces(stack, context));
  return [...declared.governed].some((zone) => declared.namespaces.get(zone)?.[LABEL_COMPARTMENT] === compartment);
}

/** Applies `check` to every source the ingress policies of the compartment's namespaces admit; one finding per policy and problem. */
export function checkIngressInto(stack: SynthesizedStack, context: AuditContext, compartment: string, check: SourceCheck): Violation[] {
  const declared = declaredObjects([stack], knownNamespaces(stack, context));
  const found = new Map<string, Violation>();
  for (const source of admittedSources(declared, (_zone, labels) => labels[LABEL_COMPARTMENT] === compartment)) {
    const outside = source.zone === OUTSIDE_ZONE;
    const problem = check({
      compartment: outside ? 'outside' : source.namespaceLabels[LABEL_COMPARTMENT],
      namespace: outside ? undefined : source.zone,
      workload: source.podSelector?.matchLabels[LABEL_WORKLOAD],
      ports: source.ports.map(portText),
    });
    if (problem) found.set(`${source.policy.address}\0${problem}`, { address: source.policy.address, message: problem });
  }
  return [...found.values()];
}
