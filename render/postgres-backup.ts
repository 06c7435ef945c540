/**
 * The homeserver database's backups as the barman-cloud plugin takes them: the ObjectStore
 * (where, with which credentials by Secret reference, encrypted and compressed how, kept how
 * long) and the ScheduledBackup of base backups; WAL is archived continuously by the plugin
 * the Cluster names as its WAL archiver. Pure data, shared by the stacks and the restore drill.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { homeserverNamespace } from '../model/compartments';
import {
  BACKUP_SIDECAR_RESOURCES,
  BARMAN_CLOUD_PLUGIN,
  POSTGRES_CLUSTER_NAME,
  POSTGRES_OBJECT_STORE_NAME,
  POSTGRES_SCHEDULED_BACKUP_NAME,
  postgresBackupPath,
} from '../model/postgres';
import { cpu, mebibytes } from '../model/quantities';
import { SECRET_NAMES } from '../model/secrets';
import { API_VERSIONS, type KubernetesObject } from './manifests/kubernetes-object';

export { POSTGRES_CLUSTER_NAME };

/** The keys of the delivered credentials Secret (SECRET_NAMES.backup) the ObjectStore reads, by reference only. */
export const BACKUP_CREDENTIAL_KEYS = { accessKeyId: 'ACCESS_KEY_ID', secretAccessKey: 'ACCESS_SECRET_KEY' } as const;

/** How often the sidecar applies the retention policy (deletes backups and WAL older than it): hourly. */
const RETENTION_CHECK_SECONDS = 3600;

/** The endpoint without a trailing slash, as barman-cloud takes it. */
function endpointUrl(endpoint: string): string {
  return endpoint.replace(/\/$/, '');
}

/** With a KMS key, barman-cloud names it to the store on every upload (the key itself never leaves the store). */
function kmsArguments(config: DeploymentConfig): string[] {
  const { encryption, kmsKeyId } = config.backup.objectStore;
  return encryption === 'aws:kms' && kmsKeyId !== undefined ? [`--sse-kms-key-id=${kmsKeyId}`] : [];
}

// Type aliases, not interfaces: the configuration is also a ManifestValue, which needs an index signature.
export type SecretKeyReference = { readonly name: string; readonly key: string };
export type BackupEncryption = DeploymentConfig['backup']['objectStore']['encryption'];

/** The barman-cloud plugin's ObjectStore `spec.configuration`, as far as this deployment writes it. */
export type BarmanObjectStoreConfiguration = {
  readonly destinationPath: string;
  readonly endpointURL: string;
  readonly s3Credentials: {
    readonly accessKeyId: SecretKeyReference;
    readonly secretAccessKey: SecretKeyReference;
    readonly region?: SecretKeyReference;
  };
  readonly wal: { readonly compression: 'gzip'; readonly encryption: BackupEncryption; readonly archiveAdditionalCommandArgs?: string[] };
  readonly data: {
    readonly compression: 'gzip';
    readonly encryption: BackupEncryption;
    readonly jobs?: number;
    readonly additionalCommandArgs?: string[];
  };
};

/** The ObjectStore's `spec.configuration`: destination, credentials by Secret reference, server-side encryption, gzip. */
export function barmanObjectStoreConfiguration(config: DeploymentConfig, homeserver: HomeserverSettings): BarmanObjectStoreConfiguration {
  const { objectStore } = config.backup;
  const credential = (key: string): SecretKeyReference => ({ name: SECRET_NAMES.backup, key });
  const kms = kmsArguments(config);
  return {
    destinationPath: postgresBackupPath(objectStore.bucket, config.deploymentName, homeserver.name),
    endpointURL: endpointUrl(objectStore.endpoint),
    s3Credentials: {
      accessKeyId: credential(BACKUP_CREDENTIAL_KEYS.accessKeyId),
      secretAccessKey: credential(BACKUP_CREDENTIAL_KEYS.secretAccessKey),
    },
    wal: {
      compression: 'gzip' as const,
      encryption: objectStore.encryption,
      ...(kms.length > 0 ? { archiveAdditionalCommandArgs: kms } : {}),
    },
    data: {
      compression: 'gzip' as const,
      encryption: objectStore.encryption,
      ...(kms.length > 0 ? { additionalCommandArgs: kms } : {}),
    },
  };
}

/** The ObjectStore `postgres-backup` in the homeserver compartment. */
export function postgresObjectStore(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  labels: Readonly<Record<string, string>>,
): KubernetesObject {
  const region = config.backup.objectStore.region;
  return {
    apiVersion: API_VERSIONS.barmanCloud,
    kind: 'ObjectStore',
    metadata: { name: POSTGRES_OBJECT_STORE_NAME, namespace: homeserverNamespace(homeserver.name, 'homeserver'), labels },
    spec: {
      configuration: barmanObjectStoreConfiguration(config, homeserver),
      retentionPolicy: config.backup.postgres.retention,
      instanceSidecarConfiguration: {
        retentionPolicyIntervalSeconds: RETENTION_CHECK_SECONDS,
        resources: {
          requests: { cpu: cpu(BACKUP_SIDECAR_RESOURCES.cpuRequestMilli), memory: mebibytes(BACKUP_SIDECAR_RESOURCES.memoryRequestMi) },
          limits: { cpu: cpu(BACKUP_SIDECAR_RESOURCES.cpuLimitMilli), memory: mebibytes(BACKUP_SIDECAR_RESOURCES.memoryLimitMi) },
        },
        // The region is not a secret: the S3 client reads it from its environment.
        ...(region ? { env: [{ name: 'AWS_DEFAULT_REGION', value: region }] } : {}),
      },
    },
  };
}

/** The ScheduledBackup `postgres-daily`: a base backup on the configured schedule, and one as soon as the cluster exists. */
export function postgresScheduledBackup(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  labels: Readonly<Record<string, string>>,
): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.cloudnativePg,
    kind: 'ScheduledBackup',
    metadata: { name: POSTGRES_SCHEDULED_BACKUP_NAME, namespace: homeserverNamespace(homeserver.name, 'homeserver'), labels },
    spec: {
      cluster: { name: POSTGRES_CLUSTER_NAME },
      schedule: config.backup.postgres.schedule,
      immediate: true,
      method: 'plugin',
      pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      backupOwnerReference: 'self',
    },
  };
}
