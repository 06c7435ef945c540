/**
 * How the deployment's own files are put on loopback: the only differences from what the
 * cluster receives, kept minimal, explicit and reversible.
 *
 *  1. Mount paths. A pod sees its volumes at absolute paths (/config, /secrets/keys, /trust,
 *     /run/secrets, /media, ...). Here each pod has a directory standing in for its filesystem
 *     root, and every occurrence of one of *that workload's* mount paths (as a whole path
 *     segment) becomes `<pod root><mount path>`.
 *  2. Listen addresses. Pods have their own network; here all pods share one loopback-only
 *     network namespace, so two pods listening on the same port (Synapse main and the media
 *     worker both listen on 8008, 9093 and 9000) must bind their own loopback address instead
 *     of the wildcard. Only the literal wildcard of the listed files changes: Synapse's quoted
 *     "0.0.0.0", HAProxy's `bind :<port>` (its 8443 is also Keycloak's). Keycloak binds the
 *     wildcard by default (no option in its files names an address: its 9000 would clash with
 *     Synapse's), so its process gets its address in the environment (KC_HTTP_HOST), together
 *     with the JVM to run (JAVA_HOME: the image brings its own).
 *  3. Image paths. Keycloak's init step copies the image's distribution (/opt/keycloak) into
 *     its writable home; here that path is the cached, checksummed distribution of the same
 *     version (test/support/keycloak.ts), replaced literally like the listen address.
 *
 * Host names, ports, TLS names, secrets' contents and every other byte stay as shipped: the
 * Service names resolve inside the namespace (see sandbox.ts), and `fromLoopback` undoes both
 * substitutions exactly, which the fidelity test checks on every file.
 */
import type { HomeserverSettings } from '../../../config/deployment-config';
import { TLS_FRONT } from '../../../constructs/hardened-pod-template';
import { livekitServiceName, rtcAuthServiceName } from '../../../model/calls';
import { homeserverNamespace, type HomeserverCompartment } from '../../../model/compartments';
import { POSTGRES_SERVICES } from '../../../model/postgres';
import type { WorkloadSpec } from '../../../model/workload-spec';

export interface LoopbackMapping {
  /** The directory standing in for the pod's `/`. */
  readonly root: string;
  /** The workload's mount paths (absolute, no trailing slash). */
  readonly mountPaths: readonly string[];
  /** Literal replacements (the wildcard listen address, image paths), applied after the paths. */
  readonly listen: readonly (readonly [from: string, to: string])[];
}

