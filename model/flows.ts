/**
 * The flow matrix: every connection a homeserver's compartments may make, declared once.
 * Network policies on both sides are derived from it (network-policies.ts), and the
 * reviewer's reachability matrix must equal it.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { cidrContains, parseCidr } from '../config/validators';
import { BACKUP_PORT, backupStoreEndpoint } from './backup-store';
import { CALLS_TLS_PORT, LIVEKIT_WORKLOAD, mediaPorts, RTC_AUTH_WORKLOAD } from './calls';
import { ELEMENT_HTTPS_PORT, ELEMENT_WORKLOAD } from './client';
import type { HomeserverCompartment } from './compartments';
import { METRICS_SCRAPE, TLS, WEBRTC, type FlowTransport } from './flow-transport';
import { KEYCLOAK_HTTPS_PORT, KEYCLOAK_WORKLOAD } from './identity';
import { PROMETHEUS_ENDPOINT_NAME, scrapeTargets } from './monitoring';
import { platformPod, podsEndpoint } from './platform';
import { POSTGRES_CLUSTER_NAME, POSTGRES_POD_SELECTOR, POSTGRES_STATUS_PORT } from './postgres';
import { homeserverStoreBackups } from './store-backups';
import { synapseProcesses } from './synapse-processes';
import { GATEWAY_HTTPS_PORT, LDAPS_PORT, POSTGRES_SERVICE_PORT, REDIS_SERVICE_PORT, SYNAPSE_PORTS } from './workload-spec';

export interface WorkloadEndpoint {
  readonly kind: 'workload';
  readonly compartment: HomeserverCompartment;
  readonly workload: string;
  /** The labels selecting its pods when an operator runs them; default: the workload label. */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Addresses outside the cluster; `except` is carved out of `cidrs` (same address family). */
export interface OutsideEndpoint {
  readonly kind: 'outside';
  readonly description: string;
  readonly cidrs: readonly string[];
  readonly except: readonly string[];
}

/** Pods selected by labels in a named namespace: the platform charts' pods, labelled by their charts. */
export interface PodsEndpoint {
  readonly kind: 'pods';
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * false: the namespace belongs to the site (e.g. its Prometheus), not to this deployment, so
   * no policy is written there; only the side in our namespaces is derived. Default: true.
   */
  readonly managed?: boolean;
}

export type FlowEndpoint = WorkloadEndpoint | PodsEndpoint | OutsideEndpoint;

export interface Flow {
  /** Stable id, used in policy names and reports, e.g. `keycloak-to-openldap-ldaps`. */
  readonly id: string;
  readonly from: FlowEndpoint;
  readonly to: FlowEndpoint;
  /** Destination port as seen by the destination pod (container port), or the remote port outside. */
  readonly port: number;
  readonly portName: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly reason: string;
  readonly transport: FlowTransport;
}

const workload = (compartment: HomeserverCompartment, name: string): WorkloadEndpoint =>
  name === POSTGRES_CLUSTER_NAME && compartment === 'homeserver'
    ? // The database's pods are the operator's: instances and its Jobs alike carry its cluster label.
      { kind: 'workload', compartment, workload: name, podLabels: POSTGRES_POD_SELECTOR }
    : { kind: 'workload', compartment, workload: name };

function endpointName(endpoint: FlowEndpoint): string {
  return endpoint.kind === 'workload' ? endpoint.workload : endpoint.kind === 'pods' ? endpoint.name : 'outside';
}

function flow(from: FlowEndpoint, to: FlowEndpoint, port: { name: string; containerPort: number }, reason: string): Flow {
  return {
    id: `${endpointName(from)}-to-${endpointName(to)}-${port.name}`,
    from,
    to,
    port: port.containerPort,
    portName: port.name,
    protocol: 'TCP',
    reason,
    transport: from.kind === 'pods' && from.name === PROMETHEUS_ENDPOINT_NAME ? METRICS_SCRAPE : TLS,
  };
}

