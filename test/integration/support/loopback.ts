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

/** Each pod's loopback address inside the namespace (127.0.10.0/24); clients use 127.0.20.0/24. */
export const POD_ADDRESSES = {
  openldap: '127.0.10.5',
  synapse: '127.0.10.1',
  'media-repository': '127.0.10.2',
  postgres: '127.0.10.3',
  redis: '127.0.10.4',
  haproxy: '127.0.10.6',
  keycloak: '127.0.10.10',
} as const;

export type PodName = keyof typeof POD_ADDRESSES;

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

/** Service name of each pod, as the rendered configs and certificates name them. */
export function serviceNames(homeserver: HomeserverSettings): Record<PodName, string> {
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
  };
}

/** The hosts table inside the namespace: Service names and the public server name. */
export function hostsTable(homeserver: HomeserverSettings): Record<string, string> {
  const names = serviceNames(homeserver);
  const table: Record<string, string> = {};
  for (const pod of Object.keys(POD_ADDRESSES) as PodName[]) table[names[pod]] = POD_ADDRESSES[pod];
  table[homeserver.serverName.split(':')[0] ?? homeserver.serverName] = POD_ADDRESSES.haproxy;
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
export function loopbackMapping(workload: WorkloadSpec, root: string, synapseImage: string, keycloakImageHome?: string): LoopbackMapping {
  const address = POD_ADDRESSES[workload.name as PodName];
  if (!address) throw new Error(`no loopback address planned for workload ${workload.name}`);
  if (workload.name === 'keycloak') {
    if (!keycloakImageHome) throw new Error('the keycloak pod needs the directory standing in for the image distribution');
    return { root, mountPaths: mountPathsOf(workload), listen: [[KEYCLOAK_IMAGE_HOME, keycloakImageHome]] };
  }
  if (workload.name === 'haproxy') return { root, mountPaths: mountPathsOf(workload), listen: [[HAPROXY_WILDCARD, `bind ${address}:`]] };
  return { root, mountPaths: mountPathsOf(workload), listen: workload.image === synapseImage ? [[SYNAPSE_WILDCARD, `"${address}"`]] : [] };
}
