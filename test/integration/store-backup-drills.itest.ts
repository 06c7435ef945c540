/**
 * Store backup drills with the real software on loopback: the containers of the synthesized
 * backup jobs (workloads/store-backups.ts: their commands, environment, mounts and volumes, the
 * programs of render/store-backup.ts) run as the pods would, unprivileged (nobody), the Alpine
 * images' steps with BusyBox's sh and tools and rclone built at the image's version, into a
 * real S3-compatible server (versitygw) over HTTPS with a certificate from the test CA. Each
 * container has a directory standing in for its `/`, with exactly the job's mounts as bind
 * mounts in the sandbox's mount namespace (read-only where the job says so: writes fail with
 * EROFS, as in a pod) and the values naming mount paths mapped as support/loopback.ts does.
 * The directory's image is Bitnami's; the drill runs Debian's OpenLDAP, so its paths are
 * Debian's. Restores run the rendered restore program (the operator's step).
 *
 *  1. Directory: Debian's slapd with the rendered cn=config and entries, serving; the job's
 *     export (slapcat; it refuses a read-only volume, shown first, so the export container
 *     mounts it read-write and the data file stays byte-identical) and upload; the object is
 *     ciphertext; the data volume is wiped; the run is downloaded and decrypted, imported with
 *     slapadd into a fresh volume: every entry equal (DN and every attribute), and the
 *     restored server serves them. A second run prunes only run folders older than the
 *     retention, under its own prefix.
 *  2. Secret store: OpenBao (raft storage, static seal, TLS) with Kubernetes auth reviewing
 *     tokens at a real kube-apiserver (the engine tier's build), the backup's policy and role
 *     as the configurator writes them; the job logs in with its projected token (audience
 *     OpenBao), snapshots and revokes its token; the
 *     role's token can read, list or restore nothing; tokens for another audience or service
 *     account are refused; upload; the server and its storage are lost; a new server restores
 *     the downloaded snapshot and the secret reads back (not with another seal key).
 *  3. Media volume: files uploaded; one changed, one deleted, one added; a second run; the
 *     restore of current/ equals the new state, and the replaced and deleted versions are under
 *     replaced/<run>; pruning removes old run folders of replaced/ only, never current/.
 *
 * Measurements go to reports/backup-drills/store-backup-drills.{json,md} (docs/testing.md, "Store backup drills").
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames } from '../../model/platform';
import type { JobContainer, ScheduledJobSpec } from '../../model/scheduled-job';
import { RAFT_SNAPSHOT_POLICY, roleDocument, STORE_BACKUP_ROLE } from '../../model/secret-access';
import { homeserverStoreBackups, secretStoreBackup } from '../../model/store-backups';
import { renderOpenBaoPolicy } from '../../render/openbao/policy';
import {
  BITNAMI_LAYOUT,
  DEBIAN_LAYOUT,
  OPENLDAP_PATHS,
  renderSlapdConfig,
  slapdCommand,
  slapdInitCommands,
  type OpenLdapPaths,
} from '../../render/openldap';
import { BACKUP_CREDENTIAL_KEYS } from '../../render/postgres-backup';
import {
  DIRECTORY_EXPORT_MOUNTS,
  OPENBAO_TOKEN_FILE,
  restore,
  STAGED_FILES,
  STORE_BACKUP_KEY_FILES,
  STORE_BACKUP_MOUNTS,
  STORE_BACKUP_SECRET_ENV,
  type BackedUpStore,
  type ContainerProgram,
  type StoreBackupTarget,
} from '../../render/store-backup';
import { openBaoAccess } from '../../workloads/secrets';
import { secretStoreBackupJob, storeBackupJobsIn, STORE_BACKUP_SECRETS } from '../../workloads/store-backups';
import { ensureEngineTool } from '../engine/support/tools/go-tools';
import { ensureOpenBao } from '../engine/support/tools/operators';
import { rcloneBinary } from '../support/rclone';
import { Sandbox, waitFor, type SandboxProcess } from '../support/sandbox';
import { hashPassword, requireOpenLdapTools, tempDirectory } from '../support/slapd';
import { issueServerCertificate, openssl, testCa, type TestCa } from '../support/test-ca';
import { startObjectStore, versitygwBinary, type ObjectStore } from '../support/versitygw';
import { DrillReport, seconds } from './support/drill-report';
import { PROFILE_FILE } from './support/homeserver';
import { toLoopback } from './support/loopback';

jest.setTimeout(10 * 60_000);

const BUSYBOX = '/bin/busybox';
const NOBODY = { uid: 65534, gid: 65534 };
const ADDRESSES = { directory: '127.0.10.5', objectStore: '127.0.10.7', openbao: '127.0.10.9', kubernetesApi: '127.0.10.20' } as const;
/** The API server the OpenBao pod reaches (its Kubernetes auth reviews tokens there). */
const KUBERNETES_API = { host: 'kubernetes.default.svc', port: 6443 } as const;
const DIRECTORY_HOST = 'openldap.drill.test';
const LDAPS_PORT = 1636;
const DAY_MS = 24 * 60 * 60_000;

const config = loadDeploymentConfig(PROFILE_FILE);
const homeserver = config.homeservers[0]!;
const directorySettings = homeserver.directory;
const objectStoreConfig = config.backup.objectStore;
/** The deployment's plans: each store's prefix and retention, as the jobs are synthesized. */
const plans = {
  directory: homeserverStoreBackups(config, homeserver).find((plan) => plan.store === 'directory')!,
  media: homeserverStoreBackups(config, homeserver).find((plan) => plan.store === 'media')!,
  secretStore: secretStoreBackup(config),
};

function target(prefix: string): StoreBackupTarget {
  return {
    endpoint: objectStoreConfig.endpoint,
    bucket: objectStoreConfig.bucket,
    ...(objectStoreConfig.region !== undefined ? { region: objectStoreConfig.region } : {}),
    encryption: objectStoreConfig.encryption,
    ...(objectStoreConfig.kmsKeyId !== undefined ? { kmsKeyId: objectStoreConfig.kmsKeyId } : {}),
    prefix,
    retentionDays: plans.directory.retentionDays,
  };
}

const PREFIXES = {
  directory: plans.directory.prefix,
  otherDirectory: `${config.deploymentName}/other-homeserver/directory`,
  secretStore: plans.secretStore.prefix,
  media: plans.media.prefix,
} as const;

const report = new DrillReport('store-backup-drills');
let run = '';
let sandbox: Sandbox | undefined;
let ca: TestCa;
let objectStore: ObjectStore;
let bin = '';
let rclone = '';
let bao = '';
let failed = false;

const box = () => {
  if (!sandbox) throw new Error('the sandbox did not start');
  return sandbox;
};

