/**
 * The programs of the store backup jobs (directory, secret store, media volume): what each
 * container runs, as constant `sh` scripts that take every value from their environment, and
 * that environment. Nothing from the configuration is ever script text: the only inputs are
 * environment values the renderer checks against a grammar, and files mounted into the pod.
 *
 * A job is an export step (an init container from the store's own image, writing into the
 * staging volume) and an upload step (rclone's image) that:
 *  - configures rclone only through `RCLONE_CONFIG_<REMOTE>_<OPTION>` variables: a remote
 *    `store` (S3, server-side encryption by the store) and a remote `vault` (crypt over
 *    `store:<bucket>/<prefix>`) that encrypts every file client-side (XSalsa20-Poly1305, file
 *    names too) with the operator's password and salt, read from the keys volume and obscured
 *    with `rclone obscure -` from standard input, never a command line;
 *  - uploads into a new folder named by the UTC time of the run (`20261206T023000Z`), or for
 *    the media volume syncs `current/` and moves every replaced or deleted file into
 *    `replaced/<time>/`;
 *  - prunes after a successful upload: the time folders older than the retention, found by
 *    their names (the time of the run), never by a file's modification time (a replaced media
 *    file keeps its original time, which may be years old), and never anything outside its
 *    prefix or not named like a run.
 *
 * The S3 keys are the workload's to fill (`STORE_BACKUP_SECRET_ENV`, by secretKeyRef); the
 * password and salt are files of the keys volume (`STORE_BACKUP_KEY_FILES`). A restore uses
 * `vaultEnvironment` (the same remotes) plus those keys: `rclone copy vault:<time> <dir>`.
 */
import { OBJECT_STORE_GRAMMAR } from '../config/object-store-grammar';
import { OPENLDAP_PATHS, type OpenLdapLayout } from './openldap';

export type BackedUpStore = 'directory' | 'secret-store' | 'media';

/** Where the backup goes (from backup.objectStore and the store's prefix/retention). */
export interface StoreBackupTarget {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region?: string;
  readonly encryption: 'AES256' | 'aws:kms';
  readonly kmsKeyId?: string;
  /** e.g. `<deployment>/<homeserver>/directory`; no leading or trailing slash. */
  readonly prefix: string;
  readonly retentionDays: number;
}

export interface EnvironmentValue {
  readonly name: string;
  readonly value: string;
}

export interface ContainerProgram {
  /** argv: ['/bin/sh', '-c', SCRIPT] (the script text is a constant). */
  readonly command: readonly string[];
  /** Non-secret environment, values from the target/config. */
  readonly env: readonly EnvironmentValue[];
}

/**
 * Mount paths inside the job pod. `staging`: an emptyDir shared by the export and upload
 * containers; `keys`: the Secret with the encryption password and salt; `data`: the media
 * volume (read-only, upload container of the media job); `tmp`: an emptyDir for scratch files
 * (the directory export's cn=config, rclone's cache); `openbaoToken`: the projected service
 * account token (audience OpenBao), file `OPENBAO_TOKEN_FILE`. The directory export also
 * mounts the server's configuration ConfigMap at `DIRECTORY_EXPORT_MOUNTS.config` and its data
 * volume at `DIRECTORY_EXPORT_MOUNTS.data` (the rendered cn=config names those paths, exactly
 * as the server sees them).
 */
export const STORE_BACKUP_MOUNTS = {
  staging: '/staging',
  keys: '/secrets/store-backup',
  data: '/data',
  tmp: '/tmp',
  openbaoToken: '/var/run/secrets/openbao',
} as const;

/**
 * Where the directory export finds the server's configuration (the slapd-config.ldif ConfigMap)
 * and its data. The data volume is mounted read-write, in the export (init) container only:
 * back-mdb refuses a read-only directory in every mode, slapcat included (it probes the
 * directory by creating a file; the drill shows the refusal). slapcat opens the database
 * read-only and takes a reader slot in lock.mdb, so slapd, still serving, never reuses the
 * pages it reads: the export is consistent, and the data file stays byte-identical (the drill
 * checks its digest). The container must run as the directory's user (the files are 0600).
 */