/** The cluster and metadata ranges inside each outside range: traffic there is never "outside". */
export function carveOuts(cidrs: readonly string[], config: DeploymentConfig): string[] {
  const { podCidrs, serviceCidrs, nodeCidrs, metadataCidrs } = config.kubernetes;
  const reserved = [...metadataCidrs, ...podCidrs, ...serviceCidrs, ...nodeCidrs];
  const carved = new Set<string>();
  for (const range of cidrs) {
    const outer = parseCidr(range);
    if (typeof outer === 'string') continue;
    for (const candidate of reserved) {
      const inner = parseCidr(candidate);
      if (typeof inner !== 'string' && cidrContains(outer, inner) && inner.prefix > outer.prefix) carved.add(candidate);
    }
  }
  return [...carved];
}

/** Federation listens on 8448 by default and on 443 when delegated through `.well-known`. */
const FEDERATION_PORTS = [
  { name: 'federation', containerPort: 8448 },
  { name: 'https', containerPort: 443 },
] as const;

/**
 * What the CloudNativePG cluster needs beyond its clients: its instances replicate to each other,
 * the operator polls each instance's status endpoint, each instance manager talks to the API
 * server, and the backup sidecar writes to the declared object store.
 */
function databaseFlows(config: DeploymentConfig, homeserver: HomeserverSettings): Flow[] {
  const postgres = workload('homeserver', 'postgres');
  const operator = podsEndpoint(config.deploymentName, platformPod('cloudnative-pg'));
  const apiServer: OutsideEndpoint = {
    kind: 'outside',
    description: 'the Kubernetes API server',
    cidrs: config.kubernetes.apiServer.cidrs,
    except: [],
  };
  const backupStore = backupStoreEndpoint(config);
  const status = flow(operator, postgres, POSTGRES_STATUS_PORT, 'the PostgreSQL operator polls each instance manager (TLS, internal CA)');
  return [
    flow(
      postgres,
      postgres,
      POSTGRES_SERVICE_PORT,
      'streaming replication from the primary to the standbys (TLS, certificate of streaming_replica)',
    ),
    // One operator serves every homeserver: its policies in the shared namespace need a name per homeserver.
    { ...status, id: `cloudnative-pg-to-${homeserver.name}-postgres-status` },
    flow(
      postgres,
      apiServer,
      { name: 'apiserver', containerPort: config.kubernetes.apiServer.port },
      'the instance manager reads its Cluster and Secrets and reports status and leader election through the API server',
    ),
    flow(postgres, backupStore, BACKUP_PORT, 'WAL archive and base backups to the declared object storage (HTTPS)'),
  ];
}

/** Each store backup job of the homeserver uploads to the declared object store, and reaches nothing else. */
function storeBackupFlows(config: DeploymentConfig, homeserver: HomeserverSettings): Flow[] {
  return homeserverStoreBackups(config, homeserver).map((plan) =>
    flow(
      workload(plan.compartment === 'directory' ? 'directory' : 'media', plan.workload),
      backupStoreEndpoint(config),
      BACKUP_PORT,
      `encrypted ${plan.store} backups to the declared object storage (HTTPS)`,
    ),
  );
}

/**
 * Replication requests from one Synapse process to each stream writer of the homeserver
 * compartment (the main process, the event persisters), over TLS.
 */
function replicationFlows(from: WorkloadEndpoint, homeserver: HomeserverSettings): Flow[] {
  return synapseProcesses(homeserver)
    .filter((process) => process.compartment === 'homeserver' && process.instance !== undefined && process.name !== from.workload)
    .map((writer) =>
      flow(from, workload('homeserver', writer.name), SYNAPSE_PORTS.replication, `replication requests to ${writer.name} (TLS)`),
    );
}