function tracked(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

function mkdirs(...directories: string[]): void {
  for (const directory of directories) fs.mkdirSync(directory, { recursive: true, mode: 0o755 });
}

function giveToNobody(entry: string): void {
  fs.chownSync(entry, NOBODY.uid, NOBODY.gid);
  if (fs.statSync(entry).isDirectory()) for (const child of fs.readdirSync(entry)) giveToNobody(path.join(entry, child));
}

/** A pod's root directory: every mount path it uses becomes `<root><path>`. */
function podRoot(name: string): string {
  const root = path.join(run, 'pods', name);
  mkdirs(root);
  return root;
}

/** Where a restore pod downloads to (the operator's choice; an emptyDir or the new volume). */
const RESTORE_MOUNT = '/restore';
const MOUNT_PATHS = [...Object.values(STORE_BACKUP_MOUNTS), ...Object.values(DIRECTORY_EXPORT_MOUNTS), RESTORE_MOUNT];

/** The program's environment as the pod at `root` sees it, plus what the workload adds (S3 keys) and the loopback's tools. */
function podEnvironment(program: ContainerProgram, root: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of program.env) env[name] = toLoopback(value, { root, mountPaths: MOUNT_PATHS, listen: [] });
  return {
    ...env,
    [STORE_BACKUP_SECRET_ENV.accessKeyId]: objectStore.keys.accessKeyId,
    [STORE_BACKUP_SECRET_ENV.secretAccessKey]: objectStore.keys.secretAccessKey,
    // Loopback only: the tools of the container's image, and the test CA the object store's certificate is from.
    PATH: bin,
    HOME: path.join(root, 'tmp'),
    RCLONE_CA_CERT: path.join(run, 'ca.crt'),
    ...extra,
  };
}

/** Runs a container's program in the sandbox as nobody, with BusyBox's sh (Alpine images) or Debian's (the directory's image). */
async function runProgram(
  program: ContainerProgram,
  root: string,
  options: { shell: 'busybox' | 'debian'; extra?: Record<string, string>; script?: string; timeoutMs?: number },
): Promise<{ status: number; output: string; ms: number }> {
  const [, , script] = program.command;
  const env = podEnvironment(program, root, options.extra);
  const shell = options.shell === 'busybox' ? [BUSYBOX, 'sh'] : ['/bin/sh'];
  const started = Date.now();
  const result = await box().exec(
    shell[0]!,
    [...shell.slice(1), '-c', options.script ?? script ?? ''],
    options.timeoutMs ?? 180_000,
    env,
    true,
  );
  return { ...result, ms: Date.now() - started };
}

function succeeded(result: { status: number; output: string }): { status: number; output: string } {
  return { status: result.status, output: result.status === 0 ? '' : result.output };
}

/** A bind mount inside the sandbox: the pod's view of a claim, read-only (`readOnly: true` on the mount) or not. */
async function mountVolume(source: string, destination: string, readOnly: boolean): Promise<void> {
  mkdirs(destination);
  for (const args of [['--bind', source, destination], ...(readOnly ? [['-o', 'remount,bind,ro', destination]] : [])]) {
    const mounted = await box().exec('mount', args);
    if (mounted.status !== 0) throw new Error(`mount ${args.join(' ')}: ${mounted.output}`);
  }
}

async function unmount(destination: string): Promise<void> {
  const result = await box().exec('umount', [destination]);
  if (result.status !== 0) throw new Error(`umount ${destination}: ${result.output}`);
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** An image's paths as Debian's packages have them: the directory image is Bitnami's, the drill runs Debian's OpenLDAP. */
function debianPaths(value: string): string {
  for (const key of Object.keys(BITNAMI_LAYOUT) as (keyof typeof BITNAMI_LAYOUT)[]) {
    const [bitnami, debian] = [BITNAMI_LAYOUT[key], DEBIAN_LAYOUT[key]];
    if (typeof bitnami === 'string' && typeof debian === 'string' && value === bitnami) return debian;
  }
  return value;
}

/** A directory with the files of a Secret or ConfigMap volume, readable by the pod's user. */
function volumeWith(name: string, files: Readonly<Record<string, string>>): string {
  const directory = path.join(run, 'volumes', `${name}-${randomBytes(4).toString('hex')}`);
  mkdirs(directory);
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(directory, file), content, { mode: 0o400 });
  giveToNobody(directory);
  return directory;
}

function emptyVolume(name: string): string {
  return volumeWith(name, {});
}

/**
 * One run of a synthesized job's pod: each container gets its own root with exactly the
 * mounts the job spec gives it (read-only where it says so), its environment mapped to that
 * root, and runs its command as the pod's user would (nobody here), with BusyBox's sh for the
 * Alpine images (rclone, OpenBao) and Debian's for the directory's.
 */
class JobPod {
  private static runs = 0;
  private readonly index = (JobPod.runs += 1);
  private readonly volumes: Readonly<Record<string, string>>;

  /** `volumes`: the host directory standing in for each volume of the job (given the pod, for files naming its paths). */
  constructor(
    readonly job: ScheduledJobSpec,
    volumes: (pod: JobPod) => Readonly<Record<string, string>>,
  ) {
    this.volumes = volumes(this);
    const missing = job.volumes.map((volume) => volume.name).filter((name) => !(name in this.volumes));
    if (missing.length > 0) throw new Error(`${job.name}: no source for the volumes ${missing.join(', ')}`);
  }

  container(name: string): JobContainer {
    const found = [...this.job.initContainers, this.job.container].find((candidate) => candidate.name === name);
    if (!found) throw new Error(`${this.job.name} has no container ${name}`);
    return found;
  }

  /** The directory standing in for a container's `/`. */
  root(name: string): string {
    return path.join(run, 'pods', `${this.job.name}-${this.index}-${name}`);
  }

  volume(name: string): string {
    const directory = this.volumes[name];
    if (directory === undefined) throw new Error(`${this.job.name} has no volume ${name}`);
    return directory;
  }

  /** Runs one container; `readOnly` overrides a mount's flag (to show why the spec chose it). */
  async run(
    name: string,
    options: { readOnly?: Readonly<Record<string, boolean>>; extra?: Record<string, string> } = {},
  ): Promise<{ status: number; output: string; ms: number }> {
    const container = this.container(name);
    const root = this.root(name);
    mkdirs(root);
    const mounted: string[] = [];
    try {
      for (const mount of container.mounts) {
        const destination = path.join(root, mount.mountPath);
        await mountVolume(this.volume(mount.volume), destination, options.readOnly?.[mount.volume] ?? mount.readOnly);
        mounted.unshift(destination);
      }
      const mountPaths = container.mounts.map((mount) => mount.mountPath);
      const env: Record<string, string> = {};
      for (const { name: variable, value } of container.env)
        env[variable] = debianPaths(toLoopback(value, { root, mountPaths, listen: [] }));
      expect(container.secretEnv).toEqual([]);
      const alpine = !container.image.includes('openldap');
      const [shell, flag, script] = container.command;
      expect([shell, flag]).toEqual(['/bin/sh', '-c']);
      const started = Date.now();
      const result = await box().exec(
        alpine ? BUSYBOX : '/bin/sh',
        [...(alpine ? ['sh'] : []), '-c', script ?? ''],
        180_000,
        {
          // Loopback only: the images' tools, the test CA the object store's certificate is from, a HOME the user can write.
          PATH: bin,
          RCLONE_CA_CERT: path.join(run, 'ca.crt'),
          HOME: path.join(root, STORE_BACKUP_MOUNTS.tmp),
          ...env,
          ...options.extra,
        },
        true,
      );
      return { ...result, ms: Date.now() - started };
    } finally {
      for (const destination of mounted) await unmount(destination);
    }
  }
}

/** The job's Secrets as External Secrets writes them: the backup store's S3 keys and the encryption keys. */
function jobSecrets(): Record<'keys' | 's3-keys', string> {
  return {
    keys: volumeWith(STORE_BACKUP_SECRETS.encryption, {
      [STORE_BACKUP_KEY_FILES.password]: cryptKeys.password,
      [STORE_BACKUP_KEY_FILES.salt]: cryptKeys.salt,
    }),
    's3-keys': volumeWith(STORE_BACKUP_SECRETS.s3, {
      [BACKUP_CREDENTIAL_KEYS.accessKeyId]: objectStore.keys.accessKeyId,
      [BACKUP_CREDENTIAL_KEYS.secretAccessKey]: objectStore.keys.secretAccessKey,
    }),
  };
}