export const DIRECTORY_EXPORT_MOUNTS = {
  config: OPENLDAP_PATHS.configDirectory,
  data: OPENLDAP_PATHS.dataDirectory,
} as const;

/** The projected token's file name under `STORE_BACKUP_MOUNTS.openbaoToken`. */
export const OPENBAO_TOKEN_FILE = 'token';

/** Env vars the workload fills with secretKeyRef (S3 keys): rclone reads them as the `store` remote's options. */
export const STORE_BACKUP_SECRET_ENV = {
  accessKeyId: 'RCLONE_CONFIG_STORE_ACCESS_KEY_ID',
  secretAccessKey: 'RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY',
} as const;

/** File names (Secret keys) of the encryption password and salt in the keys volume; the first line of each is the value. */
export const STORE_BACKUP_KEY_FILES = { password: 'password', salt: 'salt' } as const;

/** The files each export leaves in the staging volume (and so in each time folder of the bucket). */
export const STAGED_FILES = { directory: 'directory.ldif', 'secret-store': 'openbao.snap' } as const;

/** A run's folder name: its UTC time, second precision (sorts as it happened). */
export const RUN_FOLDER_PATTERN = /^[0-9]{8}T[0-9]{6}Z$/;

/** Bounds checked here too: the renderer refuses what the config grammar would (a programming error otherwise). */
const MAX_RETENTION_DAYS = 3650;
const PREFIX_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?){0,7}$/;
const KMS_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:/_.-]{0,255}$/;
const OPENBAO_ROLE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const OPENBAO_ADDRESS_PATTERN = /^https:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/;
const ABSOLUTE_PATH_PATTERN = /^(\/[A-Za-z0-9._-]+)+$/;

function checked(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value) || value.split('/').some((segment) => segment === '..' || segment === '.'))
    throw new Error(`store backup: ${what} ${JSON.stringify(value)} does not match ${String(pattern)}`);
  return value;
}

function checkedTarget(target: StoreBackupTarget): StoreBackupTarget {
  checked('endpoint', target.endpoint, OBJECT_STORE_GRAMMAR.endpoint.pattern);
  checked('bucket', target.bucket, OBJECT_STORE_GRAMMAR.bucket.pattern);
  checked('prefix', target.prefix, PREFIX_PATTERN);
  if (target.region !== undefined) checked('region', target.region, OBJECT_STORE_GRAMMAR.region.pattern);
  if (target.encryption === 'aws:kms') {
    if (target.kmsKeyId === undefined) throw new Error('store backup: aws:kms needs a kmsKeyId');
    checked('KMS key id', target.kmsKeyId, KMS_KEY_PATTERN);
  } else if (target.kmsKeyId !== undefined) throw new Error('store backup: a kmsKeyId is only used with aws:kms');
  if (!Number.isInteger(target.retentionDays) || target.retentionDays < 1 || target.retentionDays > MAX_RETENTION_DAYS)
    throw new Error(`store backup: retention must be 1 to ${MAX_RETENTION_DAYS} days, not ${target.retentionDays}`);
  return target;
}

const env = (name: string, value: string): EnvironmentValue => ({ name, value });

/**
 * The two rclone remotes, as environment (no config file: `RCLONE_CONFIG=/dev/null` keeps the
 * configuration in memory). `vault:` is the target's prefix, encrypted; `store:` is only ever
 * reached through it. Directory names stay readable (the run times), file names are encrypted.
 */
