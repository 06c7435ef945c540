/**
 * The store backup programs: constant scripts (no configured value ever becomes script text),
 * every value through the environment and checked by a grammar, the S3 keys left to
 * secretKeyRef, encryption always on. The scripts' behaviour with the real tools is the
 * drills' (test/integration/store-backup-drills.itest.ts); here the images' shells only parse them.
 */
import { spawnSync } from 'node:child_process';
import { BITNAMI_LAYOUT, DEBIAN_LAYOUT } from '../../render/openldap';
import {
  directoryExport,
  restore,
  RESTORE_SCRIPT,
  RUN_FOLDER_PATTERN,
  secretStoreExport,
  STORE_BACKUP_ENV,
  STORE_BACKUP_MOUNTS,
  STORE_BACKUP_SECRET_ENV,
  upload,
  UPLOAD_SCRIPTS,
  vaultEnvironment,
  type ContainerProgram,
  type StoreBackupTarget,
} from '../../render/store-backup';
import { PROGRAMS, STORES, TARGET } from './store-backup-programs';

function envOf(program: ContainerProgram): Record<string, string> {
  return Object.fromEntries(program.env.map(({ name, value }) => [name, value]));
}

function script(program: ContainerProgram): string {
  expect(program.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  expect(program.command).toHaveLength(3);
  return program.command[2]!;
}

describe('upload', () => {
  it.each(STORES)(
    '%s: rclone is configured by environment only: an S3 remote with server-side encryption, a crypt remote over the prefix',
    (store) => {
      const env = envOf(upload(store, TARGET));
      expect(env).toMatchObject({
        RCLONE_CONFIG: '/dev/null',
        RCLONE_CONFIG_STORE_TYPE: 's3',
        RCLONE_CONFIG_STORE_PROVIDER: 'Other',
        RCLONE_CONFIG_STORE_ENV_AUTH: 'false',
        RCLONE_CONFIG_STORE_ENDPOINT: 'https://s3.backup.example.org',
        RCLONE_CONFIG_STORE_REGION: 'eu-central-1',
        RCLONE_CONFIG_STORE_NO_CHECK_BUCKET: 'true',
        RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION: 'AES256',
        RCLONE_CONFIG_VAULT_TYPE: 'crypt',
        RCLONE_CONFIG_VAULT_REMOTE: 'store:matrix-backups/prod/agency/directory',
        RCLONE_CONFIG_VAULT_FILENAME_ENCRYPTION: 'standard',
        [STORE_BACKUP_ENV.keys]: STORE_BACKUP_MOUNTS.keys,
        [STORE_BACKUP_ENV.retentionDays]: '30',
      });
      expect(env).not.toHaveProperty('RCLONE_CONFIG_STORE_SSE_KMS_KEY_ID');
    },
  );

  it('names the KMS key with aws:kms', () => {
    const env = envOf(upload('directory', { ...TARGET, encryption: 'aws:kms', kmsKeyId: 'alias/matrix-backups' }));
    expect(env).toMatchObject({
      RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION: 'aws:kms',
      RCLONE_CONFIG_STORE_SSE_KMS_KEY_ID: 'alias/matrix-backups',
    });
  });

  it('reads the staged files for the directory and the secret store, the read-only media volume for media', () => {
    expect(envOf(upload('directory', TARGET))[STORE_BACKUP_ENV.staging]).toBe(STORE_BACKUP_MOUNTS.staging);
    expect(envOf(upload('secret-store', TARGET))[STORE_BACKUP_ENV.staging]).toBe(STORE_BACKUP_MOUNTS.staging);
    expect(envOf(upload('media', TARGET))[STORE_BACKUP_ENV.data]).toBe(STORE_BACKUP_MOUNTS.data);
    expect(envOf(upload('media', TARGET))).not.toHaveProperty(STORE_BACKUP_ENV.staging);
  });

  it.each(STORES)('%s: the script is a constant: the same text whatever the target', (store) => {
    const other: StoreBackupTarget = {
      ...TARGET,
      endpoint: 'https://other.example',
      bucket: 'another-bucket',
      prefix: 'x/y',
      retentionDays: 7,
    };
    expect(script(upload(store, TARGET))).toBe(script(upload(store, other)));
    expect(script(upload(store, TARGET))).toBe(UPLOAD_SCRIPTS[store]);
    for (const value of ['s3.backup.example.org', 'matrix-backups', 'prod/agency', 'eu-central-1'])
      expect(script(upload(store, TARGET))).not.toContain(value);
  });

  it('leaves the S3 keys to secretKeyRef (no value for them here) and never puts a key on a command line', () => {
    for (const store of STORES) {
      const program = upload(store, TARGET);
      const names = program.env.map(({ name }) => name);
      expect(names).not.toContain(STORE_BACKUP_SECRET_ENV.accessKeyId);
      expect(names).not.toContain(STORE_BACKUP_SECRET_ENV.secretAccessKey);
      expect(names.filter((name) => /PASSWORD|SECRET|KEY_ID$/.test(name) && name !== 'RCLONE_CONFIG_STORE_SSE_KMS_KEY_ID')).toEqual([]);
      // The crypt keys are read from files and obscured from standard input.
      expect(script(program)).toMatch(/rclone obscure - < "\$STORE_BACKUP_KEYS\/password"/);
      expect(script(program)).toMatch(/rclone obscure - < "\$STORE_BACKUP_KEYS\/salt"/);
      expect(script(program)).not.toMatch(/rclone obscure (?!- <)/);
    }
    expect(Object.values(STORE_BACKUP_SECRET_ENV)).toEqual(['RCLONE_CONFIG_STORE_ACCESS_KEY_ID', 'RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY']);
  });

  it('syncs media into current/ and keeps what it replaces under replaced/<run>; prunes only run folders (of replaced/ for media)', () => {
    expect(UPLOAD_SCRIPTS.media).toContain('rclone sync "$STORE_BACKUP_DATA" vault:current --backup-dir "vault:replaced/$run"');
    expect(UPLOAD_SCRIPTS.media).toContain("root='replaced/'");
    expect(UPLOAD_SCRIPTS.directory).toContain("root=''");
    for (const store of STORES) {
      expect(UPLOAD_SCRIPTS[store]).not.toMatch(/rclone (delete|rmdirs|purge vault:\$root\s)/);
      expect(UPLOAD_SCRIPTS[store]).toContain('rclone purge "vault:$root$name"');
    }
    expect(RUN_FOLDER_PATTERN.test('20261206T023000Z')).toBe(true);
    expect(RUN_FOLDER_PATTERN.test('current')).toBe(false);
  });

  const BAD_TARGETS: readonly (readonly [string, Partial<StoreBackupTarget>])[] = [
    ['an http endpoint', { endpoint: 'http://s3.example.org' }],
    ['credentials in the endpoint', { endpoint: 'https://key:secret@s3.example.org' }],
    ['a path in the endpoint', { endpoint: 'https://s3.example.org/bucket' }],
    ['a bucket with a slash', { bucket: 'bucket/other' }],
    ['a prefix with a leading slash', { prefix: '/prod/agency' }],
    ['a prefix with a trailing slash', { prefix: 'prod/agency/' }],
    ['a prefix that climbs', { prefix: 'prod/../other' }],
    ['a prefix with shell syntax', { prefix: "prod/agency'; rm -rf /" }],
    ['a prefix with an rclone remote', { prefix: 'other:bucket' }],
    ['an empty prefix', { prefix: '' }],
    ['a region with a space', { region: 'eu central' }],
    ['a KMS key without aws:kms', { kmsKeyId: 'alias/x' }],
    ['aws:kms without a key', { encryption: 'aws:kms' }],
    ['no retention', { retentionDays: 0 }],
    ['a fractional retention', { retentionDays: 1.5 }],
    ['more than ten years', { retentionDays: 3651 }],
  ];

  it.each(BAD_TARGETS)('refuses %s', (_name, change) => {
    expect(() => upload('directory', { ...TARGET, ...change })).toThrow(/store backup/);
    expect(() => vaultEnvironment({ ...TARGET, ...change })).toThrow(/store backup/);
  });
});

describe('restore', () => {
  it('downloads a run folder or the media current/ into the destination, with the same remotes and keys as the upload', () => {
    const program = restore(TARGET, '20261206T023000Z', '/restore');
    expect(envOf(program)).toMatchObject({
      ...envOf({ command: [], env: vaultEnvironment(TARGET) }),
      [STORE_BACKUP_ENV.keys]: STORE_BACKUP_MOUNTS.keys,
      [STORE_BACKUP_ENV.restoreSource]: '20261206T023000Z',
      [STORE_BACKUP_ENV.restoreDestination]: '/restore',
    });
    expect(script(program)).toBe(RESTORE_SCRIPT);
    expect(script(restore(TARGET, 'current', '/restore'))).toBe(RESTORE_SCRIPT);
    expect(RESTORE_SCRIPT).toContain('rclone copy "vault:$STORE_BACKUP_RESTORE_SOURCE" "$STORE_BACKUP_RESTORE_DESTINATION"');
  });

  it.each([
    ['a folder that is not a run', ['notes', '/restore']],
    ['a path out of the prefix', ['../other', '/restore']],
    ['another remote', ['store:bucket', '/restore']],
    ['a relative destination', ['current', 'restore']],
    ['a destination with shell syntax', ['current', '/restore;id']],
  ] as const)('refuses %s', (_name, [source, destination]) => {
    expect(() => restore(TARGET, source, destination)).toThrow(/store backup/);
  });
});

describe('directoryExport', () => {
  it.each([
    ['Bitnami', BITNAMI_LAYOUT],
    ['Debian', DEBIAN_LAYOUT],
  ] as const)('%s: slapadd loads the server cn=config into scratch space, slapcat exports into staging', (_name, layout) => {
    const program = directoryExport(layout);
    expect(envOf(program)).toEqual({
      STORE_BACKUP_SLAPADD: layout.slapadd,
      STORE_BACKUP_SLAPCAT: layout.slapcat,
      STORE_BACKUP_SLAPD_CONFIG: '/config/slapd-config.ldif',
      STORE_BACKUP_SLAPD_DIRECTORY: '/tmp/slapd.d',
      STORE_BACKUP_STAGING: '/staging',
    });
    expect(script(program)).toBe(script(directoryExport(DEBIAN_LAYOUT)));
  });

  it('refuses a program path that is not a plain absolute path', () => {
    expect(() => directoryExport({ ...DEBIAN_LAYOUT, slapcat: 'slapcat; id' })).toThrow(/store backup/);
  });
});

describe('secretStoreExport', () => {
  const input = {
    address: 'https://openbao.prod-openbao.svc:8200',
    role: 'matrix-store-backup',
    tokenPath: '/var/run/secrets/openbao/token',
    caPath: '/trust/ca.crt',
  };

  it('logs in with the projected token (by path), snapshots, and revokes its token on exit', () => {
    const program = secretStoreExport(input);
    expect(envOf(program)).toEqual({
      BAO_ADDR: input.address,
      BAO_CACERT: input.caPath,
      STORE_BACKUP_OPENBAO_ROLE: input.role,
      STORE_BACKUP_OPENBAO_JWT: input.tokenPath,
      STORE_BACKUP_STAGING: '/staging',
    });
    const text = script(program);
    expect(text).toContain('jwt=@"$STORE_BACKUP_OPENBAO_JWT"');
    expect(text).toContain("trap 'bao token revoke -self");
    expect(text).toContain('bao operator raft snapshot save "$STORE_BACKUP_STAGING/openbao.snap"');
    expect(text.indexOf('auth/kubernetes/login')).toBeLessThan(text.indexOf('raft snapshot save'));
  });

  it.each([
    ['an http address', { address: 'http://openbao:8200' }],
    ['a role with shell syntax', { role: 'x" && id' }],
    ['a relative token path', { tokenPath: 'token' }],
    ['a CA path that climbs', { caPath: '/trust/../etc/shadow' }],
  ])('refuses %s', (_name, change) => {
    expect(() => secretStoreExport({ ...input, ...change })).toThrow(/store backup/);
  });
});

describe('the scripts', () => {
  it.each(PROGRAMS)(
    "%s: parses with Debian's sh, stops at the first failure, and reads only variables it sets or is given",
    (_name, program) => {
      const text = script(program);
      // Debian's sh (the directory image's); BusyBox's (the Alpine images': rclone, OpenBao) in store-backup.ttest.ts.
      const parsed = spawnSync('/bin/sh', ['-n', '-c', text], { encoding: 'utf8' });
      expect({ stderr: parsed.stderr, status: parsed.status }).toEqual({ stderr: '', status: 0 });
      expect(text.startsWith('set -eu\n')).toBe(true);
      const given = new Set(program.env.map(({ name }) => name));
      const assigned = new Set([...text.matchAll(/(?:^|[\s;])([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((match) => match[1]));
      const loopVariables = new Set([...text.matchAll(/\bfor ([a-z]+) in\b|\bread -r ([a-z]+)\b/g)].map((match) => match[1] ?? match[2]));
      for (const [, name] of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
        expect({ name, known: given.has(name!) || assigned.has(name) || loopVariables.has(name) }).toEqual({ name, known: true });
    },
  );
});