/** The keys volume: the operator's password and salt, one line each (as External Secrets writes them, no newline). */
function writeKeys(root: string, keys: { password: string; salt: string }): void {
  const directory = toLoopback(STORE_BACKUP_MOUNTS.keys, { root, mountPaths: MOUNT_PATHS, listen: [] });
  mkdirs(directory);
  fs.writeFileSync(path.join(directory, STORE_BACKUP_KEY_FILES.password), keys.password, { mode: 0o400 });
  fs.writeFileSync(path.join(directory, STORE_BACKUP_KEY_FILES.salt), keys.salt, { mode: 0o400 });
}

const cryptKeys = { password: randomBytes(24).toString('base64url'), salt: randomBytes(24).toString('base64url') };

/** A scratch pod for downloads, with the keys: the operator's restore. */
function restorePod(name: string): string {
  const root = podRoot(name);
  writeKeys(root, cryptKeys);
  mkdirs(path.join(root, 'tmp'), path.join(root, 'restore'));
  giveToNobody(root);
  return root;
}

async function tryDownload(
  prefix: string,
  source: string,
  name: string,
  keys: { password: string; salt: string } = cryptKeys,
): Promise<{ directory: string; status: number; output: string; ms: number }> {
  const root = podRoot(name);
  writeKeys(root, keys);
  mkdirs(path.join(root, 'tmp'), path.join(root, RESTORE_MOUNT));
  giveToNobody(root);
  const result = await runProgram(restore(target(prefix), source, RESTORE_MOUNT), root, { shell: 'busybox' });
  return { directory: path.join(root, RESTORE_MOUNT), ...result };
}

async function download(store: BackedUpStore, prefix: string, source: string, name: string): Promise<{ directory: string; ms: number }> {
  const result = await tryDownload(prefix, source, name);
  expect({ store, ...succeeded(result) }).toEqual({ store, status: 0, output: '' });
  return result;
}

/** rclone with a target's remotes, as root inside the sandbox, for the drill's own setup and inspection (not a rendered program). */
async function rcloneAs(prefix: string, args: readonly string[], extra: Record<string, string> = {}): Promise<string> {
  const root = restorePod(`inspect-${randomBytes(4).toString('hex')}`);
  const env = podEnvironment(restore(target(prefix), 'current', RESTORE_MOUNT), root);
  const keys = path.join(root, STORE_BACKUP_MOUNTS.keys);
  const obscure = (file: string) => spawnSync(rclone, ['obscure', '-'], { input: fs.readFileSync(file), encoding: 'utf8' }).stdout.trim();
  const result = await box().exec(rclone, args, 60_000, {
    ...env,
    RCLONE_CONFIG_VAULT_PASSWORD: obscure(path.join(keys, STORE_BACKUP_KEY_FILES.password)),
    RCLONE_CONFIG_VAULT_PASSWORD2: obscure(path.join(keys, STORE_BACKUP_KEY_FILES.salt)),
    ...extra,
  });
  if (result.status !== 0) throw new Error(`rclone ${args.join(' ')}: ${result.output}`);
  return result.output;
}

/** Run folder names (the runs' UTC times) under `vault:<folder>` of a prefix. */
async function runFolders(prefix: string, folder = ''): Promise<string[]> {
  return (await rcloneAs(prefix, ['lsf', '--dirs-only', `vault:${folder}`]))
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/\/$/, ''))
    .sort();
}

function runName(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.[0-9]{3}Z$/, 'Z');
}

/** A small object under `vault:<folder>/planted.txt` of a prefix (folders named like runs of other times). */
async function plant(prefix: string, folder: string): Promise<void> {
  const file = path.join(run, `planted-${randomBytes(4).toString('hex')}.txt`);
  fs.writeFileSync(file, `planted under ${folder}\n`);
  await rcloneAs(prefix, ['copyto', file, `vault:${folder}/planted.txt`]);
}

/** The objects the bucket holds under a prefix: versitygw's posix backend keeps each one as a file. */
function objectsUnder(prefix: string): { key: string; bytes: Buffer }[] {
  const base = path.join(objectStore.root, objectStoreConfig.bucket);
  const found: { key: string; bytes: Buffer }[] = [];
  const visit = (directory: string) => {
    if (!fs.existsSync(directory)) return;
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else found.push({ key: path.relative(base, full), bytes: fs.readFileSync(full) });
    }
  };
  visit(path.join(base, prefix));
  return found;
}

/** Every object is rclone crypt's format (magic `RCLONE\0\0`, then a nonce and sealed blocks) and holds none of `plaintexts`. */
function expectCiphertext(prefix: string, plaintexts: readonly string[]): number {
  const objects = objectsUnder(prefix);
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) {
    expect({ key: object.key, magic: object.bytes.subarray(0, 8).toString('latin1') }).toEqual({ key: object.key, magic: 'RCLONE\0\0' });
    for (const text of plaintexts) {
      expect({ key: object.key, contains: object.bytes.includes(Buffer.from(text)) }).toEqual({ key: object.key, contains: false });
      expect(object.key).not.toContain(text);
    }
  }
  return objects.reduce((sum, object) => sum + object.bytes.length, 0);
}