export function vaultEnvironment(target: StoreBackupTarget): EnvironmentValue[] {
  const { endpoint, bucket, region, encryption, kmsKeyId, prefix } = checkedTarget(target);
  return [
    env('RCLONE_CONFIG', '/dev/null'),
    env('RCLONE_CACHE_DIR', `${STORE_BACKUP_MOUNTS.tmp}/rclone`),
    env('RCLONE_CONFIG_STORE_TYPE', 's3'),
    env('RCLONE_CONFIG_STORE_PROVIDER', 'Other'),
    env('RCLONE_CONFIG_STORE_ENV_AUTH', 'false'),
    env('RCLONE_CONFIG_STORE_ENDPOINT', endpoint.replace(/\/$/, '')),
    ...(region !== undefined ? [env('RCLONE_CONFIG_STORE_REGION', region)] : []),
    env('RCLONE_CONFIG_STORE_FORCE_PATH_STYLE', 'true'),
    // The bucket exists (the site provides it): the job never tries to create one.
    env('RCLONE_CONFIG_STORE_NO_CHECK_BUCKET', 'true'),
    env('RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION', encryption),
    ...(kmsKeyId !== undefined ? [env('RCLONE_CONFIG_STORE_SSE_KMS_KEY_ID', kmsKeyId)] : []),
    env('RCLONE_CONFIG_VAULT_TYPE', 'crypt'),
    env('RCLONE_CONFIG_VAULT_REMOTE', `store:${bucket}/${prefix}`),
    env('RCLONE_CONFIG_VAULT_FILENAME_ENCRYPTION', 'standard'),
    env('RCLONE_CONFIG_VAULT_FILENAME_ENCODING', 'base32'),
    env('RCLONE_CONFIG_VAULT_DIRECTORY_NAME_ENCRYPTION', 'false'),
  ];
}

/** Environment names of the scripts' own inputs. */
export const STORE_BACKUP_ENV = {
  staging: 'STORE_BACKUP_STAGING',
  keys: 'STORE_BACKUP_KEYS',
  data: 'STORE_BACKUP_DATA',
  retentionDays: 'STORE_BACKUP_RETENTION_DAYS',
  slapadd: 'STORE_BACKUP_SLAPADD',
  slapcat: 'STORE_BACKUP_SLAPCAT',
  slapdConfig: 'STORE_BACKUP_SLAPD_CONFIG',
  slapdDirectory: 'STORE_BACKUP_SLAPD_DIRECTORY',
  openbaoRole: 'STORE_BACKUP_OPENBAO_ROLE',
  openbaoJwt: 'STORE_BACKUP_OPENBAO_JWT',
  restoreSource: 'STORE_BACKUP_RESTORE_SOURCE',
  restoreDestination: 'STORE_BACKUP_RESTORE_DESTINATION',
} as const;

const E = STORE_BACKUP_ENV;

/**
 * Directory export: cn=config from the server's own rendered LDIF into a scratch slapd.d, then
 * slapcat of the data database (read-only, see DIRECTORY_EXPORT_MOUNTS) into the staging volume.
 */
export const DIRECTORY_EXPORT_SCRIPT = `set -eu
umask 077
rm -rf "$${E.slapdDirectory}"
mkdir -p "$${E.slapdDirectory}"
"$${E.slapadd}" -n 0 -F "$${E.slapdDirectory}" -l "$${E.slapdConfig}"
"$${E.slapcat}" -n 1 -F "$${E.slapdDirectory}" -l "$${E.staging}/${STAGED_FILES.directory}"
entries=$(grep -c '^dn:' "$${E.staging}/${STAGED_FILES.directory}" || true)
test "$entries" -gt 0 || { echo "directory-backup: the export holds no entry" >&2; exit 1; }
echo "directory-backup: exported $entries entries"
`;

/** Login with the pod's projected token (role and token path from the environment); the token is revoked on exit. */
export const OPENBAO_LOGIN_SCRIPT = `BAO_TOKEN="$(bao write -field=token auth/kubernetes/login role="$${E.openbaoRole}" jwt=@"$${E.openbaoJwt}")"
export BAO_TOKEN
trap 'bao token revoke -self >/dev/null 2>&1 || true' EXIT
`;

/** The snapshot, with the token in BAO_TOKEN (policy raft-snapshot: read on sys/storage/raft/snapshot, nothing else). */
export const OPENBAO_SNAPSHOT_SCRIPT = `bao operator raft snapshot save "$${E.staging}/${STAGED_FILES['secret-store']}"
test -s "$${E.staging}/${STAGED_FILES['secret-store']}" || { echo "secret-store-backup: empty snapshot" >&2; exit 1; }
echo "secret-store-backup: snapshot of $(wc -c < "$${E.staging}/${STAGED_FILES['secret-store']}") bytes"
`;

