/**
 * What a workload is, as plain data: image, user, ports, writable paths, storage, files and
 * resources. Network policies, quotas, reports and constructs all read this one shape.
 */
import type { CompartmentKind, HomeserverCompartment } from './compartments';
import type { ComputeResources } from './quantities';

export interface WorkloadPort {
  /** IANA-style port name (≤ 15 characters), also used in flow ids. */
  readonly name: string;
  readonly containerPort: number;
  /** Port on the workload's Service; omitted for ports that no other workload may reach. */
  readonly servicePort?: number;
  readonly protocol: 'TCP' | 'UDP';
}

/**
 * A TLS front in the pod for a program that speaks only plain HTTP: HAProxy terminates TLS
 * with the workload's certificate on `port` and forwards to the program on loopback. The
 * program's own port is on no Service and in no flow.
 */
export interface TlsFront {
  readonly image: string;
  readonly port: WorkloadPort;
  /** The rendered haproxy.cfg and the certificate Secret (with `tls-combined.pem`). */
  readonly configFile: string;
  readonly certificateSecret: string;
  readonly resources: ComputeResources;
}

/** A writable path backed by a size-limited emptyDir (the root filesystem stays read-only). */
export interface WritablePath {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeLimitMi: number;
  readonly medium?: 'Memory';
}

/** A persistent volume owned by exactly one workload. */
export interface PersistentStorage {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeGi: number;
  /**
   * The backup job that reads the volume, read-only, on the owner's node (model/store-backups.ts).
   * Its claim is then ReadWriteOnce (one node) instead of ReadWriteOncePod, which no second pod
   * could mount at all; STO-03 still allows no other workload and no second writer.
   * @default no backup job mounts it
   */
  readonly backedUpBy?: string;
}

/** Rendered, secret-free files mounted read-only from a ConfigMap named `<workload>-<volumeName>`. */
export interface ConfigFiles {
  readonly volumeName: string;
  readonly mountPath: string;
  readonly files: Readonly<Record<string, string>>;
}

/** A declared secret (model/secrets.ts) mounted read-only as files; never passed as env. */
export interface SecretMount {
  readonly volumeName: string;
  readonly secretName: string;
  readonly mountPath: string;
}

/** The deployment's internal CA bundle (a ConfigMap trust-manager writes into every namespace), mounted read-only. */
export interface TrustBundleMount {
  readonly configMapName: string;
  readonly mountPath: string;
}

/**
 * A short-lived, audience-bound service account token as a file, for the one workload that
 * logs in to OpenBao itself; automounting the API token stays off everywhere.
 */
export interface ProjectedToken {
  readonly audience: string;
  readonly expirationSeconds: number;
  readonly mountPath: string;
}

/** A step run before the main container, with the same image, user, hardening and mounts. */
export interface InitStep {
  readonly name: string;
  readonly command: readonly string[];
}

export type Probe = (
  | { readonly type: 'http'; readonly path: string; readonly port: string; readonly scheme: 'HTTP' | 'HTTPS' }
  | { readonly type: 'tcp'; readonly port: string }
) & {
  /**
   * A slow starter's grace: a startup probe allows this long before the liveness probe may
   * restart the container.
   * @default none (the liveness probe starts after 30 s)
   */
  readonly startupSeconds?: number;
};

