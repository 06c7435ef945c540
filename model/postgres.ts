/**
 * The homeserver database as plain data: the CloudNativePG cluster's name and the names the
 * operator derives from it (its Services, the replication user), its ports, the backup
 * objects beside it, and what its pods count against the compartment's quota. The operator
 * runs the pods; the flow matrix, certificates, quotas and renderers read these names.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import type { QuotaInput } from './quotas';
import { POSTGRES_SERVICE_PORT, type WorkloadPort } from './workload-spec';

/** The Cluster's name; its pods carry `matrix.sovereign/workload: postgres` through `inheritedMetadata`. */
export const POSTGRES_CLUSTER_NAME = 'postgres';
/** The barman-cloud ObjectStore every PostgreSQL backup of the homeserver goes through. */
export const POSTGRES_OBJECT_STORE_NAME = 'postgres-backup';
export const POSTGRES_SCHEDULED_BACKUP_NAME = 'postgres-daily';
/** The barman-cloud plugin as CloudNativePG names it. */
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/**
 * The label the operator puts on every pod of the cluster: the instances and also its bootstrap,
 * join and recovery Jobs, whose pod templates do not receive `inheritedMetadata` (operator 1.30,
 * pkg/specs/jobs.go). The network policies select the database's pods by it, so a standby's join
 * Job reaches the primary and the initdb Job the API server.
 */
export const POSTGRES_POD_SELECTOR: Readonly<Record<string, string>> = { 'cnpg.io/cluster': POSTGRES_CLUSTER_NAME };

/** The Services the operator creates: read-write (the primary), read-only (standbys), read (any instance). */
export const POSTGRES_SERVICES = {
  readWrite: `${POSTGRES_CLUSTER_NAME}-rw`,
  readOnly: `${POSTGRES_CLUSTER_NAME}-ro`,
  read: `${POSTGRES_CLUSTER_NAME}-r`,
} as const;

/** The role the standbys replicate as (created by the operator, authenticated by client certificate only). */
export const REPLICATION_USER = 'streaming_replica';

/** The instance manager's status endpoint, polled by the operator (TLS with the server certificate). */
export const POSTGRES_STATUS_PORT = { name: 'status', containerPort: 8000, protocol: 'TCP' } as const satisfies WorkloadPort;
/** The instance manager's Prometheus exporter (cnpg_* metrics), on no Service, reached only by the site's Prometheus. */
export const POSTGRES_METRICS_PORT = { name: 'metrics', containerPort: 9187, protocol: 'TCP' } as const satisfies WorkloadPort;
export { POSTGRES_SERVICE_PORT };
/** Every port an instance pod listens on that a flow may reach. */
export const POSTGRES_INSTANCE_PORTS: readonly WorkloadPort[] = [POSTGRES_SERVICE_PORT, POSTGRES_STATUS_PORT, POSTGRES_METRICS_PORT];

/** Each instance's PostgreSQL container. */
export const POSTGRES_RESOURCES = { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 } as const;
/** The barman-cloud sidecar the plugin injects into each instance (WAL archiving, base backups). */
export const BACKUP_SIDECAR_RESOURCES = { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 512 } as const;

/**
 * What the cluster's pods count against the compartment quota: every instance runs PostgreSQL
 * and the backup sidecar and claims one volume. The operator's bootstrap and join Jobs run one
 * pod at a time with the same resources, inside the quota's rollout headroom.
 */
export function postgresQuotaInput(homeserver: HomeserverSettings): QuotaInput {
  return {
    replicas: homeserver.postgres.instances,
    resources: {
      cpuRequestMilli: POSTGRES_RESOURCES.cpuRequestMilli + BACKUP_SIDECAR_RESOURCES.cpuRequestMilli,
      cpuLimitMilli: POSTGRES_RESOURCES.cpuLimitMilli + BACKUP_SIDECAR_RESOURCES.cpuLimitMilli,
      memoryRequestMi: POSTGRES_RESOURCES.memoryRequestMi + BACKUP_SIDECAR_RESOURCES.memoryRequestMi,
      memoryLimitMi: POSTGRES_RESOURCES.memoryLimitMi + BACKUP_SIDECAR_RESOURCES.memoryLimitMi,
    },
    storage: { sizeGi: homeserver.postgres.storageGi },
    // The operator writes no local disk request: PostgreSQL and the sidecar each get the limit range's default.
    containers: 2,
  };
}

/** Where the homeserver's PostgreSQL backups live in the bucket: one prefix per deployment and homeserver. */
export function postgresBackupPath(bucket: string, deploymentName: string, homeserverName: string): string {
  return `s3://${bucket}/${deploymentName}/${homeserverName}/postgres`;
}
