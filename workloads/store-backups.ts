/**
 * The store backup jobs as workloads: each store's plan (model/store-backups.ts) combined with
 * the programs that run it (render/store-backup.ts): an export step from the store's own image
 * where there is one (slapcat, a raft snapshot), then the upload step (rclone) that encrypts
 * every file and writes it to the backup bucket under the store's prefix. S3 keys come by
 * files of the delivered backup Secret (read by the script, never pod env), the encryption password and salt too; no
 * value is written here.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { LABEL_WORKLOAD } from '../model/compartments';
import { OPENBAO_AUDIENCE, platformNames } from '../model/platform';
import type { JobContainer, JobMount, JobVolume, ScheduledJobSpec } from '../model/scheduled-job';
import { STORE_BACKUP_ROLE } from '../model/secret-access';
import { SECRET_NAMES } from '../model/secrets';
import { homeserverStoreBackups, secretStoreBackup, type StoreBackupPlan } from '../model/store-backups';
import { storageClaimName } from '../model/workload-spec';
import { BITNAMI_LAYOUT } from '../render/openldap';
import { BACKUP_CREDENTIAL_KEYS } from '../render/postgres-backup';
import {
  DIRECTORY_EXPORT_MOUNTS,
  directoryExport,
  OPENBAO_TOKEN_FILE,
  secretStoreExport,
  STORE_BACKUP_MOUNTS,
  STORE_BACKUP_SECRET_ENV,
  upload,
  type ContainerProgram,
  type StoreBackupTarget,
} from '../render/store-backup';
import { directoryWorkloads } from './catalogue';
import { mediaWorkloads } from './homeserver-workloads';

/** Annotations every store backup CronJob carries: what it backs up, where, for how long. */
export const STORE_BACKUP_ANNOTATIONS = {
  store: 'matrix.sovereign/backup-store',
  prefix: 'matrix.sovereign/backup-prefix',
  retentionDays: 'matrix.sovereign/backup-retention-days',
} as const;

/** The Secrets a job reads, both mounted as files: the S3 keys and the encryption keys. */
export interface StoreBackupSecrets {
  readonly s3: string;
  readonly encryption: string;
}

/** A homeserver's jobs read the homeserver's backup Secrets; the secret store's job the deployment's (same names, OpenBao's namespace). */
export const STORE_BACKUP_SECRETS: StoreBackupSecrets = { s3: SECRET_NAMES.backup, encryption: SECRET_NAMES.storeBackupKeys };

/** A run stops after two hours: a stuck upload must not hold the next run back for a day. */
const ACTIVE_DEADLINE_SECONDS = 2 * 3600;
const TRUST_DIRECTORY = '/trust';

const UPLOAD_RESOURCES = { cpuRequestMilli: 100, cpuLimitMilli: 1000, memoryRequestMi: 128, memoryLimitMi: 512 } as const;
const EXPORT_RESOURCES = { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 512 } as const;

/** Staging and scratch sizes: the export's file (an LDIF, a raft snapshot) and rclone's cache. */
const STAGING_MI = 2048;
const TMP_MI = 256;

function target(config: DeploymentConfig, plan: StoreBackupPlan): StoreBackupTarget {
  const { endpoint, bucket, region, encryption, kmsKeyId } = config.backup.objectStore;
  return {
    endpoint,
    bucket,
    encryption,
    ...(region !== undefined ? { region } : {}),
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    prefix: plan.prefix,
    retentionDays: plan.retentionDays,
  };
}

const mount = (volume: string, mountPath: string, readOnly: boolean): JobMount => ({ volume, mountPath, readOnly });

function container(
  name: string,
  image: string,
  program: ContainerProgram,
  mounts: readonly JobMount[],
  options: { resources: JobContainer['resources']; ephemeralStorageMi: number; env?: readonly JobContainer['env'][number][] },
): JobContainer {
  return {
    name,
    image,
    command: program.command,
    env: [...program.env, ...(options.env ?? [])],
    // Environment never carries a secret (SEC-05): keys are files, read by the script.
    secretEnv: [],
    mounts,
    resources: options.resources,
    ephemeralStorageMi: options.ephemeralStorageMi,
  };
}

/** Where the upload step finds the backup store's S3 keys: the delivered Secret, as files. */
export const S3_KEYS_MOUNT = '/secrets/store-backup-s3';
const S3_KEYS_ENV = 'STORE_BACKUP_S3_KEYS';

