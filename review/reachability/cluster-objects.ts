/** What the stacks declare: namespaces, pods, policies; plus the zones and stand-in pods they imply. */
import { LABEL_NAMESPACE_NAME } from '../../model/compartments';
import { block, blocks, metadataOf, namespaceOf, podSpecs, resources, stringMap, type JsonObject, type ResourceView, type SynthesizedStack } from '../../policies/terraform-json';
import { compareText } from './compare-text';
import { field, integerOf, strings } from './fields';
import { EVERYTHING, pinnedNamespaceNames, selectorOf, selects, witnessLabels, type LabelSelector, type Labels } from './label-selectors';
import { ALL, portSpecOf, type ContainerPort, type PortSpec } from './ports';
import { ANY_NAMESPACE_ZONE } from './zones';

const NAMESPACE_TYPES = ['kubernetes_namespace_v1', 'kubernetes_namespace'];
const NETWORK_POLICY_TYPES = ['kubernetes_network_policy_v1', 'kubernetes_network_policy'];
const MANIFEST_TYPE = 'kubernetes_manifest';
/** Manifest kinds whose pods are described by `spec.template`. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

export type PolicyPeer =
  | { readonly kind: 'pods'; readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector }
  | { readonly kind: 'ipBlock'; readonly range: string }
  /** A peer with no selector and no ipBlock is invalid; it matches nothing. */
  | { readonly kind: 'nothing' };

interface PolicyRule {
  /** undefined: no `from`/`to` (or an empty list), i.e. every peer including outside. */
  readonly peers?: readonly PolicyPeer[];
  readonly ports: readonly PortSpec[];
}

