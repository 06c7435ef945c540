/**
 * The workload catalogue: for every compartment, which workloads run there, as which user,
 * on which ports, with which writable paths and resources. Plain data, so network
 * policies, quotas and reports are derived from the same source the constructs render.
 */
import type { DeploymentConfig } from '../config/deployment-config';
import type { HomeserverCompartment } from './compartments';
import type { ComputeResources } from './quantities';

export interface WorkloadPort {
  /** IANA-style port name (≤ 15 characters), also used in flow ids. */
  readonly name: string;
  readonly containerPort: number;
  /** Port on the workload's Service; omitted for ports that no other workload may reach. */
  readonly servicePort?: number;
  readonly protocol: 'TCP';
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
}

export type Probe =
  | { readonly type: 'http'; readonly path: string; readonly port: string }
  | { readonly type: 'tcp'; readonly port: string };

export interface WorkloadSpec {
  readonly name: string;
  readonly compartment: HomeserverCompartment;
  readonly kind: 'Deployment' | 'StatefulSet';
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
  readonly probe: Probe;
  /** The one workload whose Service is exposed outside the cluster (the gateway). */
  readonly publicEntryPoint?: boolean;
}

/** Synapse listeners, shared by the main process and the media worker. */
export const SYNAPSE_PORTS = {
  http: { name: 'http', containerPort: 8008, servicePort: 8008, protocol: 'TCP' },
  replication: { name: 'replication', containerPort: 9093, servicePort: 9093, protocol: 'TCP' },
  metrics: { name: 'metrics', containerPort: 9000, protocol: 'TCP' },
} as const satisfies Record<string, WorkloadPort>;

export const SYNAPSE_UID = 991;

export function homeserverWorkloads(config: DeploymentConfig): WorkloadSpec[] {
  const images = config.images.effective;
  return [
    {
      name: 'synapse',
      compartment: 'homeserver',
      kind: 'Deployment',
      purpose: 'Synapse main process',
      image: images.synapse,
      replicas: 1,
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
      ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
      writablePaths: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 256 }],
      resources: { cpuRequestMilli: 500, cpuLimitMilli: 2000, memoryRequestMi: 1024, memoryLimitMi: 2048 },
      probe: { type: 'http', path: '/health', port: 'http' },
    },
    {
      name: 'postgres',
      compartment: 'homeserver',
      kind: 'StatefulSet',
      purpose: 'PostgreSQL database of the homeserver',
      image: images.postgres,
      replicas: 1,
      // The Alpine variant's postgres user.
      uid: 70,
      gid: 70,
      ports: [{ name: 'postgres', containerPort: 5432, servicePort: 5432, protocol: 'TCP' }],
      writablePaths: [
        { name: 'run', mountPath: '/var/run/postgresql', sizeLimitMi: 16 },
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 128 },
      ],
      storage: { name: 'data', mountPath: '/var/lib/postgresql/data', sizeGi: 20 },
      resources: { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 },
      probe: { type: 'tcp', port: 'postgres' },
    },
    {
      name: 'redis',
      compartment: 'homeserver',
      kind: 'Deployment',
      purpose: 'Redis for Synapse worker replication',
      image: images.redis,
      replicas: 1,
      // The Alpine variant's redis user and group.
      uid: 999,
      gid: 1000,
      ports: [{ name: 'redis', containerPort: 6379, servicePort: 6379, protocol: 'TCP' }],
      writablePaths: [{ name: 'data', mountPath: '/data', sizeLimitMi: 256 }],
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 256 },
      probe: { type: 'tcp', port: 'redis' },
    },
  ];
}

export function mediaWorkloads(config: DeploymentConfig): WorkloadSpec[] {
  return [
    {
      name: 'media-repository',
      compartment: 'media',
      kind: 'Deployment',
      purpose: 'Synapse media-repository worker',
      image: config.images.effective.synapse,
      replicas: 1,
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
      ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
      writablePaths: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 512 }],
      storage: { name: 'media', mountPath: '/media', sizeGi: 50 },
      resources: { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 },
      probe: { type: 'http', path: '/health', port: 'http' },
    },
  ];
}

export const LDAPS_PORT = { name: 'ldaps', containerPort: 1636, servicePort: 636, protocol: 'TCP' } as const satisfies WorkloadPort;

export function directoryWorkloads(config: DeploymentConfig): WorkloadSpec[] {
  return [
    {
      name: 'openldap',
      compartment: 'directory',
      kind: 'StatefulSet',
      purpose: 'OpenLDAP directory (LDAPS only)',
      image: config.images.effective.openldap,
      replicas: 1,
      uid: 1001,
      gid: 1001,
      // Only the LDAPS port is declared: there is no plain-LDAP port to reach.
      ports: [LDAPS_PORT],
      writablePaths: [
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 64 },
        { name: 'run', mountPath: '/opt/bitnami/openldap/var/run', sizeLimitMi: 16 },
      ],
      storage: { name: 'data', mountPath: '/bitnami/openldap', sizeGi: 5 },
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'ldaps' },
    },
  ];
}

export const GATEWAY_HTTPS_PORT = { name: 'https', containerPort: 8443, servicePort: 443, protocol: 'TCP' } as const satisfies WorkloadPort;

export function gatewayWorkloads(config: DeploymentConfig): WorkloadSpec[] {
  return [
    {
      name: 'haproxy',
      compartment: 'gateway',
      kind: 'Deployment',
      purpose: 'HAProxy reverse proxy and TLS termination',
      image: config.images.effective.haproxy,
      replicas: 2,
      uid: 99,
      gid: 99,
      ports: [GATEWAY_HTTPS_PORT],
      writablePaths: [
        { name: 'run', mountPath: '/var/run/haproxy', sizeLimitMi: 16 },
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 32 },
      ],
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 1000, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'https' },
      publicEntryPoint: true,
    },
  ];
}

/** Every workload of one homeserver's compartments (the same set for each fleet member). */
export function workloadsOf(config: DeploymentConfig): WorkloadSpec[] {
  return [...directoryWorkloads(config), ...homeserverWorkloads(config), ...mediaWorkloads(config), ...gatewayWorkloads(config)];
}

export function workloadsIn(config: DeploymentConfig, compartment: HomeserverCompartment): WorkloadSpec[] {
  return workloadsOf(config).filter((workload) => workload.compartment === compartment);
}