/**
 * The S3 keys from their files into rclone's variables, in the shell only (never in the pod
 * spec), before the upload program (a constant, like it). The names are the upload program's
 * (`STORE_BACKUP_SECRET_ENV`), the files the delivered Secret's keys.
 */
export const S3_KEYS_FROM_FILES = `set -eu
for file in "$${S3_KEYS_ENV}/${BACKUP_CREDENTIAL_KEYS.accessKeyId}" "$${S3_KEYS_ENV}/${BACKUP_CREDENTIAL_KEYS.secretAccessKey}"; do
  test -n "$(head -n 1 "$file")" || { echo "store-backup: $file is missing or empty" >&2; exit 1; }
done
${STORE_BACKUP_SECRET_ENV.accessKeyId}="$(head -n 1 "$${S3_KEYS_ENV}/${BACKUP_CREDENTIAL_KEYS.accessKeyId}")"
${STORE_BACKUP_SECRET_ENV.secretAccessKey}="$(head -n 1 "$${S3_KEYS_ENV}/${BACKUP_CREDENTIAL_KEYS.secretAccessKey}")"
export ${STORE_BACKUP_SECRET_ENV.accessKeyId} ${STORE_BACKUP_SECRET_ENV.secretAccessKey}
`;

function withS3Keys(program: ContainerProgram): ContainerProgram {
  const [shell, flag, script] = program.command;
  if (shell !== '/bin/sh' || flag !== '-c' || script === undefined || program.command.length !== 3)
    throw new Error('store backup: the upload program is not a /bin/sh -c script');
  return { command: [shell, flag, `${S3_KEYS_FROM_FILES}${script}`], env: [...program.env, { name: S3_KEYS_ENV, value: S3_KEYS_MOUNT }] };
}

function uploadContainer(config: DeploymentConfig, plan: StoreBackupPlan, dataMount: JobMount): JobContainer {
  return container(
    'upload',
    config.images.effective.storeBackup,
    withS3Keys(upload(plan.store, target(config, plan))),
    [
      dataMount,
      mount('keys', STORE_BACKUP_MOUNTS.keys, true),
      mount('s3-keys', S3_KEYS_MOUNT, true),
      mount('tmp', STORE_BACKUP_MOUNTS.tmp, false),
    ],
    { resources: UPLOAD_RESOURCES, ephemeralStorageMi: 256 },
  );
}

const SHARED_VOLUMES: readonly JobVolume[] = [
  { kind: 'scratch', name: 'tmp', sizeLimitMi: TMP_MI },
  { kind: 'secret', name: 'keys', secretName: STORE_BACKUP_SECRETS.encryption },
  { kind: 'secret', name: 's3-keys', secretName: STORE_BACKUP_SECRETS.s3 },
];

function annotations(plan: StoreBackupPlan): Record<string, string> {
  return {
    [STORE_BACKUP_ANNOTATIONS.store]: plan.store,
    [STORE_BACKUP_ANNOTATIONS.prefix]: plan.prefix,
    [STORE_BACKUP_ANNOTATIONS.retentionDays]: String(plan.retentionDays),
  };
}

function base(plan: StoreBackupPlan, purpose: string): Omit<ScheduledJobSpec, 'initContainers' | 'container' | 'volumes'> {
  return {
    name: plan.workload,
    compartment: plan.compartment,
    purpose,
    schedule: plan.schedule,
    uid: plan.uid,
    gid: plan.gid,
    activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
    annotations: annotations(plan),
  };
}

function claimOf(spec: Parameters<typeof storageClaimName>[0] | undefined, what: string): string {
  const claim = spec ? storageClaimName(spec) : undefined;
  if (!claim) throw new Error(`store backup: ${what} has no volume to back up`);
  return claim;
}

