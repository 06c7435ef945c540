/**
 * The one reader of NetworkPolicies: every policy the stacks declare, as typed resources
 * (`kubernetes_network_policy(_v1)`, snake_case) or as `networking.k8s.io` manifests
 * (camelCase), in one typed shape. The reachability engine evaluates these; the NET and LOG
 * rules judge how they are written.
 */
import { field, integerOf } from '../fields';
import { selectorOf, type LabelSelector } from '../label-selectors';
import { manifests } from '../manifests';
import { NETWORK_POLICY_TYPES } from '../resource-types';
import {
  block,
  blocks,
  metadataOf,
  namespaceOf,
  resources,
  stringMap,
  strings,
  type JsonObject,
  type ResourceView,
  type SynthesizedStack,
} from '../terraform-json';
import { ALL, type PortSpec } from './ports';

export type PolicyPeer =
  | { readonly kind: 'pods'; readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector }
  | { readonly kind: 'ipBlock'; readonly cidr?: string; readonly except: readonly string[] }
  /** A peer with no selector and no ipBlock is invalid; it matches nothing. */
  | { readonly kind: 'nothing' };

export interface PolicyRule {
  /** Empty: no `from`/`to` (or an empty list), i.e. every peer, outside included. */
  readonly peers: readonly PolicyPeer[];
  /** What the rule's `ports` allow: [ALL] without `ports`; entries that name no port are left out. */
  readonly ports: readonly PortSpec[];
}

export type Direction = 'ingress' | 'egress';

export interface NetworkPolicyView {
  /** The resource that declares it (its Terraform address). */
  readonly address: string;
  /** As written, a reference to a namespace of the stacks resolved to its name; undefined when absent or empty. */
  readonly namespace: string | undefined;
  /** undefined: absent, which selects every pod of the namespace, as an empty selector does. */
  readonly podSelector: LabelSelector | undefined;
  /** `policy_types` as written (possibly empty). */
  readonly policyTypes: readonly string[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  /** Its annotations as written (e.g. the transport it states). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** A NetworkPolicy port entry; protocol defaults to TCP, a missing port means every port of the protocol. */
export function portSpecOf(entry: JsonObject): PortSpec | undefined {
  const protocol = typeof entry.protocol === 'string' && entry.protocol !== '' ? entry.protocol.toUpperCase() : 'TCP';
  const port = entry.port;
  if (port === undefined || port === null || port === '') return { kind: 'protocol', protocol };
  const first = integerOf(port);
  if (first !== undefined) {
    const end = integerOf(field(entry, 'end_port'));
    return { kind: 'range', protocol, first, last: end !== undefined && end >= first ? end : first };
  }
  return typeof port === 'string' ? { kind: 'named', protocol, name: port } : undefined;
}

function peerOf(peer: JsonObject): PolicyPeer {
  const ipBlock = block(field(peer, 'ip_block'));
  if (ipBlock)
    return { kind: 'ipBlock', ...(typeof ipBlock.cidr === 'string' ? { cidr: ipBlock.cidr } : {}), except: strings(ipBlock.except) };
  const namespaceSelector = selectorOf(field(peer, 'namespace_selector'));
  const podSelector = selectorOf(field(peer, 'pod_selector'));
  if (!namespaceSelector && !podSelector) return { kind: 'nothing' };
  return { kind: 'pods', ...(namespaceSelector ? { namespaceSelector } : {}), ...(podSelector ? { podSelector } : {}) };
}

function ruleOf(rule: JsonObject, peersKey: 'from' | 'to'): PolicyRule {
  const ports = blocks(rule.ports);
  return {
    peers: blocks(rule[peersKey]).map(peerOf),
    ports: ports.length === 0 ? [ALL] : ports.map(portSpecOf).filter((spec): spec is PortSpec => spec !== undefined),
  };
}

function policyOf(address: string, namespace: string | undefined, spec: JsonObject, metadata: JsonObject): NetworkPolicyView {
  return {
    address,
    annotations: stringMap(metadata.annotations),
    namespace: namespace === '' ? undefined : namespace,
    podSelector: selectorOf(field(spec, 'pod_selector')),
    policyTypes: strings(field(spec, 'policy_types')),
    ingress: blocks(spec.ingress).map((rule) => ruleOf(rule, 'from')),
    egress: blocks(spec.egress).map((rule) => ruleOf(rule, 'to')),
  };
}

/** Whether a policy isolates its pods in a direction; policy types default as the API server sets them: Ingress always, Egress when there are egress rules. */
export function isolates(policy: NetworkPolicyView, direction: Direction): boolean {
  const types = policy.policyTypes.length > 0 ? policy.policyTypes : ['Ingress', ...(policy.egress.length > 0 ? ['Egress'] : [])];
  return types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
}

export function rulesOf(policy: NetworkPolicyView, direction: Direction): readonly PolicyRule[] {
  return direction === 'ingress' ? policy.ingress : policy.egress;
}

function manifestMetadataView(resource: ResourceView, manifest: JsonObject): ResourceView {
  return { ...resource, body: { metadata: block(manifest.metadata) ?? {} } };
}

/** The NetworkPolicies of a stack; namespace references are resolved in the stack, then in `others`. */
export function networkPolicies(stack: SynthesizedStack, others: readonly SynthesizedStack[] = []): NetworkPolicyView[] {
  const typed = resources(stack, ...NETWORK_POLICY_TYPES).map((resource) =>
    policyOf(resource.address, namespaceOf(resource, stack, others), block(resource.body.spec) ?? {}, metadataOf(resource)),
  );
  const applied = manifests(stack)
    .filter((view) => view.kind === 'NetworkPolicy' && view.group === 'networking.k8s.io')
    .map((view) =>
      policyOf(
        view.resource.address,
        namespaceOf(manifestMetadataView(view.resource, view.object), stack, others),
        block(view.object.spec) ?? {},
        block(view.object.metadata) ?? {},
      ),
    );
  return [...typed, ...applied];
}

/** `cidr` or `cidr except a, b`, as reports show an address block. */
export function rangeText(peer: Extract<PolicyPeer, { kind: 'ipBlock' }>): string {
  const cidr = peer.cidr ?? '?';
  return peer.except.length > 0 ? `${cidr} except ${peer.except.join(', ')}` : cidr;
}

/** Whether every port of a rule is DNS (53, no range beyond it). */
export function dnsOnly(rule: PolicyRule): boolean {
  return rule.ports.length > 0 && rule.ports.every((spec) => spec.kind === 'range' && spec.first === 53 && spec.last === 53);
}