/** The worker pools and event persisters: the gateway reaches the pools, each reaches the database, Redis and the writers. */
function workerFlows(homeserver: HomeserverSettings): Flow[] {
  const postgres = workload('homeserver', 'postgres');
  const redis = workload('homeserver', 'redis');
  // The main process sends the events it creates to the persisters.
  const flows: Flow[] = replicationFlows(workload('homeserver', 'synapse'), homeserver);
  for (const process of synapseProcesses(homeserver)) {
    if (process.role !== 'pool' && process.role !== 'event-persister') continue;
    const self = workload('homeserver', process.name);
    if (process.role === 'pool')
      flows.push(flow(workload('gateway', 'haproxy'), self, SYNAPSE_PORTS.http, `the ${process.pool} routes of the gateway`));
    flows.push(
      flow(self, postgres, POSTGRES_SERVICE_PORT, 'homeserver database'),
      flow(self, redis, REDIS_SERVICE_PORT, 'worker replication stream (TLS, client certificate)'),
      ...replicationFlows(self, homeserver),
    );
  }
  return flows;
}

/**
 * Calls: the gateway reaches the TLS fronts of the SFU and the authorisation service; the
 * authorisation service reaches the homeserver and the SFU only by their public names, which the
 * cluster resolves to the gateway; participants send media to the SFU's published ports.
 */
function callFlows(homeserver: HomeserverSettings): Flow[] {
  const media = homeserver.calls?.media;
  if (!media) return [];
  const haproxy = workload('gateway', 'haproxy');
  const livekit = workload('calls', LIVEKIT_WORKLOAD);
  const rtcAuth = workload('calls', RTC_AUTH_WORKLOAD);
  const participants: OutsideEndpoint = { kind: 'outside', description: 'call participants', cidrs: media.ingressCidrs, except: [] };
  return [
    flow(haproxy, livekit, CALLS_TLS_PORT, "call signalling and room creation, through the SFU's TLS front"),
    flow(haproxy, rtcAuth, CALLS_TLS_PORT, "LiveKit tokens for users the homeserver vouches for, through the service's TLS front"),
    flow(
      rtcAuth,
      haproxy,
      GATEWAY_HTTPS_PORT,
      "the user's OpenID token checked at the homeserver, and the room created at the SFU, by their public names (resolved to the gateway)",
    ),
    ...mediaPorts(homeserver).map((port): Flow => ({
      ...flow(participants, livekit, port, `call media (${port.name}) on the SFU's own load balancer`),
      protocol: port.protocol,
      transport: WEBRTC,
    })),
    // The TURN server relays a participant's media to the SFU's candidate: the published address.
    {
      ...flow(
        livekit,
        { kind: 'outside', description: "the SFU's own published address", cidrs: [hostRange(media.publicAddress)], except: [] },
        { name: 'relay', containerPort: media.rtcUdpPort },
        "TURN relays to the SFU's published media port (participants behind restrictive networks)",
      ),
      protocol: 'UDP',
      transport: WEBRTC,
    },
  ];
}

/** One address as a range of one. */
function hostRange(address: string): string {
  return address.includes(':') ? `${address}/128` : `${address}/32`;
}

