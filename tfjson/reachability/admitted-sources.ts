/**
 * Who may connect into a namespace, as its ingress policies write it: each source a rule
 * admits (a namespace of the cluster, `outside` for address blocks) with the pods and ports,
 * judged on the receiving side alone (what the receiver lets in, whatever senders' egress says).
 * Namespace selectors are resolved against the namespaces the view knows (declared, pinned by
 * name, or known from elsewhere), with their labels.
 */
import { LABEL_NAMESPACE_NAME } from '../../model/compartments';
import { selects, witnessLabels, type Labels, type LabelSelector } from '../label-selectors';
import { zonesOf, type Declared, type ZonedPolicy } from './cluster-objects';
import type { PolicyPeer } from './network-policies';
import type { PortSpec } from './ports';
import { OUTSIDE_ZONE } from './zones';

export interface AdmittedSource {
  /** The policy whose ingress rule admits it. */
  readonly policy: ZonedPolicy;
  /** The source's namespace, OUTSIDE_ZONE for an address block; undefined when no namespace the view knows matches the selector. */
  readonly zone: string | undefined;
  /** That namespace's labels, as far as known (for an unknown namespace: the labels the selector requires). */
  readonly namespaceLabels: Labels;
  /** The pods admitted there; undefined: every pod. */
  readonly podSelector?: LabelSelector;
  readonly ports: readonly PortSpec[];
}

type Source = Pick<AdmittedSource, 'zone' | 'namespaceLabels' | 'podSelector'>;

function sourcesOf(peer: PolicyPeer, policy: ZonedPolicy, zones: ReadonlyMap<string, Labels>): Source[] {
  if (peer.kind === 'nothing') return [];
  if (peer.kind === 'ipBlock') return [{ zone: OUTSIDE_ZONE, namespaceLabels: {} }];
  const pods = peer.podSelector ? { podSelector: peer.podSelector } : {};
  const selector = peer.namespaceSelector;
  if (!selector)
    return [{ zone: policy.zone, namespaceLabels: zones.get(policy.zone) ?? { [LABEL_NAMESPACE_NAME]: policy.zone }, ...pods }];
  const matched = [...zones].filter(([, labels]) => selects(selector, labels));
  if (matched.length > 0) return matched.map(([zone, namespaceLabels]) => ({ zone, namespaceLabels, ...pods }));
  const witness = witnessLabels(selector);
  return witness ? [{ zone: undefined, namespaceLabels: witness, ...pods }] : [];
}

/** The sources the ingress rules of the policies in the chosen namespaces admit; a rule without peers admits every namespace and outside. */
export function admittedSources(declared: Declared, into: (zone: string, labels: Labels) => boolean): AdmittedSource[] {
  const zones = zonesOf(declared);
  const everyone: Source[] = [
    { zone: OUTSIDE_ZONE, namespaceLabels: {} },
    ...[...zones].map(([zone, namespaceLabels]) => ({ zone, namespaceLabels })),
  ];
  return declared.policies
    .filter((policy) => into(policy.zone, zones.get(policy.zone) ?? {}))
    .flatMap((policy) =>
      policy.ingress.flatMap((rule) => {
        const sources = rule.peers.length === 0 ? everyone : rule.peers.flatMap((peer) => sourcesOf(peer, policy, zones));
        return sources.map((source) => ({ policy, ...source, ports: rule.ports }));
      }),
    );
}
