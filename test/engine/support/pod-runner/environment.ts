/**
 * A container's environment as the kubelet builds it: the `kubernetes` Service variables,
 * envFrom, then env in order (values, the downward API, Secret and ConfigMap keys), with
 * `$(NAME)` references expanded against what is defined before them; and the command line
 * with the same expansion.
 */
import type { KubeClient, KubeObject } from '../kube-client';
import type { Container, Pod } from './pod-types';
import { VolumeNotReady } from './volumes';

export interface PodAddresses {
  readonly podIP: string;
  readonly hostIP: string;
  /** How pods reach the API server (the `kubernetes` Service's endpoint here). */
  readonly apiServerHost: string;
  readonly apiServerPort: number;
}

/** `$(NAME)` → its value when defined; `$$(NAME)` → the literal `$(NAME)`; anything else stays. */
export function expandReferences(text: string, defined: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && defined.has(name) ? (defined.get(name) ?? '') : match;
  });
}

function fieldValue(pod: Pod, fieldPath: string, addresses: PodAddresses): string {
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath)?.[1];
  if (annotation !== undefined) return pod.metadata.annotations?.[annotation] ?? '';
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath)?.[1];
  if (label !== undefined) return pod.metadata.labels?.[label] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return addresses.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return addresses.hostIP;
    default:
      throw new Error(`downward API field "${fieldPath}" is not served by the pod runner`);
  }
}

const BINARY_SI: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  m: 1e-3,
  '': 1,
};

function quantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(text);
  const unit = match ? BINARY_SI[match[2] ?? ''] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

/** limits.memory and friends, as whole units of the divisor (rounded up, like the kubelet). */
function resourceValue(container: Container, resource: string, divisor: string | undefined): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const value = quantity(container.resources?.[kind]?.[name]);
  if (value === undefined) throw new Error(`container "${container.name}": resource ${resource} is not set`);
  return String(Math.ceil(value / (quantity(divisor ?? '1') ?? 1)));
}

export async function containerEnvironment(
  kube: KubeClient,
  pod: Pod,
  container: Container,
  addresses: PodAddresses,
): Promise<Map<string, string>> {
  const namespace = pod.metadata.namespace;
  const cache = new Map<string, Readonly<Record<string, string>> | undefined>();
  const read = async (kind: 'secrets' | 'configmaps', name: string): Promise<Readonly<Record<string, string>> | undefined> => {
    const key = `${kind}/${name}`;
    if (!cache.has(key)) {
      const object = await kube.get<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/${kind}/${name}`);
      const data = object?.data;
      cache.set(
        key,
        data && kind === 'secrets'
          ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
          : data,
      );
    }
    return cache.get(key);
  };

  const environment = new Map<string, string>([
    ['KUBERNETES_SERVICE_HOST', addresses.apiServerHost],
    ['KUBERNETES_SERVICE_PORT', String(addresses.apiServerPort)],
    ['KUBERNETES_SERVICE_PORT_HTTPS', String(addresses.apiServerPort)],
    ['KUBERNETES_PORT', `tcp://${addresses.apiServerHost}:${addresses.apiServerPort}`],
  ]);
  for (const source of container.envFrom ?? []) {
    const reference = source.configMapRef ?? source.secretRef;
    if (!reference) continue;
    const data = await read(source.configMapRef ? 'configmaps' : 'secrets', reference.name);
    if (!data && !reference.optional) throw new VolumeNotReady(`envFrom: ${reference.name} not found`);
    for (const [key, value] of Object.entries(data ?? {})) environment.set(`${source.prefix ?? ''}${key}`, value);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      environment.set(variable.name, expandReferences(variable.value ?? '', environment));
    } else if (from.fieldRef) {
      environment.set(variable.name, fieldValue(pod, from.fieldRef.fieldPath, addresses));
    } else if (from.resourceFieldRef) {
      const target =
        [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
          (candidate) => candidate.name === (from.resourceFieldRef?.containerName ?? container.name),
        ) ?? container;
      environment.set(variable.name, resourceValue(target, from.resourceFieldRef.resource, from.resourceFieldRef.divisor));
    } else {
      const reference = from.secretKeyRef ?? from.configMapKeyRef;
      if (!reference) continue;
      const value = (await read(from.secretKeyRef ? 'secrets' : 'configmaps', reference.name))?.[reference.key];
      if (value === undefined) {
        if (reference.optional) continue;
        throw new VolumeNotReady(`env ${variable.name}: ${reference.name}/${reference.key} not found`);
      }
      environment.set(variable.name, value);
    }
  }
  return environment;
}