export function flowMatrix(config: DeploymentConfig, homeserver: HomeserverSettings): Flow[] {
  const haproxy = workload('gateway', 'haproxy');
  const synapse = workload('homeserver', 'synapse');
  const postgres = workload('homeserver', 'postgres');
  const redis = workload('homeserver', 'redis');
  const media = workload('media', 'media-repository');
  const openldap = workload('directory', 'openldap');
  const keycloak = workload('identity', KEYCLOAK_WORKLOAD);
  const clients: OutsideEndpoint = {
    kind: 'outside',
    description: 'clients and federation peers',
    cidrs: homeserver.gateway.ingressCidrs,
    except: [],
  };
  const flows: Flow[] = [
    flow(clients, haproxy, GATEWAY_HTTPS_PORT, 'the gateway is the only entry point from outside'),
    flow(haproxy, synapse, SYNAPSE_PORTS.http, 'client (and federation) API routes'),
    flow(haproxy, media, SYNAPSE_PORTS.http, 'media routes are served by the media worker'),
    flow(synapse, postgres, POSTGRES_SERVICE_PORT, 'homeserver database'),
    flow(synapse, redis, REDIS_SERVICE_PORT, 'worker replication stream (TLS, client certificate)'),
    flow(synapse, media, SYNAPSE_PORTS.replication, 'replication requests to the media worker (TLS)'),
    flow(media, synapse, SYNAPSE_PORTS.replication, 'replication requests to the main process (TLS)'),
    flow(media, postgres, POSTGRES_SERVICE_PORT, 'media metadata in the homeserver database'),
    flow(media, redis, REDIS_SERVICE_PORT, 'worker replication stream (TLS, client certificate)'),
    ...workerFlows(homeserver),
    flow(haproxy, keycloak, KEYCLOAK_HTTPS_PORT, "login pages of the identity provider (the realm's public paths only)"),
    flow(synapse, keycloak, KEYCLOAK_HTTPS_PORT, 'OIDC back channel: code exchange, user info and signing keys'),
    flow(keycloak, postgres, POSTGRES_SERVICE_PORT, "the identity provider's own database and role in the homeserver cluster"),
  ];
  flows.push(...callFlows(homeserver));
  if (homeserver.client)
    flows.push(flow(haproxy, workload('client', ELEMENT_WORKLOAD), ELEMENT_HTTPS_PORT, "the web client's static files, on its own name"));
  flows.push(...databaseFlows(config, homeserver));
  flows.push(...storeBackupFlows(config, homeserver));
  const { directory, media: mediaSettings } = homeserver;
  if (directory.mode === 'external' && directory.external) {
    const ldapServer: OutsideEndpoint = {
      kind: 'outside',
      description: `external directory ${directory.external.host}`,
      cidrs: directory.external.cidrs,
      except: [],
    };
    flows.push(
      flow(keycloak, ldapServer, { name: 'ldaps', containerPort: 636 }, 'user federation over TLS against the external directory'),
    );
  } else {
    flows.push(flow(keycloak, openldap, LDAPS_PORT, 'user federation over TLS with the read-only bind account'));
  }
  if (mediaSettings.s3) {
    const objectStore: OutsideEndpoint = {
      kind: 'outside',
      description: `object storage ${mediaSettings.s3.endpoint}`,
      cidrs: mediaSettings.s3.cidrs,
      except: [],
    };
    flows.push(flow(media, objectStore, { name: 's3', containerPort: 443 }, 'media objects to the sovereign object storage (HTTPS)'));
  }
  // The site's Prometheus scrapes the metrics listeners; its own egress is the site's business.
  const prometheus: PodsEndpoint = {
    kind: 'pods',
    name: PROMETHEUS_ENDPOINT_NAME,
    namespace: config.monitoring.namespace,
    podLabels: config.monitoring.prometheusPodLabels,
    managed: false,
  };
  for (const target of scrapeTargets(homeserver)) {
    flows.push(flow(prometheus, workload(target.compartment, target.workload), target.port, target.reason));
  }
  if (homeserver.federation.enabled) {
    const sender = workload('homeserver', 'federation-sender');
    const peers: OutsideEndpoint = {
      kind: 'outside',
      description: `federation peers (${homeserver.federation.peers.join(', ')})`,
      cidrs: homeserver.federation.egressCidrs,
      except: carveOuts(homeserver.federation.egressCidrs, config),
    };
    flows.push(
      flow(sender, postgres, POSTGRES_SERVICE_PORT, 'federation queue in the homeserver database'),
      flow(sender, redis, REDIS_SERVICE_PORT, 'worker replication stream (TLS, client certificate)'),
      ...replicationFlows(sender, homeserver),
    );
    // The server allowlist (federation_domain_whitelist) is enforced by Synapse; this is the network bound.
    const readers = synapseProcesses(homeserver).filter((process) => process.pool === 'federation-reader');
    for (const port of FEDERATION_PORTS) {
      flows.push(
        flow(synapse, peers, port, 'outbound federation requests (joins, key and profile queries) to the allowlisted peers'),
        ...readers.map((reader) =>
          flow(
            workload('homeserver', reader.name),
            peers,
            port,
            'missing events and keys fetched from the allowlisted peers while handling theirs',
          ),
        ),
        flow(sender, peers, port, 'outbound federation transactions to the allowlisted peers'),
        flow(media, peers, port, 'remote media downloads from the allowlisted peers'),
      );
    }
  }
  return flows;
}
