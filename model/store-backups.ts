/**
 * The backups of the stores other than PostgreSQL, as plain data: which stores a homeserver and
 * the deployment back up, the CronJob of each (its name, namespace, schedule, retention), and
 * the folder of the backup bucket it writes to. The directory is backed up when it runs in the
 * cluster, the media volume when media is not in S3 (a bucket protects itself: versioning and
 * object lock, `media.s3.protection`), the secret store always. Workloads, flows, alerts, rules
 * and the README read these names.
 */
import { parseRetentionDays } from '../config/backup-schema';
import type { DeploymentConfig, HomeserverSettings, StoreBackupSettings } from '../config/deployment-config';
import { homeserverNamespace, platformNamespace, type CompartmentKind } from './compartments';
import { OPENBAO_GID, OPENBAO_UID, SECRET_STORE_BACKUP } from './platform';
import { MEDIA_WORKER, SYNAPSE_UID } from './workload-spec';

export type BackedUpStoreKind = 'directory' | 'secret-store' | 'media';

/** The CronJob of each store; its pods carry `matrix.sovereign/workload: <name>`. */
export const STORE_BACKUP_WORKLOADS = {
  directory: 'directory-backup',
  'secret-store': SECRET_STORE_BACKUP,
  media: 'media-backup',
} as const satisfies Record<BackedUpStoreKind, string>;

/** The workload whose data each job copies (the directory's and the media worker's volumes are read on their node). */
export const STORE_SOURCES = {
  directory: 'openldap',
  'secret-store': 'openbao',
  media: MEDIA_WORKER,
} as const satisfies Record<BackedUpStoreKind, string>;

/**
 * The values of the backup keys: the backup store's S3 keys (the same as PostgreSQL's backups)
 * and the client-side encryption password and salt, all provided by operators into OpenBao.
 */
export const STORE_BACKUP_KEY_VALUES = {
  accessKeyId: 'accessKeyId',
  secretAccessKey: 'secretAccessKey',
  password: 'password',
  salt: 'salt',
} as const;

export interface StoreBackupPlan {
  readonly store: BackedUpStoreKind;
  /** The CronJob's (and its service account's) name. */
  readonly workload: string;
  readonly compartment: Extract<CompartmentKind, 'directory' | 'media' | 'platform'>;
  readonly namespace: string;
  /** The homeserver whose store it is; absent for the deployment's secret store. */
  readonly homeserverName?: string;
  /** The workload whose data it copies. */
  readonly source: string;
  /** Folder under the bucket, no leading or trailing slash: `<deployment>/<homeserver>/<store>` or `<deployment>/openbao`. */
  readonly prefix: string;
  /** Five cron fields, UTC. */
  readonly schedule: string;
  readonly retentionDays: number;
  /** User and group the upload step runs as: the owner of the files it reads. */
  readonly uid: number;
  readonly gid: number;
}

function days(settings: StoreBackupSettings, field: string): number {
  const value = parseRetentionDays(settings.retention);
  if (value === null) throw new Error(`${field}.retention "${settings.retention}" is not a number of days`);
  return value;
}

/** The directory's and the media volume's backups of one homeserver (in its own compartments). */
export function homeserverStoreBackups(config: DeploymentConfig, homeserver: HomeserverSettings): StoreBackupPlan[] {
  const { stores } = config.backup;
  const plans: StoreBackupPlan[] = [];
  const base = `${config.deploymentName}/${homeserver.name}`;
  if (homeserver.directory.mode !== 'external')
    plans.push({
      store: 'directory',
      workload: STORE_BACKUP_WORKLOADS.directory,
      compartment: 'directory',
      namespace: homeserverNamespace(homeserver.name, 'directory'),
      homeserverName: homeserver.name,
      source: STORE_SOURCES.directory,
      prefix: `${base}/directory`,
      schedule: stores.directory.schedule,
      retentionDays: days(stores.directory, 'backup.stores.directory'),
      // The image's openldap user, owner of the LMDB files.
      uid: 1001,
      gid: 1001,
    });
  if (!homeserver.media.s3)
    plans.push({
      store: 'media',
      workload: STORE_BACKUP_WORKLOADS.media,
      compartment: 'media',
      namespace: homeserverNamespace(homeserver.name, 'media'),
      homeserverName: homeserver.name,
      source: STORE_SOURCES.media,
      prefix: `${base}/media`,
      schedule: stores.media.schedule,
      retentionDays: days(stores.media, 'backup.stores.media'),
      // Synapse's user, owner of the media files.
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
    });
  return plans;
}

/** The secret store's backup: one per deployment, in OpenBao's namespace. */
export function secretStoreBackup(config: DeploymentConfig): StoreBackupPlan {
  const { secretStore } = config.backup.stores;
  return {
    store: 'secret-store',
    workload: STORE_BACKUP_WORKLOADS['secret-store'],
    compartment: 'platform',
    namespace: platformNamespace(config.deploymentName, 'openbao'),
    source: STORE_SOURCES['secret-store'],
    prefix: `${config.deploymentName}/openbao`,
    schedule: secretStore.schedule,
    retentionDays: days(secretStore, 'backup.stores.secretStore'),
    uid: OPENBAO_UID,
    gid: OPENBAO_GID,
  };
}

/** Every store backup of the deployment: the secret store's, then each homeserver's. */
export function deploymentStoreBackups(config: DeploymentConfig): StoreBackupPlan[] {
  return [secretStoreBackup(config), ...config.homeservers.flatMap((homeserver) => homeserverStoreBackups(config, homeserver))];
}