export interface WorkloadSpec<Compartment extends CompartmentKind = HomeserverCompartment> {
  readonly name: string;
  readonly compartment: Compartment;
  /** A Job runs to completion once per change of its spec (its name carries a hash of it). */
  readonly kind: 'Deployment' | 'StatefulSet' | 'Job';
  readonly purpose: string;
  readonly image: string;
  readonly replicas: number;
  /** Non-zero user and group the container runs as (matches the image's own user). */
  readonly uid: number;
  readonly gid: number;
  readonly ports: readonly WorkloadPort[];
  readonly writablePaths: readonly WritablePath[];
  readonly storage?: PersistentStorage;
  readonly resources: ComputeResources;
  /** Required for Deployments and StatefulSets; a Job has none. */
  readonly probe?: Probe;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Plain, non-secret settings only (paths, names); secrets come as files. */
  readonly env?: Readonly<Record<string, string>>;
  readonly configFiles?: readonly ConfigFiles[];
  readonly secretMounts?: readonly SecretMount[];
  readonly trustBundle?: TrustBundleMount;
  readonly serviceAccountToken?: ProjectedToken;
  readonly initSteps?: readonly InitStep[];
  /** The one workload whose Service is exposed outside the cluster (the gateway). */
  readonly publicEntryPoint?: boolean;
  /** Names of ports (of `ports`) published by the workload's own media load balancer (the SFU's `<name>-media` Service). */
  readonly mediaEntryPoint?: readonly string[];
  /** TLS in front of a plain-HTTP program, in the same pod. */
  readonly tlsFront?: TlsFront;
  /**
   * Why this long-running workload runs exactly one pod even in a production config (a process
   * the software allows only once, or state a second pod could not share). Written on the
   * controller as an annotation, so reviewers read the reason and the availability rule
   * accepts it; absent, a production config runs at least two replicas.
   * @default none: not a singleton
   */
  readonly singletonReason?: string;
}

/** Synapse listeners, shared by the main process and the media worker. */
export const SYNAPSE_PORTS = {
  http: { name: 'http', containerPort: 8008, servicePort: 8008, protocol: 'TCP' },
  replication: { name: 'replication', containerPort: 9093, servicePort: 9093, protocol: 'TCP' },
  metrics: { name: 'metrics', containerPort: 9000, protocol: 'TCP' },
} as const satisfies Record<string, WorkloadPort>;

export const SYNAPSE_UID = 991;

/** The Synapse workers: media (its own compartment) and, with federation on, the federation sender. */
export const MEDIA_WORKER = 'media-repository';
export const FEDERATION_SENDER = 'federation-sender';

export const LDAPS_PORT = { name: 'ldaps', containerPort: 1636, servicePort: 636, protocol: 'TCP' } as const satisfies WorkloadPort;
export const GATEWAY_HTTPS_PORT = { name: 'https', containerPort: 8443, servicePort: 443, protocol: 'TCP' } as const satisfies WorkloadPort;
/** HAProxy's Prometheus exporter: a separate frontend, on no Service, reached only by the site's Prometheus. */
export const GATEWAY_METRICS_PORT = { name: 'metrics', containerPort: 8404, protocol: 'TCP' } as const satisfies WorkloadPort;
export const POSTGRES_SERVICE_PORT = {
  name: 'postgres',
  containerPort: 5432,
  servicePort: 5432,
  protocol: 'TCP',
} as const satisfies WorkloadPort;
export const REDIS_SERVICE_PORT = {
  name: 'redis',
  containerPort: 6379,
  servicePort: 6379,
  protocol: 'TCP',
} as const satisfies WorkloadPort;

/**
 * The claim holding a workload's storage: a Deployment's own claim `<workload>-<volume>`, a
 * StatefulSet's first pod's claim `<volume>-<workload>-0` (its controller names it). Undefined
 * without storage.
 */
export function storageClaimName(spec: Pick<WorkloadSpec, 'name' | 'kind' | 'storage'>): string | undefined {
  if (!spec.storage) return undefined;
  return spec.kind === 'StatefulSet' ? `${spec.storage.name}-${spec.name}-0` : `${spec.name}-${spec.storage.name}`;
}

/** Every port of a workload's pods: its program's, and its TLS front's. */
export function podPorts(spec: Pick<WorkloadSpec, 'ports' | 'tlsFront'>): WorkloadPort[] {
  return [...spec.ports, ...(spec.tlsFront ? [spec.tlsFront.port] : [])];
}