beforeAll(
  tracked(async () => {
    const started = Date.now();
    requireOpenLdapTools();
    if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox (apt-get install busybox)`);
    rclone = rcloneBinary();
    bao = ensureOpenBao();
    ensureEngineTool('etcd');
    ensureEngineTool('kube-apiserver');
    versitygwBinary();
    report.fact('tier', 'tools ready (s, cached after the first run)', seconds(Date.now() - started));

    run = tempDirectory('store-drills-');
    fs.chmodSync(run, 0o755);
    const storeHost = new URL(objectStoreConfig.endpoint).hostname;
    const openbaoHost = new URL(platformNames(config.deploymentName).openbaoAddress).hostname;
    sandbox = await Sandbox.create(
      run,
      {
        [storeHost]: ADDRESSES.objectStore,
        [openbaoHost]: ADDRESSES.openbao,
        [DIRECTORY_HOST]: ADDRESSES.directory,
        [KUBERNETES_API.host]: ADDRESSES.kubernetesApi,
      },
      '127.0.0.53',
    );
    mkdirs(path.join(run, 'ca'));
    ca = testCa(path.join(run, 'ca'));
    fs.copyFileSync(ca.certificate, path.join(run, 'ca.crt'));
    fs.chmodSync(path.join(run, 'ca.crt'), 0o644);
    objectStore = startObjectStore(box(), {
      directory: path.join(run, 'object-store'),
      address: ADDRESSES.objectStore,
      dnsName: storeHost,
      ca,
    });
    await waitFor(
      'the object store',
      Date.now() + 60_000,
      () => box().acceptsTcp(ADDRESSES.objectStore, 443),
      () => box().assertRunning(objectStore.process),
    );
    // The images' tools: BusyBox's applets (rclone's and OpenBao's images are Alpine), rclone and bao.
    bin = path.join(run, 'bin');
    mkdirs(bin);
    const installed = spawnSync(BUSYBOX, ['--install', '-s', bin], { encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`busybox --install: ${installed.stderr}`);
    for (const [name, binary] of [
      ['rclone', rclone],
      ['bao', bao],
    ] as const) {
      fs.rmSync(path.join(bin, name), { force: true });
      fs.copyFileSync(binary, path.join(bin, name));
      fs.chmodSync(path.join(bin, name), 0o755);
    }
    // The bucket exists before any job runs (the site provides it): made here with the root keys.
    await rcloneAs(PREFIXES.directory, ['mkdir', `store:${objectStoreConfig.bucket}`], {
      RCLONE_CONFIG_STORE_NO_CHECK_BUCKET: 'false',
    });
  }),
  30 * 60_000,
);

afterAll(async () => {
  process.stdout.write(`\n${report.write()}\n`);
  await sandbox?.stop();
  if (run && !failed && process.env.MATRIX_ITEST_KEEP !== '1') fs.rmSync(run, { recursive: true, force: true });
  else if (run) process.stderr.write(`\nstore backup drills: run directory KEPT at ${run} (logs under logs/)\n`);
}, 60_000);

// ---------------------------------------------------------------------------------------------
// 1. Directory

const passwords = { reader: randomBytes(18).toString('base64url'), alice: randomBytes(18).toString('base64url') };

function person(uid: string, member: boolean): string {
  return [
    `dn: uid=${uid},${directorySettings.usersDn}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${uid} of the agency`,
    `sn: ${uid}`,
    `mail: ${uid}@agency.example.org`,
    `userPassword: ${hashPassword(uid === 'alice' ? passwords.alice : randomBytes(12).toString('hex'))}`,
    ...(member ? [`memberOf: ${directorySettings.admissionGroup}`] : []),
    '',
  ].join('\n');
}

/** Twelve people (the server's size limit bounds a search; every entry is compared through slapcat instead). */
const SAMPLE_FILTER = '(|(uid=alice)(uid=bob)(uid=person1?))';
const PEOPLE = ['alice', 'bob', ...Array.from({ length: 200 }, (_, index) => `person${index}`)];

function bootstrapLdif(): string {
  const base = directorySettings.baseDn;
  const dc = /^dc=([^,]+)/.exec(base)?.[1] ?? 'agency';
  const members = PEOPLE.filter((_, index) => index % 2 === 0);
  return [
    [`dn: ${base}`, 'objectClass: dcObject', 'objectClass: organization', 'o: agency', `dc: ${dc}`, ''].join('\n'),
    ...[directorySettings.usersDn, `ou=groups,${base}`, `ou=services,${base}`].map((dn) =>
      [`dn: ${dn}`, 'objectClass: organizationalUnit', `ou: ${/^ou=([^,]+)/.exec(dn)?.[1]}`, ''].join('\n'),
    ),
    ...PEOPLE.map((uid, index) => person(uid, index % 2 === 0)),
    [
      `dn: ${directorySettings.admissionGroup}`,
      'objectClass: groupOfNames',
      'cn: matrix-users',
      ...members.map((uid) => `member: uid=${uid},${directorySettings.usersDn}`),
      '',
    ].join('\n'),
  ].join('\n');
}

/** slapcat's LDIF as DN -> sorted attribute lines (unwrapped; every attribute, operational ones included). */
function ldifEntries(ldif: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const block of ldif.replace(/\n /g, '').split(/\n\n+/)) {
    const lines = block.split('\n').filter((line) => line && !line.startsWith('#'));
    const [dn, ...attributes] = lines;
    if (dn) entries.set(dn, attributes.sort());
  }
  return entries;
}

/** The server's directory pod (S): rendered config and init steps, exactly as the pod runs them, as nobody. */
function directoryPaths(root: string): OpenLdapPaths {
  const mapped = Object.fromEntries(
    Object.entries(OPENLDAP_PATHS).map(([key, value]) => [
      key,
      toLoopback(value, { root, mountPaths: Object.values(OPENLDAP_PATHS), listen: [] }),
    ]),
  );
  return mapped as unknown as OpenLdapPaths;
}

async function runSteps(steps: readonly { name: string; command: readonly string[] }[]): Promise<void> {
  for (const step of steps) {
    const [command, ...args] = step.command;
    const result = await box().exec(command!, args, 60_000, {}, true);
    if (result.status !== 0) throw new Error(`directory init step ${step.name} failed (${result.status}): ${result.output}`);
  }
}

async function startSlapd(paths: OpenLdapPaths, name: string): Promise<SandboxProcess> {
  const [command, ...args] = slapdCommand(DEBIAN_LAYOUT, paths).map((word) => word.replace('0.0.0.0', ADDRESSES.directory));
  const process = box().start(name, command!, args, { asNobody: true });
  await waitFor(
    'slapd',
    Date.now() + 30_000,
    () => box().acceptsTcp(ADDRESSES.directory, LDAPS_PORT),
    () => box().assertRunning(process),
  );
  return process;
}

async function stopProcess(process: SandboxProcess): Promise<void> {
  process.child.kill('SIGTERM');
  await waitFor('the process to stop', Date.now() + 20_000, async () => process.exited() !== undefined);
}

async function search(bind: { dn: string; password: string }, base: string, filter: string): Promise<{ status: number; output: string }> {
  return box().exec(
    '/usr/bin/ldapsearch',
    [
      '-LLL',
      '-o',
      'ldif-wrap=no',
      '-H',
      `ldaps://${DIRECTORY_HOST}:${LDAPS_PORT}`,
      '-x',
      '-D',
      bind.dn,
      '-w',
      bind.password,
      '-b',
      base,
      filter,
      'uid',
    ],
    20_000,
    { LDAPTLS_CACERT: path.join(run, 'ca.crt'), LDAPTLS_REQCERT: 'demand' },
  );
}