const PREAMBLE = `set -eu
umask 077
`;

/** The crypt keys: first line of each file, obscured from standard input (never an argument), never empty. */
const KEYS_SCRIPT = `for file in "$${E.keys}/${STORE_BACKUP_KEY_FILES.password}" "$${E.keys}/${STORE_BACKUP_KEY_FILES.salt}"; do
  test -n "$(head -n 1 "$file")" || { echo "store-backup: $file is missing or empty" >&2; exit 1; }
done
RCLONE_CONFIG_VAULT_PASSWORD="$(rclone obscure - < "$${E.keys}/${STORE_BACKUP_KEY_FILES.password}")"
RCLONE_CONFIG_VAULT_PASSWORD2="$(rclone obscure - < "$${E.keys}/${STORE_BACKUP_KEY_FILES.salt}")"
export RCLONE_CONFIG_VAULT_PASSWORD RCLONE_CONFIG_VAULT_PASSWORD2
run="$(date -u +%Y%m%dT%H%M%SZ)"
`;

/** Upload of the staged files into a new run folder, then a check of every file against the encrypted copy. */
const STAGED_UPLOAD_SCRIPT = `test -n "$(ls -A "$${E.staging}")" || { echo "store-backup: nothing staged" >&2; exit 1; }
rclone copy --immutable "$${E.staging}" "vault:$run"
rclone cryptcheck "$${E.staging}" "vault:$run"
echo "store-backup: uploaded run $run"
`;

/** The media volume: current/ made equal to the volume, what it replaces or deletes kept under replaced/<run>. */
const MEDIA_SYNC_SCRIPT = `test -d "$${E.data}" || { echo "media-backup: $${E.data} is not mounted" >&2; exit 1; }
rclone sync "$${E.data}" vault:current --backup-dir "vault:replaced/$run"
echo "media-backup: synced, replaced files under replaced/$run"
`;

/**
 * Removes the run folders under `$root` (relative to the vault) whose name is older than the
 * retention. Only names of the run pattern count; the comparison is on their digits. Runs only
 * after the upload succeeded; a listing that fails (media's first run has no replaced/ yet)
 * prunes nothing this time, and the next run prunes.
 */
const PRUNE_SCRIPT = `cutoff="$(date -u -d "@$(( $(date -u +%s) - $${E.retentionDays} * 86400 ))" +%Y%m%d%H%M%S)"
rclone lsf --dirs-only "vault:$root" | while IFS= read -r entry; do
  name="\${entry%/}"
  case "$name" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
    *) continue ;;
  esac
  digits="$(printf '%s' "$name" | tr -d 'TZ')"
  if [ "$digits" -lt "$cutoff" ]; then
    rclone purge "vault:$root$name"
    echo "store-backup: pruned $root$name"
  fi
done
`;

export const UPLOAD_SCRIPTS: Readonly<Record<BackedUpStore, string>> = {
  directory: `${PREAMBLE}${KEYS_SCRIPT}${STAGED_UPLOAD_SCRIPT}root=''\n${PRUNE_SCRIPT}`,
  'secret-store': `${PREAMBLE}${KEYS_SCRIPT}${STAGED_UPLOAD_SCRIPT}root=''\n${PRUNE_SCRIPT}`,
  media: `${PREAMBLE}${KEYS_SCRIPT}${MEDIA_SYNC_SCRIPT}root='replaced/'\n${PRUNE_SCRIPT}`,
};

/**
 * A restore's download: the run folder (or the media's `current`) named in the environment,
 * decrypted into the destination. Decryption authenticates every block: a changed object fails.
 */
export const RESTORE_SCRIPT = `${PREAMBLE}${KEYS_SCRIPT}case "$${E.restoreSource}" in
  current | [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
  *) echo "store-restore: $${E.restoreSource} is neither a run folder nor current" >&2; exit 1 ;;
esac
rclone copy "vault:$${E.restoreSource}" "$${E.restoreDestination}"
echo "store-restore: $${E.restoreSource} restored into $${E.restoreDestination}"
`;

const sh = (script: string): readonly string[] => ['/bin/sh', '-c', script];

