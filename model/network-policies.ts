/**
 * Derives every NetworkPolicy of a homeserver's compartments from the flow matrix:
 * egress at the source, ingress at the destination, plus the per-namespace baseline
 * (default deny both ways, DNS-only egress). Pure data; constructs only render it.
 */
import type { KubernetesSettings } from '../config/deployment-config';
import { parseCidr } from '../config/validators';
import { homeserverNamespace, LABEL_NAMESPACE_NAME, LABEL_WORKLOAD } from './compartments';
import { DNS_LOOKUP, type FlowTransport } from './flow-transport';
import type { Flow, FlowEndpoint, OutsideEndpoint } from './flows';

export interface IpBlockPeer {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** A peer is either pods selected by namespace + labels, or an address block; never empty. */
export type PolicyPeer =
  | {
      readonly kind: 'pods';
      readonly namespaceLabels: Readonly<Record<string, string>>;
      readonly podLabels: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'ipBlock'; readonly ipBlock: IpBlockPeer };

export interface PolicyPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface PolicyRule {
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
}

export interface NetworkPolicyModel {
  readonly name: string;
  readonly namespace: string;
  /** Empty only for the namespace baseline (it must apply to every pod). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  /** Why the policy exists: the flow reason, or the baseline's purpose. */
  readonly reason: string;
  /** Whether what it admits is TLS; absent only for the default deny, which admits nothing. */
  readonly transport?: FlowTransport;
}

function ipBlocks(endpoint: OutsideEndpoint): PolicyPeer[] {
  return endpoint.cidrs.map((cidr) => {
    const outer = parseCidr(cidr);
    const family = typeof outer === 'string' ? undefined : outer.family;
    // An except entry must be of the same family as its block.
    const except = endpoint.except.filter((candidate) => {
      const parsed = parseCidr(candidate);
      return typeof parsed !== 'string' && parsed.family === family;
    });
    return { kind: 'ipBlock', ipBlock: { cidr, except } };
  });
}

/** Names the homeserver whose compartments `workload` endpoints live in (platform flows need none). */
export interface FlowOwner {
  readonly name: string;
}

/** Where an in-cluster endpoint runs: its namespace and the labels selecting its pods. */
function podsOf(
  endpoint: Exclude<FlowEndpoint, OutsideEndpoint>,
  owner: FlowOwner | undefined,
): { namespace: string; podLabels: Readonly<Record<string, string>> } {
  if (endpoint.kind === 'pods') return { namespace: endpoint.namespace, podLabels: endpoint.podLabels };
  if (!owner) throw new Error(`flow endpoint "${endpoint.workload}" is a homeserver workload but no homeserver was given`);
  return {
    namespace: homeserverNamespace(owner.name, endpoint.compartment),
    podLabels: endpoint.podLabels ?? { [LABEL_WORKLOAD]: endpoint.workload },
  };
}

function peerOf(endpoint: FlowEndpoint, owner: FlowOwner | undefined): PolicyPeer[] {
  if (endpoint.kind === 'outside') return ipBlocks(endpoint);
  const pods = podsOf(endpoint, owner);
  return [{ kind: 'pods', namespaceLabels: { [LABEL_NAMESPACE_NAME]: pods.namespace }, podLabels: pods.podLabels }];
}

/** Whether this deployment writes policies where the endpoint runs (not outside, not a site namespace). */
function isManaged(endpoint: FlowEndpoint): endpoint is Exclude<FlowEndpoint, OutsideEndpoint> {
  return endpoint.kind !== 'outside' && !(endpoint.kind === 'pods' && endpoint.managed === false);
}

/** The two policies (or one, when a side is outside the cluster or in a site namespace) that realise one flow. */
export function policiesForFlow(flow: Flow, owner?: FlowOwner): NetworkPolicyModel[] {
  const ports = [{ port: flow.port, protocol: flow.protocol }];
  const policies: NetworkPolicyModel[] = [];
  if (isManaged(flow.from)) {
    const source = podsOf(flow.from, owner);
    policies.push({
      name: `egress-${flow.id}`,
      namespace: source.namespace,
      podLabels: source.podLabels,
      policyTypes: ['Egress'],
      ingress: [],
      egress: [{ peers: peerOf(flow.to, owner), ports }],
      reason: flow.reason,
      transport: flow.transport,
    });
  }
  if (isManaged(flow.to)) {
    const destination = podsOf(flow.to, owner);
    policies.push({
      name: `ingress-${flow.id}`,
      namespace: destination.namespace,
      podLabels: destination.podLabels,
      policyTypes: ['Ingress'],
      ingress: [{ peers: peerOf(flow.from, owner), ports }],
      egress: [],
      reason: flow.reason,
      transport: flow.transport,
    });
  }
  return policies;
}

export function deriveFlowPolicies(flows: readonly Flow[], owner?: FlowOwner): NetworkPolicyModel[] {
  return flows.flatMap((flow) => policiesForFlow(flow, owner));
}

/** Default deny for both directions, and DNS to the cluster resolver only. */
export function baselinePolicies(namespace: string, dns: KubernetesSettings['dns']): NetworkPolicyModel[] {
  const dnsPeer: PolicyPeer = {
    kind: 'pods',
    namespaceLabels: { [LABEL_NAMESPACE_NAME]: dns.namespace },
    podLabels: dns.podLabels,
  };
  return [
    {
      name: 'default-deny-all',
      namespace,
      podLabels: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
      reason: 'nothing flows unless the flow matrix declares it',
    },
    {
      name: 'baseline-dns-egress',
      namespace,
      podLabels: {},
      policyTypes: ['Egress'],
      ingress: [],
      egress: [
        {
          peers: [dnsPeer],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
      reason: 'name resolution through the cluster DNS only',
      transport: DNS_LOOKUP,
    },
  ];
}