function slapcat(paths: OpenLdapPaths): string {
  const result = spawnSync(DEBIAN_LAYOUT.slapcat, ['-n', '1', '-F', paths.runtimeConfigDirectory, '-o', 'ldif-wrap=no'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`slapcat: ${result.stderr}`);
  return result.stdout;
}

describe('directory drill: export while slapd serves, upload, volume lost, download and import', () => {
  it(
    'restores every entry (DN and attributes), the object is ciphertext, and pruning stays in its prefix',
    tracked(async () => {
      const drill = 'directory';
      const server = podRoot('openldap');
      const paths = directoryPaths(server);
      mkdirs(
        paths.configDirectory,
        paths.runtimeConfigDirectory,
        paths.dataDirectory,
        paths.tlsDirectory,
        path.dirname(paths.bindPasswordFile),
        path.dirname(paths.bootstrapLdif),
      );
      // The ConfigMap and Secrets of the pod: the rendered config (as shipped, mount paths mapped), the bootstrap entries, the bind password.
      const shipped = renderSlapdConfig(directorySettings, DEBIAN_LAYOUT);
      const configFor = (root: string) => toLoopback(shipped, { root, mountPaths: Object.values(OPENLDAP_PATHS), listen: [] });
      fs.writeFileSync(path.join(paths.configDirectory, 'slapd-config.ldif'), configFor(server));
      fs.writeFileSync(paths.bootstrapLdif, bootstrapLdif());
      fs.writeFileSync(paths.bindPasswordFile, passwords.reader);
      const certificate = issueServerCertificate(ca, DIRECTORY_HOST, path.join(run, 'ca'));
      fs.copyFileSync(certificate.certificate, path.join(paths.tlsDirectory, 'tls.crt'));
      fs.copyFileSync(certificate.key, path.join(paths.tlsDirectory, 'tls.key'));
      fs.copyFileSync(ca.certificate, path.join(paths.tlsDirectory, 'ca.crt'));
      giveToNobody(server);
      await runSteps(slapdInitCommands(DEBIAN_LAYOUT, directorySettings, paths));
      let slapd = await startSlapd(paths, 'slapd');
      const reader = { dn: directorySettings.bindDn, password: passwords.reader };
      const before = await search(reader, directorySettings.usersDn, SAMPLE_FILTER);
      expect(succeeded(before)).toEqual({ status: 0, output: '' });
      const original = slapcat(paths);
      const originalEntries = ldifEntries(original);
      expect(originalEntries.size).toBe(PEOPLE.length + 6);

      // The synthesized job: its pod's volumes are the server's ConfigMap (the rendered cn=config, as the server has
      // it), the directory's claim, staging and scratch space, and the job's Secrets.
      const [job, ...moreJobs] = storeBackupJobsIn(config, homeserver, 'directory');
      expect(moreJobs).toEqual([]);
      const directoryPod = () =>
        new JobPod(job!, (pod) => ({
          staging: emptyVolume('staging'),
          tmp: emptyVolume('tmp'),
          data: paths.dataDirectory,
          config: volumeWith('openldap-config', { 'slapd-config.ldif': configFor(pod.root('export')) }),
          ...jobSecrets(),
        }));
      const pod = directoryPod();
      const dataFile = path.join(paths.dataDirectory, 'data.mdb');
      const dataBefore = sha256(dataFile);
      expect(pod.container('export').mounts.find((mount) => mount.volume === 'data')?.mountPath).toBe(DIRECTORY_EXPORT_MOUNTS.data);

      // Read-only, slapcat refuses the database: back-mdb probes its directory by creating a file in it, in every mode.
      const refused = await pod.run('export', { readOnly: { data: true } });
      expect({ status: refused.status === 0 ? 0 : 'failed', readOnly: /invalid path: Read-only file system/.test(refused.output) }).toEqual(
        {
          status: 'failed',
          readOnly: true,
        },
      );

      // As the job mounts it, read-write: slapcat opens the database read-only (its reader slot in lock.mdb keeps
      // slapd from reusing the pages it reads: a consistent export while slapd serves).
      expect(pod.container('export').mounts.find((mount) => mount.volume === 'data')?.readOnly).toBe(false);
      const exported = await pod.run('export');
      expect(succeeded(exported)).toEqual({ status: 0, output: '' });
      expect(exported.output).toContain(`exported ${originalEntries.size} entries`);
      expect(sha256(dataFile)).toBe(dataBefore);
      const staged = path.join(pod.volume('staging'), STAGED_FILES.directory);
      const uploaded = await pod.run('upload');
      expect(succeeded(uploaded)).toEqual({ status: 0, output: '' });
      report.fact(drill, 'entries', originalEntries.size);
      report.fact(drill, 'export (s)', seconds(exported.ms));
      report.fact(drill, 'upload (s)', seconds(uploaded.ms));
      report.fact(drill, 'LDIF (bytes)', fs.statSync(staged).size);

      const [firstRun, ...others] = await runFolders(PREFIXES.directory);
      expect(others).toEqual([]);
      const stored = expectCiphertext(PREFIXES.directory, [
        'dn: ',
        directorySettings.baseDn,
        'alice',
        'inetOrgPerson',
        STAGED_FILES.directory,
      ]);
      report.fact(drill, 'stored (bytes)', stored);

      // The volume is lost: the server stops, its data and runtime config are wiped.
      await stopProcess(slapd);
      for (const directory of [paths.dataDirectory, paths.runtimeConfigDirectory]) {
        fs.rmSync(directory, { recursive: true, force: true });
        mkdirs(directory);
      }
      giveToNobody(server);

      // Restore: download and decrypt, then import into the fresh volume before the server starts.
      const restoreStarted = Date.now();
      const downloaded = await download('directory', PREFIXES.directory, firstRun!, 'directory-restore');
      const restoredLdif = path.join(downloaded.directory, STAGED_FILES.directory);
      const [loadConfig, directoryData] = slapdInitCommands(DEBIAN_LAYOUT, directorySettings, paths);
      await runSteps([loadConfig!]);
      await runSteps([
        { name: 'import', command: [DEBIAN_LAYOUT.slapadd, '-n', '1', '-F', paths.runtimeConfigDirectory, '-l', restoredLdif] },
      ]);
      const restoredEntries = ldifEntries(slapcat(paths));
      await runSteps([directoryData!]);
      slapd = await startSlapd(paths, 'slapd-restored');
      const after = await search(reader, directorySettings.usersDn, SAMPLE_FILTER);
      const restoreMs = Date.now() - restoreStarted;
      report.fact(drill, 'download (s)', seconds(downloaded.ms));
      report.fact(drill, 'download + import + serving (s)', seconds(restoreMs));

      expect([...restoredEntries.keys()].sort()).toEqual([...originalEntries.keys()].sort());
      for (const [dn, attributes] of originalEntries) expect({ dn, attributes: restoredEntries.get(dn) }).toEqual({ dn, attributes });
      expect(succeeded(after)).toEqual({ status: 0, output: '' });
      expect(after.output.split('\n').sort()).toEqual(before.output.split('\n').sort());
      const alice = await search(
        { dn: `uid=alice,${directorySettings.usersDn}`, password: passwords.alice },
        directorySettings.usersDn,
        '(uid=alice)',
      );
      expect(alice.output).not.toMatch(/Invalid credentials/);
      await stopProcess(slapd);

      // Pruning: a second run removes only run folders older than the retention, only under its own prefix.
      const now = Date.now();
      const expired = runName(now - (plans.directory.retentionDays + 1) * DAY_MS);
      const kept = runName(now - (plans.directory.retentionDays - 1) * DAY_MS);
      await plant(PREFIXES.directory, expired);
      await plant(PREFIXES.directory, kept);
      await plant(PREFIXES.directory, 'notes');
      await plant(PREFIXES.otherDirectory, expired);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const secondPod = directoryPod();
      expect(succeeded(await secondPod.run('export'))).toEqual({ status: 0, output: '' });
      const second = await secondPod.run('upload');
      expect(succeeded(second)).toEqual({ status: 0, output: '' });
      expect(second.output).toContain(`pruned ${expired}`);
      const remaining = await runFolders(PREFIXES.directory);
      expect(remaining).not.toContain(expired);
      expect(remaining).toEqual(expect.arrayContaining([kept, 'notes', firstRun]));
      expect(remaining).toHaveLength(4);
      expect(await runFolders(PREFIXES.otherDirectory)).toEqual([expired]);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Secret store

interface KubernetesApi {
  request(method: 'GET' | 'POST', apiPath: string, body?: object): Promise<{ status: number; body: string }>;
  /** A TokenRequest for a service account of `namespace` (as the kubelet's projected volume asks for one). */
  token(namespace: string, account: string, audiences?: readonly string[], expirationSeconds?: number): Promise<string>;
}

/**
 * etcd and kube-apiserver (the engine tier's builds) in the sandbox: enough to create service
 * accounts, issue their tokens (TokenRequest, with an audience) and review them (TokenReview,
 * RBAC), which is all OpenBao's Kubernetes auth asks of the API. Started as the engine tier's
 * control plane starts them, without the controllers.
 */
async function startKubernetesApi(): Promise<KubernetesApi> {
  const directory = path.join(run, 'kubernetes');
  mkdirs(directory);
  const serving = issueServerCertificate(ca, KUBERNETES_API.host, directory);
  const serviceAccountKey = path.join(directory, 'service-accounts.key');
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', serviceAccountKey]);
  const adminToken = randomBytes(24).toString('hex');
  const tokens = path.join(directory, 'tokens.csv');
  fs.writeFileSync(tokens, `${adminToken},drill-admin,drill-admin,"system:masters"\n`, { mode: 0o600 });
  const headers = path.join(directory, 'headers');
  fs.writeFileSync(headers, `Authorization: Bearer ${adminToken}\nContent-Type: application/json\n`, { mode: 0o600 });
  const etcd = box().start('etcd', ensureEngineTool('etcd'), [
    '--name=drill',
    `--data-dir=${path.join(directory, 'etcd')}`,
    '--listen-client-urls=http://127.0.0.1:2379',
    '--advertise-client-urls=http://127.0.0.1:2379',
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=drill=http://127.0.0.1:2380',
    '--unsafe-no-fsync',
  ]);
  const apiServer = box().start('kube-apiserver', ensureEngineTool('kube-apiserver'), [
    '--etcd-servers=http://127.0.0.1:2379',
    `--bind-address=${ADDRESSES.kubernetesApi}`,
    `--advertise-address=${ADDRESSES.kubernetesApi}`,
    `--secure-port=${KUBERNETES_API.port}`,
    `--tls-cert-file=${serving.certificate}`,
    `--tls-private-key-file=${serving.key}`,
    `--token-auth-file=${tokens}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${serviceAccountKey}`,
    `--service-account-signing-key-file=${serviceAccountKey}`,
    `--service-account-issuer=https://${KUBERNETES_API.host}`,
    '--service-cluster-ip-range=10.96.0.0/12',
    // No kubernetes Service to keep: the address is loopback, which the endpoint reconciler refuses.
    '--endpoint-reconciler-type=none',
    '--anonymous-auth=false',
    '--profiling=false',
  ]);
  const request: KubernetesApi['request'] = async (method, apiPath, body) => {
    const result = await box().exec(
      'curl',
      [
        '-sS',
        '-w',
        '\n%{http_code}',
        '--cacert',
        path.join(run, 'ca.crt'),
        '-H',
        `@${headers}`,
        '-X',
        method,
        ...(body ? ['--data-binary', JSON.stringify(body)] : []),
        `https://${KUBERNETES_API.host}:${KUBERNETES_API.port}${apiPath}`,
      ],
      30_000,
    );
    const lines = result.output.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  };
  await waitFor(
    'kube-apiserver /readyz',
    Date.now() + 240_000,
    async () => (await request('GET', '/readyz')).status === 200,
    () => [etcd, apiServer].forEach((process) => box().assertRunning(process)),
  );
  return {
    request,
    token: async (namespace, account, audiences, expirationSeconds = 3600) => {
      const response = await request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { ...(audiences ? { audiences } : {}), expirationSeconds },
      });
      if (response.status !== 201) throw new Error(`TokenRequest for ${namespace}/${account}: ${response.status} ${response.body}`);
      return (JSON.parse(response.body) as { status: { token: string } }).status.token;
    },
  };
}

function openbaoConfig(root: string, host: string): string {
  return [
    'ui = false',
    'disable_mlock = true',
    `api_addr = "https://${host}:8200"`,
    `cluster_addr = "https://${host}:8201"`,
    'listener "tcp" {',
    `  address = "${ADDRESSES.openbao}:8200"`,
    `  cluster_address = "${ADDRESSES.openbao}:8201"`,
    `  tls_cert_file = "${root}/tls/tls.crt"`,
    `  tls_key_file = "${root}/tls/tls.key"`,
    '  tls_min_version = "tls12"',
    '}',
    'storage "raft" {',
    `  path = "${root}/data"`,
    '  node_id = "openbao-0"',
    '}',
    'seal "static" {',
    '  current_key_id = "generated-1"',
    `  current_key = "file://${root}/seal/key"`,
    '}',
    '',
  ].join('\n');
}

describe('secret store drill: Kubernetes login, raft snapshot with the raft-snapshot policy only, upload, server lost, restore', () => {
  it(
    "the job's token snapshots and reads nothing else; a new server restored from the download serves the secret",
    tracked(async () => {
      const drill = 'secret store';
      const address = platformNames(config.deploymentName).openbaoAddress;
      const host = new URL(address).hostname;
      const sealKey = randomBytes(32).toString('base64url');
      const caFile = path.join(run, 'ca.crt');
      const baoEnv = (token: string) => ({
        BAO_ADDR: address,
        BAO_CACERT: caFile,
        BAO_TOKEN: token,
        HOME: path.join(run, 'home'),
        PATH: bin,
      });
      const baoRun = (token: string, args: readonly string[], input?: string) =>
        box().exec('/bin/sh', ['-c', input === undefined ? '"$@"' : 'printf "%s" "$BAO_INPUT" | "$@"', 'bao', bao, ...args], 60_000, {
          ...baoEnv(token),
          ...(input === undefined ? {} : { BAO_INPUT: input }),
        });
      mkdirs(path.join(run, 'home'));
      giveToNobody(path.join(run, 'home'));

      const startServer = async (name: string, seal = sealKey): Promise<{ process: SandboxProcess; rootToken: string }> => {
        const root = path.join(run, 'pods', name);
        mkdirs(path.join(root, 'tls'), path.join(root, 'data'), path.join(root, 'seal'));
        const certificate = issueServerCertificate(ca, host, path.join(run, 'ca'));
        fs.copyFileSync(certificate.certificate, path.join(root, 'tls', 'tls.crt'));
        fs.copyFileSync(certificate.key, path.join(root, 'tls', 'tls.key'));
        fs.writeFileSync(path.join(root, 'seal', 'key'), seal);
        fs.writeFileSync(path.join(root, 'config.hcl'), openbaoConfig(root, host));
        giveToNobody(root);
        const process = box().start(name, bao, ['server', `-config=${path.join(root, 'config.hcl')}`], { asNobody: true });
        await waitFor(
          'OpenBao',
          Date.now() + 60_000,
          () => box().acceptsTcp(ADDRESSES.openbao, 8200),
          () => box().assertRunning(process),
        );
        const init = await baoRun('', ['operator', 'init', '-recovery-shares=1', '-recovery-threshold=1', '-format=json']);
        expect(succeeded(init)).toEqual({ status: 0, output: '' });
        const rootToken = (JSON.parse(init.output) as { root_token: string }).root_token;
        await waitFor('OpenBao active', Date.now() + 60_000, async () => (await baoRun(rootToken, ['token', 'lookup'])).status === 0);
        return { process, rootToken };
      };

      // The API server starts while OpenBao does (both take a while on two shared cores).
      const kubernetesApi = startKubernetesApi();
      // Awaited below; a failure meanwhile is reported there, not as an unhandled rejection.
      kubernetesApi.catch(() => undefined);
      const first = await startServer('openbao');
      const secretValue = randomBytes(24).toString('base64url');
      // The backup's policy and role as the configurator writes them (the deployment's declared access, rendered).
      const access = openBaoAccess(config);
      const policy = access.policies.find((candidate) => candidate.name === RAFT_SNAPSHOT_POLICY);
      const role = access.roles.find((candidate) => candidate.name === STORE_BACKUP_ROLE);
      if (!policy || !role) throw new Error(`the deployment declares no ${RAFT_SNAPSHOT_POLICY} policy or ${STORE_BACKUP_ROLE} role`);
      const job = secretStoreBackupJob(config);
      for (const [args, input] of [
        [['secrets', 'enable', '-path=matrix', '-version=2', 'kv'], undefined],
        [['kv', 'put', '-mount=matrix', `${homeserver.name}/synapse`, `registration_shared_secret=${secretValue}`], undefined],
        [['policy', 'write', policy.name, '-'], renderOpenBaoPolicy(policy)],
      ] as const) {
        const result = await baoRun(first.rootToken, args, input);
        expect({ args, ...succeeded(result) }).toEqual({ args, status: 0, output: '' });
      }

      // Kubernetes auth as the deployment configures it: tokens reviewed by the API server, the
      // backup's role bound to its service account, its namespace and the OpenBao audience.
      const api = await kubernetesApi;
      const { namespace } = role;
      expect(namespace).toBe(platformNames(config.deploymentName).namespaces.openbao);
      const reviewer = 'openbao';
      const otherAccount = 'another-job';
      expect((await api.request('POST', '/api/v1/namespaces', { metadata: { name: namespace } })).status).toBe(201);
      for (const account of [role.serviceAccount, reviewer, otherAccount])
        expect((await api.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name: account } })).status).toBe(
          201,
        );
      const binding = await api.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        metadata: { name: 'openbao-token-review' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: reviewer, namespace }],
      });
      expect(binding.status).toBe(201);
      const reviewerJwt = path.join(run, 'kubernetes', 'reviewer.jwt');
      fs.writeFileSync(reviewerJwt, await api.token(namespace, reviewer), { mode: 0o600 });
      const roleFile = path.join(run, 'kubernetes', 'role.json');
      fs.writeFileSync(roleFile, JSON.stringify(roleDocument(role)));
      for (const args of [
        ['auth', 'enable', 'kubernetes'],
        [
          'write',
          'auth/kubernetes/config',
          `kubernetes_host=https://${KUBERNETES_API.host}:${KUBERNETES_API.port}`,
          `kubernetes_ca_cert=@${caFile}`,
          `token_reviewer_jwt=@${reviewerJwt}`,
          'disable_local_ca_jwt=true',
        ],
        ['write', `auth/kubernetes/role/${role.name}`, `@${roleFile}`],
      ]) {
        const result = await baoRun(first.rootToken, args);
        expect({ args, ...succeeded(result) }).toEqual({ args, status: 0, output: '' });
      }

      // The synthesized job's pod: the projected token (its audience and lifetime from the job's volume), the
      // trust bundle, staging and scratch space, the job's Secrets.
      const tokenVolume = job.volumes.find((volume) => volume.kind === 'token');
      if (tokenVolume?.kind !== 'token') throw new Error(`${job.name} has no projected token`);
      const tokenDirectory = emptyVolume('openbao-token');
      const tokenFile = path.join(tokenDirectory, OPENBAO_TOKEN_FILE);
      const project = async (account: string, audiences?: readonly string[]) => {
        fs.rmSync(tokenFile, { force: true });
        fs.writeFileSync(tokenFile, await api.token(namespace, account, audiences, tokenVolume.expirationSeconds), { mode: 0o400 });
        giveToNobody(tokenDirectory);
      };
      const secretStorePod = () =>
        new JobPod(job, () => ({
          staging: emptyVolume('staging'),
          tmp: emptyVolume('tmp'),
          [tokenVolume.name]: tokenDirectory,
          'internal-ca': volumeWith('trust-bundle', { 'ca.crt': fs.readFileSync(caFile, 'utf8') }),
          ...jobSecrets(),
        }));

      // What the role's token may do: the snapshot only. Secrets, listings, policies and a restore are refused.
      await project(role.serviceAccount, [tokenVolume.audience]);
      const login = await baoRun('', ['write', '-field=token', 'auth/kubernetes/login', `role=${role.name}`, `jwt=@${tokenFile}`]);
      expect(succeeded(login)).toEqual({ status: 0, output: '' });
      const roleToken = login.output.trim();
      for (const args of [
        ['kv', 'get', '-mount=matrix', `${homeserver.name}/synapse`],
        ['kv', 'list', '-mount=matrix', ''],
        ['policy', 'list'],
        ['secrets', 'list'],
        ['read', 'sys/storage/raft/configuration'],
        ['operator', 'raft', 'snapshot', 'restore', caFile],
      ]) {
        const denied = await baoRun(roleToken, args);
        expect({ args, status: denied.status === 0 ? 0 : 'refused', output: /permission denied|403/.test(denied.output) }).toEqual({
          args,
          status: 'refused',
          output: true,
        });
      }
      await baoRun(roleToken, ['token', 'revoke', '-self']);

      // The rendered export refuses to run with a token for the API server's audience, or another service account's.
      const accessors = async () => (await baoRun(first.rootToken, ['list', '-format=json', 'auth/token/accessors'])).output;
      for (const [what, account, audiences] of [
        ["the API server's audience", role.serviceAccount, undefined],
        ["another service account's token", otherAccount, [tokenVolume.audience]],
      ] as const) {
        await project(account, audiences);
        const refusedPod = secretStorePod();
        const refused = await refusedPod.run('snapshot');
        expect({
          what,
          status: refused.status === 0 ? 0 : 'failed',
          denied: /permission denied|invalid audience|not authorized|403/.test(refused.output),
        }).toEqual({
          what,
          status: 'failed',
          denied: true,
        });
        expect(fs.readdirSync(refusedPod.volume('staging'))).toEqual([]);
        report.fact(drill, `login with ${what}`, `refused: ${refused.output.trim().split('\n').filter(Boolean).pop() ?? ''}`.slice(0, 200));
      }

      // The job as synthesized: login with the projected token, snapshot, token revoked on exit; then the upload.
      await project(role.serviceAccount, [tokenVolume.audience]);
      const tokensBefore = await accessors();
      const pod = secretStorePod();
      const exported = await pod.run('snapshot');
      expect(succeeded(exported)).toEqual({ status: 0, output: '' });
      expect(await accessors()).toBe(tokensBefore);
      const snapshot = path.join(pod.volume('staging'), STAGED_FILES['secret-store']);
      expect(fs.readFileSync(snapshot).includes(Buffer.from(secretValue))).toBe(false);
      const uploaded = await pod.run('upload');
      expect(succeeded(uploaded)).toEqual({ status: 0, output: '' });
      report.fact(drill, 'snapshot (s)', seconds(exported.ms));
      report.fact(drill, 'upload (s)', seconds(uploaded.ms));
      report.fact(drill, 'snapshot (bytes)', fs.statSync(snapshot).size);
      report.fact(drill, 'stored (bytes)', expectCiphertext(PREFIXES.secretStore, [secretValue, STAGED_FILES['secret-store']]));
      const [runFolder] = await runFolders(PREFIXES.secretStore);

      // The server and its storage are lost; a new one (same seal key, new storage) restores the download.
      await stopProcess(first.process);
      fs.rmSync(path.join(run, 'pods', 'openbao'), { recursive: true, force: true });
      const restoreStarted = Date.now();
      const downloaded = await download('secret-store', PREFIXES.secretStore, runFolder!, 'openbao-restore');
      const serverStarted = Date.now();
      const second = await startServer('openbao-restored');
      const serverMs = Date.now() - serverStarted;
      const snapshotRestoreStarted = Date.now();
      const restored = await baoRun(second.rootToken, [
        'operator',
        'raft',
        'snapshot',
        'restore',
        '-force',
        path.join(downloaded.directory, STAGED_FILES['secret-store']),
      ]);
      expect(succeeded(restored)).toEqual({ status: 0, output: '' });
      // The restored data has the first server's tokens: its root token reads the secret again.
      await waitFor(
        'the restored secret',
        Date.now() + 60_000,
        async () =>
          (await baoRun(first.rootToken, ['kv', 'get', '-mount=matrix', '-field=registration_shared_secret', `${homeserver.name}/synapse`]))
            .status === 0,
      );
      const read = await baoRun(first.rootToken, [
        'kv',
        'get',
        '-mount=matrix',
        '-field=registration_shared_secret',
        `${homeserver.name}/synapse`,
      ]);
      report.fact(drill, 'download (s)', seconds(downloaded.ms));
      report.fact(drill, 'new server started, initialised, active (s)', seconds(serverMs));
      report.fact(drill, 'snapshot restore until the secret reads (s)', seconds(Date.now() - snapshotRestoreStarted));
      report.fact(drill, 'download + new server + restore + secret readable (s)', seconds(Date.now() - restoreStarted));
      expect(read.output.trim()).toBe(secretValue);
      await stopProcess(second.process);

      // Without the seal key the snapshot is useless: a server with another static key cannot use it.
      const third = await startServer('openbao-other-seal', randomBytes(32).toString('base64url'));
      const foreign = await baoRun(third.rootToken, [
        'operator',
        'raft',
        'snapshot',
        'restore',
        '-force',
        path.join(downloaded.directory, STAGED_FILES['secret-store']),
      ]);
      const unreadable = await baoRun(first.rootToken, ['kv', 'get', '-mount=matrix', `${homeserver.name}/synapse`]);
      const state = await baoRun('', ['status', '-format=json']);
      const sealed = /"sealed":\s*true/.test(state.output);
      expect({ read: unreadable.status === 0, secretShown: unreadable.output.includes(secretValue) }).toEqual({
        read: false,
        secretShown: false,
      });
      report.fact(
        drill,
        'restore onto a server with another seal key',
        `restore exit ${foreign.status}, then sealed: ${sealed}, secret read: no (${unreadable.output.trim().split('\n').pop() ?? ''})`.slice(
          0,
          200,
        ),
      );
      await stopProcess(third.process);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// 3. Media volume

function treeDigest(directory: string): Record<string, string> {
  const digests: Record<string, string> = {};
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else digests[path.relative(directory, full)] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  visit(directory);
  return digests;
}

describe('media drill: incremental sync of the read-only media volume, replaced and deleted files kept', () => {
  it(
    'restores current/ as the volume is now, keeps the replaced versions under replaced/<run>, and prunes only old run folders',
    tracked(async () => {
      const drill = 'media';
      const media = path.join(podRoot('media-repository'), 'media');
      const file = (relative: string, bytes: Buffer, mtime?: Date) => {
        mkdirs(path.dirname(path.join(media, relative)));
        fs.writeFileSync(path.join(media, relative), bytes);
        if (mtime) fs.utimesSync(path.join(media, relative), mtime, mtime);
      };
      const longAgo = new Date(Date.now() - 3 * 365 * DAY_MS);
      const files: Record<string, Buffer> = {};
      for (let index = 0; index < 40; index += 1) {
        const id = randomBytes(12).toString('hex');
        const relative = `local_content/${id.slice(0, 2)}/${id.slice(2, 4)}/${id.slice(4)}`;
        files[relative] = randomBytes(index === 0 ? 32 * 1024 * 1024 : 50_000 + index * 1_000);
        file(relative, files[relative], index % 2 === 0 ? longAgo : undefined);
      }
      const [changed, deleted] = Object.keys(files);
      // The synthesized job: the media worker's claim (read-only), scratch space, the job's Secrets; one pod per run.
      const [job, ...moreJobs] = storeBackupJobsIn(config, homeserver, 'media');
      expect(moreJobs).toEqual([]);
      const secrets = jobSecrets();
      const runJob = () => new JobPod(job!, () => ({ data: media, tmp: emptyVolume('tmp'), ...secrets })).run('upload');
      expect(job!.container.mounts.find((mount) => mount.volume === 'data')?.readOnly).toBe(true);

      const first = await runJob();
      expect(succeeded(first)).toEqual({ status: 0, output: '' });
      const volumeBytes = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
      report.fact(drill, 'files', Object.keys(files).length);
      report.fact(drill, 'volume (bytes)', volumeBytes);
      report.fact(drill, 'first upload (s)', seconds(first.ms));
      report.fact(
        drill,
        'stored (bytes)',
        expectCiphertext(PREFIXES.media, [files[deleted!]!.subarray(0, 64).toString('latin1'), changed!.split('/').pop()!]),
      );

      // One file changed, one deleted, one added; the second run (another second, so another run folder).
      const replacedVersion = files[changed!]!;
      file(changed!, randomBytes(70_000));
      fs.rmSync(path.join(media, deleted!));
      file('local_content/ff/ff/added', randomBytes(30_000));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await runJob();
      expect(succeeded(second)).toEqual({ status: 0, output: '' });
      report.fact(drill, 'second upload, 1 changed + 1 deleted + 1 added (s)', seconds(second.ms));
      const [secondRun, ...more] = await runFolders(PREFIXES.media, 'replaced/');
      expect(more).toEqual([]);

      const restoreStarted = Date.now();
      const current = await download('media', PREFIXES.media, 'current', 'media-restore');
      report.fact(drill, 'download + decrypt of current/ (s)', seconds(Date.now() - restoreStarted));
      expect(treeDigest(current.directory)).toEqual(treeDigest(media));
      // The replaced/ folder is plaintext (directory names are not encrypted): a vault over it downloads one of its runs.
      const replaced = await download('media', `${PREFIXES.media}/replaced`, secondRun!, 'media-replaced');
      expect(treeDigest(replaced.directory)).toEqual({
        [changed!]: createHash('sha256').update(replacedVersion).digest('hex'),
        [deleted!]: createHash('sha256').update(files[deleted!]!).digest('hex'),
      });

      // Pruning: only run folders of replaced/ older than the retention; current/ (files three years old) stays whole.
      const expired = runName(Date.now() - (plans.media.retentionDays + 1) * DAY_MS);
      await plant(PREFIXES.media, `replaced/${expired}`);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const third = await runJob();
      expect(succeeded(third)).toEqual({ status: 0, output: '' });
      expect(third.output).toContain(`pruned replaced/${expired}`);
      expect(await runFolders(PREFIXES.media, 'replaced/')).toEqual([secondRun]);
      const afterPrune = await download('media', PREFIXES.media, 'current', 'media-restore-after-prune');
      expect(treeDigest(afterPrune.directory)).toEqual(treeDigest(media));

      // Other keys decrypt nothing; a changed byte in an object fails its authentication.
      const stranger = await tryDownload(PREFIXES.media, 'current', 'media-other-keys', {
        password: randomBytes(24).toString('base64url'),
        salt: randomBytes(24).toString('base64url'),
      });
      expect(treeDigest(stranger.directory)).toEqual({});
      report.fact(drill, 'download with other keys', `files restored: 0 (exit ${stranger.status})`);
      const [victim] = objectsUnder(`${PREFIXES.media}/current`).sort((a, b) => b.bytes.length - a.bytes.length);
      const victimFile = path.join(objectStore.root, objectStoreConfig.bucket, victim!.key);
      const tampered = Buffer.from(victim!.bytes);
      tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
      fs.writeFileSync(victimFile, tampered);
      const corrupt = await tryDownload(PREFIXES.media, 'current', 'media-tampered');
      expect({ status: corrupt.status === 0 ? 0 : 'failed', authentication: /failed to authenticate/.test(corrupt.output) }).toEqual({
        status: 'failed',
        authentication: true,
      });
      report.fact(drill, 'download of a changed object', 'fails: failed to authenticate decrypted block');
    }),
  );
});