/** Every path the workload's containers see a volume at: config, secrets, trust bundle, writable paths, storage. */
export function mountPathsOf(workload: WorkloadSpec): string[] {
  return [
    ...(workload.configFiles ?? []).map((files) => files.mountPath),
    ...(workload.secretMounts ?? []).map((mount) => mount.mountPath),
    ...(workload.trustBundle ? [workload.trustBundle.mountPath] : []),
    ...workload.writablePaths.map((writable) => writable.mountPath),
    ...(workload.storage ? [workload.storage.mountPath] : []),
  ];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A path starts after a delimiter (start, quote, space, `=`, `,`) and ends at a `/` or a delimiter. */
function pathPattern(paths: readonly string[]): RegExp {
  const alternatives = [...new Set(paths)].sort((a, b) => b.length - a.length).map(escape);
  return new RegExp(`(?<=^|["'\\s=,])(${alternatives.join('|')})(?=$|["'\\s,/])`, 'g');
}

export function toLoopback(text: string, mapping: LoopbackMapping): string {
  let mapped =
    mapping.mountPaths.length > 0 ? text.replace(pathPattern(mapping.mountPaths), (mountPath) => `${mapping.root}${mountPath}`) : text;
  for (const [from, to] of mapping.listen) mapped = mapped.split(from).join(to);
  return mapped;
}

/** The exact inverse of toLoopback (given that the pod root and addresses never occur in shipped files). */
export function fromLoopback(text: string, mapping: LoopbackMapping): string {
  let original = text;
  for (const [from, to] of mapping.listen) original = original.split(to).join(from);
  return original.split(mapping.root).join('');
}

/**
 * Each pod's loopback address inside the namespace (127.0.10.0/24; a pool's replicas in a /24
 * of their own, 127.0.11.0 and up); clients use 127.0.20.0/24. A pool's pods are named
 * `<pool>-<index>`, as the integration profile's replica counts (2 each) say.
 */
export const POD_ADDRESSES = {
  openldap: '127.0.10.5',
  synapse: '127.0.10.1',
  'media-repository': '127.0.10.2',
  postgres: '127.0.10.3',
  redis: '127.0.10.4',
  haproxy: '127.0.10.6',
  keycloak: '127.0.10.10',
  'event-persister-1': '127.0.10.13',
  'sync-workers-0': '127.0.11.1',
  'sync-workers-1': '127.0.11.2',
  'client-readers-0': '127.0.12.1',
  'client-readers-1': '127.0.12.2',
  // Laid out, not started by the homeserver boot (client.itest.ts runs it).
  'element-web': '127.0.10.20',
  livekit: '127.0.10.21',
  // One pod of the authorisation service stands for its replicas.
  'rtc-auth': '127.0.10.22',
} as const;

export type PodName = keyof typeof POD_ADDRESSES;

/**
 * The Services in front of several pods: an address of their own, which the network plumbing
 * forwards to one ready pod after another (kube-proxy's choice per connection).
 */
export const POOL_SERVICE_ADDRESSES = {
  'sync-workers': '127.0.10.11',
  'client-readers': '127.0.10.12',
} as const;

export type PoolName = keyof typeof POOL_SERVICE_ADDRESSES;

/** The pod names of a workload: `<pool>-<index>` for a pool, else its own name. */
export function podNamesOf(workload: WorkloadSpec): PodName[] {
  if (!(workload.name in POOL_SERVICE_ADDRESSES)) return [workload.name as PodName];
  const names = Array.from({ length: workload.replicas }, (_, index) => `${workload.name}-${index}`);
  for (const name of names) if (!(name in POD_ADDRESSES)) throw new Error(`no loopback address planned for pod ${name}`);
  return names as PodName[];
}

/** The cluster DNS stand-in listens here (HAProxy's `resolvers cluster` reads it from resolv.conf). */
export const NAMESERVER_ADDRESS = '127.0.0.53';

export function clientAddress(index: number): string {
  if (index < 0 || index > 250) throw new Error('client index out of range');
  return `127.0.20.${index + 1}`;
}

/** The address a client of the direct (gateway-bypassing) sockets comes from. */
export const DIRECT_CLIENT_ADDRESS = '127.0.30.1';

/** The wildcard of Synapse's listeners, quoted as toSynapseYaml writes every string. */
export const SYNAPSE_WILDCARD = '"0.0.0.0"';

/** Service name of each pool, as the gateway and the certificate name them. */
export function poolServiceNames(homeserver: HomeserverSettings): Record<PoolName, string> {
  const name = (service: string) => `${service}.${homeserverNamespace(homeserver.name, 'homeserver')}.svc`;
  return { 'sync-workers': name('sync-workers'), 'client-readers': name('client-readers') };
}

/** Service name of each single pod, as the rendered configs and certificates name them (a pool's pods have none of their own). */
export function serviceNames(homeserver: HomeserverSettings): Partial<Record<PodName, string>> {
  const name = (service: string, compartment: HomeserverCompartment) =>
    `${service}.${homeserverNamespace(homeserver.name, compartment)}.svc`;
  return {
    openldap: name('openldap', 'directory'),
    synapse: name('synapse', 'homeserver'),
    'media-repository': name('media-repository', 'media'),
    // The database is the operator's: clients dial its read-write Service.
    postgres: name(POSTGRES_SERVICES.readWrite, 'homeserver'),
    redis: name('redis', 'homeserver'),
    haproxy: name('haproxy', 'gateway'),
    keycloak: name('keycloak', 'identity'),
    'event-persister-1': name('event-persister-1', 'homeserver'),
    ...(homeserver.calls ? { livekit: livekitServiceName(homeserver), 'rtc-auth': rtcAuthServiceName(homeserver) } : {}),
  };
}

/** The hosts table inside the namespace: Service names and the public server name. */
export function hostsTable(homeserver: HomeserverSettings): Record<string, string> {
  const names = serviceNames(homeserver);
  const table: Record<string, string> = {};
  for (const [pod, name] of Object.entries(names) as [PodName, string][]) table[name] = POD_ADDRESSES[pod];
  for (const [pool, name] of Object.entries(poolServiceNames(homeserver)) as [PoolName, string][])
    table[name] = POOL_SERVICE_ADDRESSES[pool];
  table[homeserver.serverName.split(':')[0] ?? homeserver.serverName] = POD_ADDRESSES.haproxy;
  // The calls name is the gateway's too (the authorisation service reaches the SFU's API through it).
  if (homeserver.calls) table[homeserver.calls.hostname] = POD_ADDRESSES.haproxy;
  return table;
}

/** HAProxy's wildcard listen address, as its rendered config writes every `bind`. */
export const HAPROXY_WILDCARD = 'bind :';

/** The image directory Keycloak's init step copies from (`cp -R /opt/keycloak/. <home>/`). */
export const KEYCLOAK_IMAGE_HOME = '/opt/keycloak';

/**
 * The mapping of one pod: its mount paths under `root`; the wildcard listen address for
 * Synapse processes and HAProxy; for Keycloak, the image's distribution directory to `keycloakImageHome`
 * (the cached distribution; any path for checks that do not run it).
 */
export function loopbackMapping(
  workload: WorkloadSpec,
  root: string,
  synapseImage: string,
  keycloakImageHome?: string,
  podName: string = workload.name,
): LoopbackMapping {
  const address = POD_ADDRESSES[podName as PodName];
  if (!address) throw new Error(`no loopback address planned for workload ${workload.name}`);
  if (workload.name === 'keycloak') {
    if (!keycloakImageHome) throw new Error('the keycloak pod needs the directory standing in for the image distribution');
    return { root, mountPaths: mountPathsOf(workload), listen: [[KEYCLOAK_IMAGE_HOME, keycloakImageHome]] };
  }
  if (workload.name === 'haproxy') return { root, mountPaths: mountPathsOf(workload), listen: [[HAPROXY_WILDCARD, `bind ${address}:`]] };
  return { root, mountPaths: mountPathsOf(workload), listen: workload.image === synapseImage ? [[SYNAPSE_WILDCARD, `"${address}"`]] : [] };
}

/**
 * The mapping of a workload's TLS front (a container of its own, beside the program, under the
 * same pod root: their mount paths do not overlap): its config and certificate mounts, and its
 * wildcard `bind :8443` to the pod's address, as for the gateway.
 */
export function tlsFrontMapping(workload: WorkloadSpec, root: string, podName: string = workload.name): LoopbackMapping {
  const address = POD_ADDRESSES[podName as PodName];
  if (!address) throw new Error(`no loopback address planned for workload ${workload.name}`);
  if (!workload.tlsFront) throw new Error(`${workload.name} has no TLS front`);
  return {
    root,
    mountPaths: [TLS_FRONT.configDirectory, TLS_FRONT.certificateDirectory],
    listen: [[HAPROXY_WILDCARD, `bind ${address}:`]],
  };
}