export interface NetworkPolicy {
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  /** undefined: the policy does not isolate that direction (not in its policy types). */
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

export interface Pod {
  readonly zone: string;
  readonly labels: Labels;
  /** undefined: a stand-in for pods whose containers we cannot see (e.g. chart pods). */
  readonly ports?: readonly ContainerPort[];
}

function peerOf(peer: JsonObject): PolicyPeer {
  const ipBlock = block(field(peer, 'ip_block'));
  if (ipBlock) {
    const cidr = typeof ipBlock.cidr === 'string' ? ipBlock.cidr : '?';
    const except = strings(ipBlock.except);
    return { kind: 'ipBlock', range: except.length > 0 ? `${cidr} except ${except.join(', ')}` : cidr };
  }
  const namespaceSelector = selectorOf(field(peer, 'namespace_selector'));
  const podSelector = selectorOf(field(peer, 'pod_selector'));
  if (!namespaceSelector && !podSelector) return { kind: 'nothing' };
  return { kind: 'pods', ...(namespaceSelector ? { namespaceSelector } : {}), ...(podSelector ? { podSelector } : {}) };
}

function ruleOf(rule: JsonObject, peersKey: 'from' | 'to'): PolicyRule {
  const peers = blocks(rule[peersKey]);
  const ports = blocks(rule.ports);
  const specs = ports.length === 0 ? [ALL] : ports.map(portSpecOf).filter((spec): spec is PortSpec => spec !== undefined);
  return { ...(peers.length > 0 ? { peers: peers.map(peerOf) } : {}), ports: specs };
}

/** Policy types default as the API server does: Ingress always, Egress when there are egress rules. */
function networkPolicyOf(spec: JsonObject, namespace: string): NetworkPolicy {
  const ingress = blocks(spec.ingress).map((rule) => ruleOf(rule, 'from'));
  const egress = blocks(spec.egress).map((rule) => ruleOf(rule, 'to'));
  const declared = strings(field(spec, 'policy_types'));
  const types = declared.length > 0 ? declared : ['Ingress', ...(egress.length > 0 ? ['Egress'] : [])];
  return {
    namespace,
    // A policy without a pod selector applies to every pod of its namespace (an empty selector).
    podSelector: selectorOf(field(spec, 'pod_selector')) ?? EVERYTHING,
    ...(types.includes('Ingress') ? { ingress } : {}),
    ...(types.includes('Egress') ? { egress } : {}),
  };
}

function containerPortsOf(containers: readonly JsonObject[]): ContainerPort[] {
  return containers.flatMap((container) =>
    [...blocks(container.port), ...blocks(container.ports)].flatMap((entry) => {
      const port = integerOf(field(entry, 'container_port'));
      if (port === undefined) return [];
      const protocol = typeof entry.protocol === 'string' && entry.protocol !== '' ? entry.protocol.toUpperCase() : 'TCP';
      return [{ ...(typeof entry.name === 'string' && entry.name !== '' ? { name: entry.name } : {}), port, protocol }];
    }),
  );
}

/** Labels of the pods a controller resource creates (its pod template's, or the pod's own). */
function podTemplateLabels(resource: ResourceView): Labels {
  if (resource.type.startsWith('kubernetes_pod')) return stringMap(metadataOf(resource).labels);
  const spec = block(resource.body.spec);
  const template = resource.type.startsWith('kubernetes_cron_job') ? block(block(block(spec?.job_template)?.spec)?.template) : block(spec?.template);
  return stringMap(block(template?.metadata)?.labels);
}

const NAMESPACE_REFERENCE = /^\$\{(kubernetes_namespace(?:_v1)?)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/;

/** The namespace of a resource; references namespaceOf cannot resolve in its own stack are looked up in the others. */
function namespaceIn(resource: ResourceView, stack: SynthesizedStack, stacks: readonly SynthesizedStack[]): string {
  const value = namespaceOf(resource, stack);
  if (value === undefined || value === '') return 'default';
  const reference = NAMESPACE_REFERENCE.exec(value);
  if (!reference) return value;
  for (const other of stacks) {
    const target = other.json.resource?.[reference[1] ?? '']?.[reference[2] ?? ''];
    const name = target ? block(target.metadata)?.name : undefined;
    if (typeof name === 'string') return name;
  }
  return value;
}

interface Declared {
  /** Declared namespaces and their labels (including the name label the API server adds). */
  readonly namespaces: Map<string, Labels>;
  /** Namespaces the stacks declare or hold policies or workloads in: their policies are known. */
  readonly governed: Set<string>;
  readonly policies: NetworkPolicy[];
  readonly workloads: Pod[];
}

function manifestMetadataView(resource: ResourceView, manifest: JsonObject): ResourceView {
  return { ...resource, body: { metadata: block(manifest.metadata) ?? {} } };
}

export function declaredObjects(stacks: readonly SynthesizedStack[]): Declared {
  const declared: Declared = { namespaces: new Map(), governed: new Set(), policies: [], workloads: [] };
  const declareNamespace = (metadata: JsonObject) => {
    if (typeof metadata.name !== 'string') return;
    declared.namespaces.set(metadata.name, { ...stringMap(metadata.labels), [LABEL_NAMESPACE_NAME]: metadata.name });
    declared.governed.add(metadata.name);
  };
  const addPolicy = (spec: JsonObject, namespace: string) => {
    declared.policies.push(networkPolicyOf(spec, namespace));
    declared.governed.add(namespace);
  };
  const addWorkload = (namespace: string, labels: Labels, containers: readonly JsonObject[]) => {
    declared.workloads.push({ zone: namespace, labels, ports: containerPortsOf(containers) });
    declared.governed.add(namespace);
  };
  for (const stack of stacks) {
    for (const resource of resources(stack, ...NAMESPACE_TYPES)) declareNamespace(metadataOf(resource));
    for (const resource of resources(stack, ...NETWORK_POLICY_TYPES)) addPolicy(block(resource.body.spec) ?? {}, namespaceIn(resource, stack, stacks));
    for (const view of podSpecs(stack)) addWorkload(namespaceIn(view.resource, stack, stacks), podTemplateLabels(view.resource), view.containers);
    for (const resource of resources(stack, MANIFEST_TYPE)) {
      const manifest = block(resource.body.manifest);
      if (!manifest || typeof manifest.kind !== 'string') continue;
      const namespace = () => namespaceIn(manifestMetadataView(resource, manifest), stack, stacks);
      const spec = block(manifest.spec);
      if (manifest.kind === 'Namespace') declareNamespace(block(manifest.metadata) ?? {});
      else if (manifest.kind === 'NetworkPolicy' && typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith('networking.k8s.io/')) addPolicy(spec ?? {}, namespace());
      else if (manifest.kind === 'Pod') addWorkload(namespace(), stringMap(block(manifest.metadata)?.labels), [...blocks(spec?.containers), ...blocks(spec?.initContainers)]);
      else if (TEMPLATE_KINDS.has(manifest.kind) || manifest.kind === 'CronJob') {
        const template = manifest.kind === 'CronJob' ? block(block(block(spec?.jobTemplate)?.spec)?.template) : block(spec?.template);
        const podSpec = block(template?.spec);
        addWorkload(namespace(), stringMap(block(template?.metadata)?.labels), [...blocks(podSpec?.containers), ...blocks(podSpec?.initContainers)]);
      }
    }
  }
  return declared;
}

function activeRules(policy: NetworkPolicy): PolicyRule[] {
  return [...(policy.ingress ?? []), ...(policy.egress ?? [])];
}

/**
 * Every zone with its labels: declared namespaces, namespaces holding policies or workloads,
 * namespaces pinned by name in selectors, and the stand-in for any other namespace.
 */
export function zonesOf(declared: Declared): Map<string, Labels> {
  const zones = new Map<string, Labels>(declared.namespaces);
  for (const name of declared.governed) if (!zones.has(name)) zones.set(name, { [LABEL_NAMESPACE_NAME]: name });
  for (const policy of declared.policies) {
    for (const rule of activeRules(policy)) {
      for (const peer of rule.peers ?? []) {
        if (peer.kind !== 'pods' || !peer.namespaceSelector) continue;
        const selector = peer.namespaceSelector;
        for (const name of pinnedNamespaceNames(selector)) {
          if (zones.has(name)) continue;
          const labels = { ...witnessLabels(selector), [LABEL_NAMESPACE_NAME]: name };
          if (selects(selector, labels)) zones.set(name, labels);
        }
      }
    }
  }
  // Only its name label is known, so it matches empty, NotIn and DoesNotExist selectors.
  zones.set(ANY_NAMESPACE_ZONE, { [LABEL_NAMESPACE_NAME]: ANY_NAMESPACE_ZONE });
  return zones;
}

/**
 * The declared workloads, plus stand-in pods for those the stacks do not show: one per policy
 * pod selector that selects no declared workload of its namespace (chart pods), one per peer
 * pod selector aimed at a namespace without declared workloads (charts' namespaces, namespaces
 * only named by selectors, e.g. the cluster DNS), and an unlabelled one for "other pods" in
 * namespaces whose policies are unknown or that would otherwise have no pod at all.
 */
export function podsOf(declared: Declared, zones: ReadonlyMap<string, Labels>): Pod[] {
  const pods: Pod[] = [...declared.workloads];
  const withWorkloads = new Set(declared.workloads.map((pod) => pod.zone));
  const standIns = new Set<string>();
  const addStandIn = (zone: string, selector: LabelSelector) => {
    if (declared.workloads.some((pod) => pod.zone === zone && selects(selector, pod.labels))) return;
    const labels = witnessLabels(selector);
    if (!labels) return;
    const key = `${zone}\0${JSON.stringify(Object.entries(labels).sort(([a], [b]) => compareText(a, b)))}`;
    if (standIns.has(key)) return;
    standIns.add(key);
    pods.push({ zone, labels });
  };
  for (const policy of declared.policies) {
    addStandIn(policy.namespace, policy.podSelector);
    for (const rule of activeRules(policy)) {
      for (const peer of rule.peers ?? []) {
        if (peer.kind !== 'pods' || !peer.podSelector) continue;
        const { namespaceSelector, podSelector } = peer;
        const targets = namespaceSelector ? [...zones].filter(([, labels]) => selects(namespaceSelector, labels)).map(([name]) => name) : [policy.namespace];
        for (const zone of targets) if (!withWorkloads.has(zone)) addStandIn(zone, podSelector);
      }
    }
  }
  for (const zone of zones.keys()) {
    if (!declared.governed.has(zone) || !pods.some((pod) => pod.zone === zone)) addStandIn(zone, EVERYTHING);
  }
  return pods;
}