/**
 * The directory export (init container, the directory's image, the directory's user). Mounts:
 * the server's configuration ConfigMap at `DIRECTORY_EXPORT_MOUNTS.config`, its data volume
 * (read-write, see there) at `DIRECTORY_EXPORT_MOUNTS.data`, `staging` and `tmp` emptyDirs. The layout names the image's
 * slapadd and slapcat.
 */
export function directoryExport(layout: OpenLdapLayout): ContainerProgram {
  return {
    command: sh(DIRECTORY_EXPORT_SCRIPT),
    env: [
      env(E.slapadd, checked('slapadd', layout.slapadd, ABSOLUTE_PATH_PATTERN)),
      env(E.slapcat, checked('slapcat', layout.slapcat, ABSOLUTE_PATH_PATTERN)),
      env(E.slapdConfig, `${DIRECTORY_EXPORT_MOUNTS.config}/slapd-config.ldif`),
      env(E.slapdDirectory, `${STORE_BACKUP_MOUNTS.tmp}/slapd.d`),
      env(E.staging, STORE_BACKUP_MOUNTS.staging),
    ],
  };
}

/**
 * The secret store's export (init container, the OpenBao image): Kubernetes login as `role`
 * with the projected token at `tokenPath`, then a raft snapshot into the staging volume.
 * `address` is OpenBao's API (https), `caPath` the trust bundle's CA file.
 */
export function secretStoreExport(input: { address: string; role: string; tokenPath: string; caPath: string }): ContainerProgram {
  return {
    command: sh(`${PREAMBLE}${OPENBAO_LOGIN_SCRIPT}${OPENBAO_SNAPSHOT_SCRIPT}`),
    env: [
      env('BAO_ADDR', checked('OpenBao address', input.address, OPENBAO_ADDRESS_PATTERN)),
      env('BAO_CACERT', checked('CA path', input.caPath, ABSOLUTE_PATH_PATTERN)),
      env(E.openbaoRole, checked('OpenBao role', input.role, OPENBAO_ROLE_PATTERN)),
      env(E.openbaoJwt, checked('token path', input.tokenPath, ABSOLUTE_PATH_PATTERN)),
      env(E.staging, STORE_BACKUP_MOUNTS.staging),
    ],
  };
}

/**
 * The upload container (image `images.storeBackup`, rclone): the store's script, the remotes,
 * the retention. The workload adds `STORE_BACKUP_SECRET_ENV` by secretKeyRef and mounts
 * `keys` (and `staging`, or `data` read-only for media, and `tmp`).
 */
export function upload(store: BackedUpStore, target: StoreBackupTarget): ContainerProgram {
  return {
    command: sh(UPLOAD_SCRIPTS[store]),
    env: [
      ...vaultEnvironment(target),
      env(E.keys, STORE_BACKUP_MOUNTS.keys),
      store === 'media' ? env(E.data, STORE_BACKUP_MOUNTS.data) : env(E.staging, STORE_BACKUP_MOUNTS.staging),
      env(E.retentionDays, String(target.retentionDays)),
    ],
  };
}

/**
 * The download of a restore (rclone's image, or rclone on an operator's machine with the same
 * environment): `source` is a run folder (`rclone lsf --dirs-only vault:` lists them; the
 * newest sorts last) or, for media, `current`; `destination` an empty directory. The keys come
 * as for the upload: STORE_BACKUP_SECRET_ENV and the keys volume at `STORE_BACKUP_MOUNTS.keys`.
 */
export function restore(target: StoreBackupTarget, source: string, destination: string): ContainerProgram {
  if (source !== 'current' && !RUN_FOLDER_PATTERN.test(source))
    throw new Error(`store backup: ${JSON.stringify(source)} is not a run folder`);
  return {
    command: sh(RESTORE_SCRIPT),
    env: [
      ...vaultEnvironment(target),
      env(E.keys, STORE_BACKUP_MOUNTS.keys),
      env(E.restoreSource, source),
      env(E.restoreDestination, checked('restore destination', destination, ABSOLUTE_PATH_PATTERN)),
    ],
  };
}