/** slapcat of the directory's data (its volume, on its node) into staging, then the encrypted upload. */
function directoryBackup(config: DeploymentConfig, homeserver: HomeserverSettings, plan: StoreBackupPlan): ScheduledJobSpec {
  const openldap = directoryWorkloads(config, homeserver).find((spec) => spec.name === plan.source);
  const staging = mount('staging', STORE_BACKUP_MOUNTS.staging, false);
  return {
    ...base(plan, 'scheduled, encrypted export of the directory (slapcat) to the backup store'),
    initContainers: [
      container(
        'export',
        config.images.effective.openldap,
        directoryExport(BITNAMI_LAYOUT),
        [
          staging,
          mount('tmp', STORE_BACKUP_MOUNTS.tmp, false),
          mount('config', DIRECTORY_EXPORT_MOUNTS.config, true),
          // slapcat refuses a read-only directory (back-mdb probes it by creating a file), though it
          // opens the database read-only: data.mdb is left as it is (the drill compares its sha256).
          mount('data', DIRECTORY_EXPORT_MOUNTS.data, false),
        ],
        { resources: EXPORT_RESOURCES, ephemeralStorageMi: 256 },
      ),
    ],
    container: uploadContainer(config, plan, mount('staging', STORE_BACKUP_MOUNTS.staging, true)),
    volumes: [
      { kind: 'scratch', name: 'staging', sizeLimitMi: STAGING_MI },
      ...SHARED_VOLUMES,
      // The server's own rendered cn=config: the export reads the database exactly as the server does.
      { kind: 'configMap', name: 'config', configMapName: `${plan.source}-config` },
      { kind: 'claim', name: 'data', claimName: claimOf(openldap, 'the directory'), exportWritable: true },
    ],
    colocateWith: { [LABEL_WORKLOAD]: plan.source },
  };
}

/** An incremental, encrypted copy of the media volume (read-only, on the media worker's node). */
function mediaBackup(config: DeploymentConfig, homeserver: HomeserverSettings, plan: StoreBackupPlan): ScheduledJobSpec {
  const media = mediaWorkloads(config, homeserver).find((spec) => spec.name === plan.source);
  return {
    ...base(plan, 'scheduled, encrypted incremental copy of the media volume to the backup store'),
    initContainers: [],
    container: uploadContainer(config, plan, mount('data', STORE_BACKUP_MOUNTS.data, true)),
    volumes: [...SHARED_VOLUMES, { kind: 'claim', name: 'data', claimName: claimOf(media, 'the media worker'), exportWritable: false }],
    colocateWith: { [LABEL_WORKLOAD]: plan.source },
  };
}

/** A raft snapshot through OpenBao's API (Kubernetes login, role store-backup), then the encrypted upload. */
export function secretStoreBackupJob(config: DeploymentConfig): ScheduledJobSpec {
  const plan = secretStoreBackup(config);
  const names = platformNames(config.deploymentName);
  const staging = mount('staging', STORE_BACKUP_MOUNTS.staging, false);
  return {
    ...base(plan, 'scheduled, encrypted raft snapshot of the secret store (OpenBao) to the backup store'),
    initContainers: [
      container(
        'snapshot',
        config.images.effective.openbao,
        secretStoreExport({
          address: names.openbaoAddress,
          role: STORE_BACKUP_ROLE,
          tokenPath: `${STORE_BACKUP_MOUNTS.openbaoToken}/${OPENBAO_TOKEN_FILE}`,
          caPath: `${TRUST_DIRECTORY}/ca.crt`,
        }),
        [
          staging,
          mount('tmp', STORE_BACKUP_MOUNTS.tmp, false),
          mount('openbao-token', STORE_BACKUP_MOUNTS.openbaoToken, true),
          mount('internal-ca', TRUST_DIRECTORY, true),
        ],
        // The bao client keeps a token helper file in HOME.
        { resources: EXPORT_RESOURCES, ephemeralStorageMi: 256, env: [{ name: 'HOME', value: STORE_BACKUP_MOUNTS.tmp }] },
      ),
    ],
    container: uploadContainer(config, plan, mount('staging', STORE_BACKUP_MOUNTS.staging, true)),
    volumes: [
      { kind: 'scratch', name: 'staging', sizeLimitMi: STAGING_MI },
      ...SHARED_VOLUMES,
      { kind: 'token', name: 'openbao-token', audience: OPENBAO_AUDIENCE, expirationSeconds: 600 },
      { kind: 'configMap', name: 'internal-ca', configMapName: names.trustBundle },
    ],
  };
}

/** The backup jobs of one homeserver compartment (directory or media; none elsewhere). */
export function storeBackupJobsIn(config: DeploymentConfig, homeserver: HomeserverSettings, compartment: string): ScheduledJobSpec[] {
  return homeserverStoreBackups(config, homeserver)
    .filter((plan) => plan.compartment === compartment)
    .map((plan) => (plan.store === 'directory' ? directoryBackup(config, homeserver, plan) : mediaBackup(config, homeserver, plan)));
}
