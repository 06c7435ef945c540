/** What the stacks declare: namespaces, pods, policies; plus the zones and stand-in pods they imply. */
import { LABEL_NAMESPACE_NAME } from '../../model/compartments';
import { field, integerOf } from '../fields';
import { EVERYTHING, pinnedNamespaceNames, selects, witnessLabels, type Labels, type LabelSelector } from '../label-selectors';
import { manifests } from '../manifests';
import { declaredNamespaces } from '../namespaces';
import { podLabelsOf, podSpecs } from '../pod-specs';
import { block, blocks, namespaceOf, stringMap, type JsonObject, type ResourceView, type SynthesizedStack } from '../terraform-json';
import { compareText } from './compare-text';
import { isolates, networkPolicies, rulesOf, type NetworkPolicyView, type PolicyRule } from './network-policies';
import type { ContainerPort } from './ports';
import { ANY_NAMESPACE_ZONE } from './zones';

/** Manifest kinds whose pods are described by `spec.template`. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

/** A policy placed in its zone (a resource without a namespace lands in `default`). */
export interface ZonedPolicy extends NetworkPolicyView {
  readonly zone: string;
}

export interface Pod {
  readonly zone: string;
  readonly labels: Labels;
  /** undefined: a stand-in for pods whose containers we cannot see (e.g. chart pods). */
  readonly ports?: readonly ContainerPort[];
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

const zoneOf = (namespace: string | undefined): string => (namespace === undefined || namespace === '' ? 'default' : namespace);

export interface Declared {
  /** Known namespaces and their labels (including the name label the API server adds). */
  readonly namespaces: Map<string, Labels>;
  /** Namespaces the stacks declare or hold policies or workloads in: their policies are known. */
  readonly governed: Set<string>;
  readonly policies: ZonedPolicy[];
  readonly workloads: Pod[];
}

function manifestMetadataView(resource: ResourceView, manifest: JsonObject): ResourceView {
  return { ...resource, body: { metadata: block(manifest.metadata) ?? {} } };
}

/**
 * The objects of the stacks. `known` adds namespaces declared elsewhere (another stack of the
 * deployment, the site facts): their labels are known, their policies are not.
 */
export function declaredObjects(stacks: readonly SynthesizedStack[], known: ReadonlyMap<string, Labels> = new Map()): Declared {
  const declared = declaredNamespaces(stacks);
  const namespaces = new Map<string, Labels>(known);
  for (const [name, labels] of declared) namespaces.set(name, labels);
  const result: Declared = { namespaces, governed: new Set(declared.keys()), policies: [], workloads: [] };
  const addWorkload = (namespace: string | undefined, labels: Labels, containers: readonly JsonObject[]) => {
    result.workloads.push({ zone: zoneOf(namespace), labels, ports: containerPortsOf(containers) });
    result.governed.add(zoneOf(namespace));
  };
  for (const stack of stacks) {
    for (const policy of networkPolicies(stack, stacks)) {
      result.policies.push({ ...policy, zone: zoneOf(policy.namespace) });
      result.governed.add(zoneOf(policy.namespace));
    }
    for (const view of podSpecs(stack)) addWorkload(namespaceOf(view.resource, stack, stacks), podLabelsOf(view.resource), view.containers);
    for (const view of manifests(stack)) {
      const namespace = () => namespaceOf(manifestMetadataView(view.resource, view.object), stack, stacks);
      const spec = block(view.object.spec);
      if (view.kind === 'Pod')
        addWorkload(namespace(), stringMap(block(view.object.metadata)?.labels), [
          ...blocks(spec?.containers),
          ...blocks(spec?.initContainers),
        ]);
      else if (TEMPLATE_KINDS.has(view.kind) || view.kind === 'CronJob') {
        const template = view.kind === 'CronJob' ? block(block(block(spec?.jobTemplate)?.spec)?.template) : block(spec?.template);
        const podSpec = block(template?.spec);
        addWorkload(namespace(), stringMap(block(template?.metadata)?.labels), [
          ...blocks(podSpec?.containers),
          ...blocks(podSpec?.initContainers),
        ]);
      }
    }
  }
  return result;
}

/** The rules of the directions a policy isolates (the others do not apply). */
function activeRules(policy: NetworkPolicyView): PolicyRule[] {
  return [
    ...(isolates(policy, 'ingress') ? rulesOf(policy, 'ingress') : []),
    ...(isolates(policy, 'egress') ? rulesOf(policy, 'egress') : []),
  ];
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
      for (const peer of rule.peers) {
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
    addStandIn(policy.zone, policy.podSelector ?? EVERYTHING);
    for (const rule of activeRules(policy)) {
      for (const peer of rule.peers) {
        if (peer.kind !== 'pods' || !peer.podSelector) continue;
        const { namespaceSelector, podSelector } = peer;
        const targets = namespaceSelector
          ? [...zones].filter(([, labels]) => selects(namespaceSelector, labels)).map(([name]) => name)
          : [policy.zone];
        for (const zone of targets) if (!withWorkloads.has(zone)) addStandIn(zone, podSelector);
      }
    }
  }
  for (const zone of zones.keys()) {
    if (!declared.governed.has(zone) || !pods.some((pod) => pod.zone === zone)) addStandIn(zone, EVERYTHING);
  }
  return pods;
}
