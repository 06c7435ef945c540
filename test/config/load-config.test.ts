import { ConfigError } from '../../config/load-config';
import { loadDeploymentConfig, parseDeploymentConfig } from '../../model/load-config';
import { defaultConfigObject, fleetConfigObject, FLEET_CONFIG_FILE, setPath, toYaml, type Mutable } from './config-fixtures';

function issuesOf(config: Mutable | string): { path: string; message: string }[] {
  try {
    parseDeploymentConfig(typeof config === 'string' ? config : toYaml(config), 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

const FAKE_DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('accepted configs', () => {
  it('loads the embedded default with one homeserver and federation off', () => {
    const config = loadDeploymentConfig();
    expect(config.homeservers).toHaveLength(1);
    expect(config.homeservers[0]?.federation).toEqual({ enabled: false, peers: [], egressCidrs: [] });
    expect(config.state).toEqual({ backend: 'local', directory: 'state' });
    expect(config.images.pullRegistries).toEqual(['ghcr.io', 'docker.io', 'quay.io']);
  });

  it('resolves fleet peers to the other members unless stated, and applies the mirror', () => {
    const config = loadDeploymentConfig(FLEET_CONFIG_FILE);
    const [ministry, agency, region] = config.homeservers;
    expect(ministry?.federation.peers).toEqual(['matrix.agency.example.org', 'matrix.region.example.org']);
    expect(agency?.federation.peers).toEqual(['matrix.ministry.example.org', 'matrix.region.example.org']);
    expect(region?.federation.peers).toEqual(['matrix.ministry.example.org', 'matrix.agency.example.org']);
    expect(ministry?.federation.egressCidrs).toEqual(['0.0.0.0/0', '::/0']);
    expect(region?.federation.egressCidrs).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
    expect(config.images.effective.haproxy).toMatch(
      /^registry\.internal\.example\/mirror\/docker\.io\/library\/haproxy:3\.2\.7-alpine@sha256:[0-9a-f]{64}$/,
    );
    expect(config.images.pullRegistries).toEqual(['registry.internal.example']);
    expect(config.state).toEqual({ backend: 'pg', schemaPrefix: 'matrix_fleet' });
  });

  it('resolves the monitoring section: the site Prometheus, its selector labels, and thresholds (size in bytes)', () => {
    expect(loadDeploymentConfig().monitoring).toEqual({
      namespace: 'monitoring',
      prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
      resourceLabels: { release: 'kube-prometheus-stack' },
      alerts: {
        mediaEgressBytesPerHour: 2 * 1024 ** 3,
        userDirectorySearchesPerMinute: 30,
        profileLookupsPerMinute: 120,
        rejectedLoginsPerMinute: 10,
      },
    });
  });

  it('applies secure alert defaults when thresholds are not given', () => {
    const config = defaultConfigObject();
    setPath(config, 'monitoring.alerts', undefined);
    setPath(config, 'monitoring.resourceLabels', {});
    expect(parseDeploymentConfig(toYaml(config)).monitoring.alerts).toEqual({
      mediaEgressBytesPerHour: 2 * 1024 ** 3,
      userDirectorySearchesPerMinute: 30,
      profileLookupsPerMinute: 120,
      rejectedLoginsPerMinute: 10,
    });
    // The fleet overrides two thresholds and keeps the other defaults.
    expect(loadDeploymentConfig(FLEET_CONFIG_FILE).monitoring.alerts).toEqual({
      mediaEgressBytesPerHour: 5 * 1024 ** 3,
      userDirectorySearchesPerMinute: 60,
      profileLookupsPerMinute: 120,
      rejectedLoginsPerMinute: 10,
    });
  });

  it('sizes the Synapse workers by profile: pools of 2 and one event persister in production, the main process alone on a small site', () => {
    expect(loadDeploymentConfig().homeservers[0]?.workers).toEqual({ sync: 2, clientReaders: 2, federationReaders: 0, eventPersisters: 1 });
    expect(loadDeploymentConfig(FLEET_CONFIG_FILE).homeservers[0]?.workers).toEqual({
      sync: 2,
      clientReaders: 2,
      federationReaders: 2,
      eventPersisters: 1,
    });
    const small = defaultConfigObject();
    setPath(small, 'deployment.profile', 'small');
    delete ((small.homeservers as unknown[])[0] as Record<string, unknown>).workers;
    expect(parseDeploymentConfig(toYaml(small)).homeservers[0]?.workers).toEqual({
      sync: 0,
      clientReaders: 0,
      federationReaders: 0,
      eventPersisters: 0,
    });
    setPath(small, 'homeservers[0].workers', { sync: 1 });
    expect(issuesOf(small)).toEqual([]);
    // Production: a pool of none is allowed (the main process serves its paths).
    const none = defaultConfigObject();
    setPath(none, 'homeservers[0].workers', { sync: 0, clientReaders: 0, eventPersisters: 0 });
    expect(issuesOf(none)).toEqual([]);
  });

  it('sizes the database by profile: 3 instances in production, 1 on a small site, and a single instance only there', () => {
    expect(loadDeploymentConfig().homeservers[0]?.postgres).toEqual({ instances: 3, storageGi: 20, archive: 'postgres' });
    const small = defaultConfigObject();
    setPath(small, 'deployment.profile', 'small');
    expect(parseDeploymentConfig(toYaml(small)).homeservers[0]?.postgres.instances).toBe(1);
    setPath(small, 'homeservers[0].postgres', { instances: 1 });
    expect(issuesOf(small)).toEqual([]);
    expect(loadDeploymentConfig().backup).toMatchObject({ postgres: { schedule: '0 0 2 * * *', retention: '30d' } });
    expect(loadDeploymentConfig().backup.stores).toEqual({
      directory: { schedule: '30 2 * * *', retention: '30d' },
      secretStore: { schedule: '45 2 * * *', retention: '30d' },
      media: { schedule: '15 3 * * *', retention: '30d' },
    });
    const withoutStores = defaultConfigObject();
    setPath(withoutStores, 'backup', { objectStore: (withoutStores.backup as Record<string, unknown>).objectStore });
    expect(parseDeploymentConfig(toYaml(withoutStores)).backup.stores.media).toEqual({ schedule: '15 3 * * *', retention: '30d' });
  });

  it('accepts a restore to a point in time into a new archive', () => {
    const config = defaultConfigObject();
    setPath(config, 'homeservers[0].postgres', {
      archive: 'postgres-2',
      recovery: { from: 'objectStore', targetTime: '2026-03-01T09:30:00+01:00' },
    });
    expect(parseDeploymentConfig(toYaml(config)).homeservers[0]?.postgres.recovery).toEqual({
      from: 'objectStore',
      sourceArchive: 'postgres',
      targetTime: '2026-03-01T09:30:00+01:00',
    });
  });

  it('accepts a server name with a port and several plain email domains', () => {
    const config = defaultConfigObject();
    setPath(config, 'homeservers[0].serverName', 'matrix.example.org:443');
    setPath(config, 'homeservers[0].allowedEmailDomains', ['example.org', 'sub.example.org']);
    expect(issuesOf(config)).toEqual([]);
  });
});

type Case = [description: string, mutate: (config: Mutable) => void, path: string, message: RegExp];

const REJECTED: Case[] = [
  ['unknown top-level key', (c) => setPath(c, 'extras', true), 'extras', /unknown key/],
  [
    'unknown nested key (typo)',
    (c) => setPath(c, 'homeservers[0].federaton', { enabled: true }),
    'homeservers[0].federaton',
    /unknown key/,
  ],
  ['missing required field', (c) => setPath(c, 'homeservers[0].serverName', undefined), 'homeservers[0].serverName', /required/],
  [
    'server name with uppercase',
    (c) => setPath(c, 'homeservers[0].serverName', 'Matrix.Example.org'),
    'homeservers[0].serverName',
    /lowercase/,
  ],
  [
    'server name that is a single label',
    (c) => setPath(c, 'homeservers[0].serverName', 'localhost'),
    'homeservers[0].serverName',
    /fully-qualified/,
  ],
  ['server name with a path', (c) => setPath(c, 'homeservers[0].serverName', 'example.org/matrix'), 'homeservers[0].serverName', /label/],
  [
    'server name on a port the gateway does not serve',
    (c) => setPath(c, 'homeservers[0].serverName', 'matrix.agency.example.org:8448'),
    'homeservers[0].serverName',
    /port 8448 is not served/,
  ],
  ['server name with a bad port', (c) => setPath(c, 'homeservers[0].serverName', 'example.org:99999'), 'homeservers[0].serverName', /port/],
  [
    'wildcard email domain',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['*.gouv.fr']),
    'homeservers[0].allowedEmailDomains[0]',
    /wildcard/,
  ],
  [
    'regex email domain (unanchored)',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['gouv\\.fr$']),
    'homeservers[0].allowedEmailDomains[0]',
    /not a pattern/,
  ],
  [
    'email domain with @',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['x@gouv.fr']),
    'homeservers[0].allowedEmailDomains[0]',
    /label/,
  ],
  [
    'email domain with trailing newline',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['gouv.fr\n']),
    'homeservers[0].allowedEmailDomains[0]',
    /whitespace|control or invisible/,
  ],
  [
    'uppercase email domain',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['GOUV.FR']),
    'homeservers[0].allowedEmailDomains[0]',
    /lowercase/,
  ],
  [
    'empty email domain list',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', []),
    'homeservers[0].allowedEmailDomains',
    /at least 1/,
  ],
  [
    'duplicate email domain',
    (c) => setPath(c, 'homeservers[0].allowedEmailDomains', ['a.example', 'a.example']),
    'homeservers[0].allowedEmailDomains[1]',
    /duplicate/,
  ],
  ['CIDR with host bits', (c) => setPath(c, 'kubernetes.podCidrs', ['10.244.0.1/16']), 'kubernetes.podCidrs[0]', /host bits/],
  [
    'CIDR with a bad prefix',
    (c) => setPath(c, 'kubernetes.serviceCidrs', ['10.96.0.0/33']),
    'kubernetes.serviceCidrs[0]',
    /longer than 32/,
  ],
  [
    'not a CIDR',
    (c) => setPath(c, 'homeservers[0].gateway.ingressCidrs', ['anywhere']),
    'homeservers[0].gateway.ingressCidrs[0]',
    /must be a CIDR/,
  ],
  ['any-address pod range', (c) => setPath(c, 'kubernetes.podCidrs', ['0.0.0.0/0']), 'kubernetes.podCidrs[0]', /any-address/],
  [
    'image with a tag only',
    (c) => setPath(c, 'images.synapse', 'ghcr.io/element-hq/synapse:v1.159.0'),
    'images.synapse',
    /pinned by digest/,
  ],
  [
    'image with a short digest',
    (c) => setPath(c, 'images.redis', 'docker.io/library/redis@sha256:abc'),
    'images.redis',
    /64 lowercase hex/,
  ],
  [
    'image without a registry host',
    (c) => setPath(c, 'images.haproxy', `library/haproxy@${FAKE_DIGEST}`),
    'images.haproxy',
    /registry explicitly/,
  ],
  [
    'image from a registry not allowlisted',
    (c) => setPath(c, 'images.postgres', `registry.evil.example/x/postgres@${FAKE_DIGEST}`),
    'images.postgres',
    /not in images.allowedRegistries/,
  ],
  [
    'duplicate registry',
    (c) => setPath(c, 'images.allowedRegistries', ['ghcr.io', 'docker.io', 'ghcr.io']),
    'images.allowedRegistries[2]',
    /duplicate/,
  ],
  [
    'storage class not allowlisted',
    (c) => setPath(c, 'storage.storageClassName', 'standard'),
    'storage.storageClassName',
    /not in storage.allowedStorageClasses/,
  ],
  ['PSA version "latest"', (c) => setPath(c, 'kubernetes.podSecurityVersion', 'latest'), 'kubernetes.podSecurityVersion', /pinned version/],
  [
    'one PostgreSQL instance in production',
    (c) => setPath(c, 'homeservers[0].postgres', { instances: 1 }),
    'homeservers[0].postgres.instances',
    /must be at least 2 in production/,
  ],
  [
    'ten PostgreSQL instances',
    (c) => setPath(c, 'homeservers[0].postgres', { instances: 10 }),
    'homeservers[0].postgres.instances',
    /less than or equal to 9/,
  ],
  [
    'one gateway pod in production',
    (c) => setPath(c, 'homeservers[0].gateway.replicas', 1),
    'homeservers[0].gateway.replicas',
    /must be at least 2 in production: the only entry point must survive losing a pod/,
  ],
  [
    'one sync worker in production',
    (c) => setPath(c, 'homeservers[0].workers', { sync: 1 }),
    'homeservers[0].workers.sync',
    /must be 0 or at least 2 in production: one pod of a pool is a single point of failure/,
  ],
  [
    'one client reader in production',
    (c) => setPath(c, 'homeservers[0].workers', { clientReaders: 1 }),
    'homeservers[0].workers.clientReaders',
    /must be 0 or at least 2 in production/,
  ],
  [
    'federation readers with federation off',
    (c) => setPath(c, 'homeservers[0].workers', { federationReaders: 2 }),
    'homeservers[0].workers.federationReaders',
    /federation is off/,
  ],
  ['33 sync workers', (c) => setPath(c, 'homeservers[0].workers', { sync: 33 }), 'homeservers[0].workers.sync', /less than or equal to 32/],
  [
    'nine event persisters',
    (c) => setPath(c, 'homeservers[0].workers', { eventPersisters: 9 }),
    'homeservers[0].workers.eventPersisters',
    /less than or equal to 8/,
  ],
  ['an unknown worker kind', (c) => setPath(c, 'homeservers[0].workers', { pushers: 2 }), 'homeservers[0].workers.pushers', /unknown key/],
  ['no backup section', (c) => delete c.backup, 'backup', /is required/],
  [
    'a backup store with a plain-HTTP endpoint',
    (c) => setPath(c, 'backup.objectStore.endpoint', 'http://backup.agency.example.org'),
    'backup.objectStore.endpoint',
    /https:\/\/ endpoint URL/,
  ],
  [
    'a backup store range wider than a /16',
    (c) => setPath(c, 'backup.objectStore.cidrs', ['198.0.0.0/8']),
    'backup.objectStore.cidrs[0]',
    /at most \/16 for IPv4/,
  ],
  [
    'a backup store range inside the cluster',
    (c) => setPath(c, 'backup.objectStore.cidrs', ['10.244.1.0/24']),
    'backup.objectStore.cidrs[0]',
    /outside the cluster/,
  ],
  [
    'aws:kms without a key',
    (c) => setPath(c, 'backup.objectStore.encryption', 'aws:kms'),
    'backup.objectStore.kmsKeyId',
    /required when encryption is aws:kms/,
  ],
  [
    'a KMS key with AES256',
    (c) => setPath(c, 'backup.objectStore.kmsKeyId', 'alias/backups'),
    'backup.objectStore.kmsKeyId',
    /must be absent/,
  ],
  [
    'a backup schedule of five fields',
    (c) => setPath(c, 'backup.postgres.schedule', '0 2 * * *'),
    'backup.postgres.schedule',
    /six cron fields/,
  ],
  [
    'a backup schedule that never runs',
    (c) => setPath(c, 'backup.postgres.schedule', '0 0 0 30 2 *'),
    'backup.postgres.schedule',
    /never runs/,
  ],
  ['a retention of 0 days', (c) => setPath(c, 'backup.postgres.retention', '0d'), 'backup.postgres.retention', /number of days/],
  ['a retention above ten years', (c) => setPath(c, 'backup.postgres.retention', '3651d'), 'backup.postgres.retention', /3650d/],
  [
    'a store backup schedule of six fields (a CronJob has no seconds)',
    (c) => setPath(c, 'backup.stores.directory.schedule', '0 30 2 * * *'),
    'backup.stores.directory.schedule',
    /five cron fields/,
  ],
  [
    'a store backup schedule with a time zone prefix',
    (c) => setPath(c, 'backup.stores.secretStore.schedule', 'CRON_TZ=Europe/Paris 45 2 * * *'),
    'backup.stores.secretStore.schedule',
    /five cron fields/,
  ],
  ['a store backup macro', (c) => setPath(c, 'backup.stores.media.schedule', '@daily'), 'backup.stores.media.schedule', /five cron fields/],
  [
    'a store retention in hours',
    (c) => setPath(c, 'backup.stores.media.retention', '48h'),
    'backup.stores.media.retention',
    /number of days/,
  ],
  ['an unknown store', (c) => setPath(c, 'backup.stores.redis', { schedule: '0 3 * * *' }), 'backup.stores.redis', /unknown key/],
  [
    'media in S3 without a declared protection',
    (c) =>
      setPath(c, 'homeservers[0].media', {
        s3: { endpoint: 'https://s3.example.org', bucket: 'media', cidrs: ['198.51.100.8/32'] },
      }),
    'homeservers[0].media.s3.protection',
    /is required/,
  ],
  [
    'media in S3 without versioning',
    (c) =>
      setPath(c, 'homeservers[0].media', {
        s3: {
          endpoint: 'https://s3.example.org',
          bucket: 'media',
          cidrs: ['198.51.100.8/32'],
          protection: { versioning: 'suspended', objectLockDays: 30 },
        },
      }),
    'homeservers[0].media.s3.protection.versioning',
    /must be enabled/,
  ],
  [
    'media in S3 locked for less than the media backup retention',
    (c) =>
      setPath(c, 'homeservers[0].media', {
        s3: {
          endpoint: 'https://s3.example.org',
          bucket: 'media',
          cidrs: ['198.51.100.8/32'],
          protection: { versioning: 'enabled', objectLockDays: 7 },
        },
      }),
    'homeservers[0].media.s3.protection.objectLockDays',
    /at least backup.stores.media.retention \(30 days\)/,
  ],
  [
    'a restore target without a zone',
    (c) =>
      setPath(c, 'homeservers[0].postgres', {
        archive: 'postgres-2',
        recovery: { from: 'objectStore', targetTime: '2026-03-01T08:30:00' },
      }),
    'homeservers[0].postgres.recovery.targetTime',
    /RFC 3339/,
  ],
  [
    'a restore writing into the archive it restores from',
    (c) => setPath(c, 'homeservers[0].postgres', { recovery: { from: 'objectStore' } }),
    'homeservers[0].postgres.archive',
    /must differ from recovery.sourceArchive/,
  ],
  ['bad homeserver slug', (c) => setPath(c, 'homeservers[0].name', 'Agency_1'), 'homeservers[0].name', /lowercase/],
  [
    'homeserver slug too long for its certificates',
    (c) => setPath(c, 'homeservers[0].name', 'a'.repeat(38)),
    'homeservers[0].name',
    /must be at most 37 characters: the common name of the postgres-tls certificate "postgres-rw\.a{38}-homeserver\.svc" would be 65 characters \(at most 64\)/,
  ],
  ['deployment name equal to a homeserver name', (c) => setPath(c, 'deployment.name', 'agency'), 'deployment.name', /must differ/],
  [
    'unknown gateway exposure',
    (c) => setPath(c, 'homeservers[0].gateway.exposure', 'HostPort'),
    'homeservers[0].gateway.exposure',
    /LoadBalancer/,
  ],
  [
    'federation on with no peer at all',
    (c) => setPath(c, 'homeservers[0].federation.enabled', true),
    'homeservers[0].federation.peers',
    /no peer/,
  ],
  [
    'peers while federation is off',
    (c) => setPath(c, 'homeservers[0].federation.peers', ['other.example.org']),
    'homeservers[0].federation.peers',
    /must be empty/,
  ],
  [
    'peer equal to the homeserver itself',
    (c) => setPath(c, 'homeservers[0].federation', { enabled: true, peers: ['matrix.agency.example.org:8448'] }),
    'homeservers[0].federation.peers[0]',
    /itself/,
  ],
  [
    'federation egress inside the pod range',
    (c) => setPath(c, 'homeservers[0].federation', { enabled: true, peers: ['other.example.org'], egressCidrs: ['10.244.1.0/24'] }),
    'homeservers[0].federation.egressCidrs[0]',
    /inside a pod\/service\/node\/metadata range/,
  ],
  [
    'federation egress to the metadata endpoint',
    (c) => setPath(c, 'homeservers[0].federation', { enabled: true, peers: ['other.example.org'], egressCidrs: ['169.254.169.254/32'] }),
    'homeservers[0].federation.egressCidrs[0]',
    /metadata/,
  ],
  [
    'federation egress inside a private range Synapse refuses',
    (c) => setPath(c, 'homeservers[0].federation', { enabled: true, peers: ['other.example.org'], egressCidrs: ['172.20.0.0/16'] }),
    'homeservers[0].federation.egressCidrs[0]',
    /private or reserved range/,
  ],
  [
    'Synapse older than the minimum',
    (c) => setPath(c, 'images.synapse', `ghcr.io/element-hq/synapse:v1.145.0@${FAKE_DIGEST}`),
    'images.synapse',
    /older than the minimum v1\.146\.0/,
  ],
  [
    'Synapse without a version tag',
    (c) => setPath(c, 'images.synapse', `ghcr.io/element-hq/synapse@${FAKE_DIGEST}`),
    'images.synapse',
    /needs a version tag/,
  ],
  [
    'infinite session (no unit)',
    (c) => setPath(c, 'homeservers[0].synapse.tokens.sessionLifetime', 'forever'),
    'homeservers[0].synapse.tokens.sessionLifetime',
    /must be a duration/,
  ],
  [
    'session longer than 90 days',
    (c) => setPath(c, 'homeservers[0].synapse.tokens.sessionLifetime', '365d'),
    'homeservers[0].synapse.tokens.sessionLifetime',
    /at most 90d/,
  ],
  [
    'refresh token outliving the session',
    (c) => setPath(c, 'homeservers[0].synapse.tokens.refreshTokenLifetime', '60d'),
    'homeservers[0].synapse.tokens.refreshTokenLifetime',
    /must not exceed sessionLifetime/,
  ],
  [
    'no second factor: MFA switched off',
    (c) => setPath(c, 'homeservers[0].identity.secondFactors', []),
    'homeservers[0].identity.secondFactors',
    /at least one second factor/,
  ],
  [
    'an unknown second factor (SMS)',
    (c) => setPath(c, 'homeservers[0].identity.secondFactors', ['sms']),
    'homeservers[0].identity.secondFactors[0]',
    /totp|webauthn/,
  ],
  [
    'a factor named twice',
    (c) => setPath(c, 'homeservers[0].identity.secondFactors', ['totp', 'totp']),
    'homeservers[0].identity.secondFactors',
    /must not name a factor twice/,
  ],
  [
    'identity access tokens of a day',
    (c) => setPath(c, 'homeservers[0].identity.accessTokenLifetime', '1d'),
    'homeservers[0].identity.accessTokenLifetime',
    /between 1m and 15m/,
  ],
  [
    'identity sessions of a week',
    (c) => setPath(c, 'homeservers[0].identity.sessionMaxLifetime', '7d'),
    'homeservers[0].identity.sessionMaxLifetime',
    /between 15m and 24h/,
  ],
  [
    'brute-force lockout only after 100 failures',
    (c) => setPath(c, 'homeservers[0].identity.lockoutFailures', 100),
    'homeservers[0].identity.lockoutFailures',
    /10/,
  ],
  [
    'a lockout of one second',
    (c) => setPath(c, 'homeservers[0].identity.lockoutDuration', '1s'),
    'homeservers[0].identity.lockoutDuration',
    /between 5m and 24h/,
  ],
  [
    'upload size above 2G',
    (c) => setPath(c, 'homeservers[0].synapse.maxUploadSize', '4G'),
    'homeservers[0].synapse.maxUploadSize',
    /at most 2G/,
  ],
  [
    'upload window smaller than one upload',
    (c) => setPath(c, 'homeservers[0].synapse.mediaUploadLimits', [{ timePeriod: '1h', maxSize: '10M' }]),
    'homeservers[0].synapse.mediaUploadLimits[0].maxSize',
    /at least maxUploadSize/,
  ],
  [
    'admission group outside the base DN',
    (c) => setPath(c, 'homeservers[0].directory.admissionGroup', 'cn=matrix-users,dc=evil,dc=org'),
    'homeservers[0].directory.admissionGroup',
    /inside directory.baseDn/,
  ],
  [
    'DN with filter metacharacters',
    (c) => setPath(c, 'homeservers[0].directory.admissionGroup', 'cn=*)(uid=*,dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.admissionGroup',
    /value "\*\)\(uid=\*" must be letters, digits/,
  ],
  [
    'SMTP without transport security (port 25)',
    (c) =>
      setPath(c, 'homeservers[0].synapse.smtp', { host: 'smtp.example.org', port: 25, username: 'matrix', notifFrom: 'M <m@example.org>' }),
    'homeservers[0].synapse.smtp.port',
    /465 \(implicit TLS\) or 587/,
  ],
  [
    'SMTP password written in the config',
    (c) =>
      setPath(c, 'homeservers[0].synapse.smtp', {
        host: 'smtp.example.org',
        port: 587,
        username: 'matrix',
        notifFrom: 'M <m@example.org>',
        password: 'x',
      }),
    'homeservers[0].synapse.smtp.password',
    /unknown key/,
  ],
  [
    'external directory without its address',
    (c) => setPath(c, 'homeservers[0].directory.mode', 'external'),
    'homeservers[0].directory.external',
    /is required when directory.mode is external/,
  ],
  [
    'external directory address inside the cluster',
    (c) =>
      setPath(c, 'homeservers[0].directory', {
        ...((c.homeservers as Mutable[])[0]!.directory as Mutable),
        mode: 'external',
        external: { host: 'ldap.example.org', cidrs: ['10.244.3.4/32'] },
      }),
    'homeservers[0].directory.external.cidrs[0]',
    /outside the cluster/,
  ],
  [
    'external settings while in-cluster',
    (c) => setPath(c, 'homeservers[0].directory.external', { host: 'ldap.example.org', cidrs: ['198.51.100.7/32'] }),
    'homeservers[0].directory.external',
    /must be absent/,
  ],
  [
    'search size limit above 1000',
    (c) => setPath(c, 'homeservers[0].directory.sizeLimit', 5000),
    'homeservers[0].directory.sizeLimit',
    /1000/,
  ],
  [
    'S3 endpoint over plain HTTP',
    (c) => setPath(c, 'homeservers[0].media', { s3: { endpoint: 'http://s3.example.org', bucket: 'media', cidrs: ['198.51.100.8/32'] } }),
    'homeservers[0].media.s3.endpoint',
    /https:\/\//,
  ],
  [
    'S3 credentials in the config',
    (c) =>
      setPath(c, 'homeservers[0].media', {
        s3: { endpoint: 'https://s3.example.org', bucket: 'media', cidrs: ['198.51.100.8/32'], secretKey: 'x' },
      }),
    'homeservers[0].media.s3.secretKey',
    /unknown key/,
  ],
  [
    'S3 egress to every address',
    (c) =>
      setPath(c, 'homeservers[0].media', {
        s3: {
          endpoint: 'https://s3.example.org',
          bucket: 'media',
          cidrs: ['0.0.0.0/0'],
          protection: { versioning: 'enabled', objectLockDays: 30 },
        },
      }),
    'homeservers[0].media.s3.cidrs[0]',
    /not every address/,
  ],
  [
    'local state directory escaping the project',
    (c) => setPath(c, 'state.local.directory', '../elsewhere'),
    'state.local.directory',
    /project directory/,
  ],
  [
    'pg backend with a connection string in the file',
    (c) => setPath(c, 'state', { backend: 'pg', pg: { schemaPrefix: 'm', connStr: 'postgres://u:p@h/db' } }),
    'state.pg.connStr',
    /unknown key/,
  ],
  ['no monitoring section', (c) => setPath(c, 'monitoring', undefined), 'monitoring', /required/],
  ['monitoring without the Prometheus namespace', (c) => setPath(c, 'monitoring.namespace', undefined), 'monitoring.namespace', /required/],
  [
    'monitoring namespace that is not a namespace name',
    (c) => setPath(c, 'monitoring.namespace', 'Monitoring'),
    'monitoring.namespace',
    /lowercase/,
  ],
  [
    'monitoring namespace of this deployment',
    (c) => setPath(c, 'monitoring.namespace', 'agency-gateway'),
    'monitoring.namespace',
    /is a namespace of this deployment/,
  ],
  [
    'monitoring namespace of the platform',
    (c) => setPath(c, 'monitoring.namespace', 'matrix-openbao'),
    'monitoring.namespace',
    /is a namespace of this deployment/,
  ],
  [
    'Prometheus pods selected by no label',
    (c) => setPath(c, 'monitoring.prometheusPodLabels', {}),
    'monitoring.prometheusPodLabels',
    /at least one label/,
  ],
  [
    'Prometheus pod label that is not a label',
    (c) => setPath(c, 'monitoring.prometheusPodLabels', { 'app name': 'prometheus' }),
    'monitoring.prometheusPodLabels.app name',
    /Kubernetes label key/,
  ],
  [
    'resource label overriding one of ours',
    (c) => setPath(c, 'monitoring.resourceLabels', { 'matrix.sovereign/compartment': 'x' }),
    'monitoring.resourceLabels.matrix.sovereign/compartment',
    /label this project sets/,
  ],
  [
    'resource label with a bad value',
    (c) => setPath(c, 'monitoring.resourceLabels', { release: 'kube prometheus' }),
    'monitoring.resourceLabels.release',
    /Kubernetes label value/,
  ],
  ['unknown monitoring key', (c) => setPath(c, 'monitoring.alertmanager', 'x'), 'monitoring.alertmanager', /unknown key/],
  [
    'unknown alert threshold (typo)',
    (c) => setPath(c, 'monitoring.alerts.mediaEgresPerHour', '1G'),
    'monitoring.alerts.mediaEgresPerHour',
    /unknown key/,
  ],
  [
    'media egress threshold without a unit',
    (c) => setPath(c, 'monitoring.alerts.mediaEgressPerHour', 2000000000),
    'monitoring.alerts.mediaEgressPerHour',
    /string/,
  ],
  [
    'media egress threshold that is not a size',
    (c) => setPath(c, 'monitoring.alerts.mediaEgressPerHour', '2 GB'),
    'monitoring.alerts.mediaEgressPerHour',
    /must be a size/,
  ],
  [
    'media egress threshold above 50G',
    (c) => setPath(c, 'monitoring.alerts.mediaEgressPerHour', '1024G'),
    'monitoring.alerts.mediaEgressPerHour',
    /at most 50G/,
  ],
  [
    'zero directory-search threshold (alert always firing)',
    (c) => setPath(c, 'monitoring.alerts.userDirectorySearchesPerMinute', 0),
    'monitoring.alerts.userDirectorySearchesPerMinute',
    /greater than or equal to 1/,
  ],
  [
    'fractional profile threshold',
    (c) => setPath(c, 'monitoring.alerts.profileLookupsPerMinute', 2.5),
    'monitoring.alerts.profileLookupsPerMinute',
    /integer/,
  ],
  [
    'rejected-login threshold too high to mean anything',
    (c) => setPath(c, 'monitoring.alerts.rejectedLoginsPerMinute', 100_000),
    'monitoring.alerts.rejectedLoginsPerMinute',
    /less than or equal to 300/,
  ],
  [
    'negative rejected-login threshold',
    (c) => setPath(c, 'monitoring.alerts.rejectedLoginsPerMinute', -5),
    'monitoring.alerts.rejectedLoginsPerMinute',
    /greater than or equal to 1/,
  ],
];

describe('rejected configs name the field path and the rule', () => {
  it.each(REJECTED)('%s', (_description, mutate, path, message) => {
    const config = defaultConfigObject();
    mutate(config);
    const issues = issuesOf(config);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports duplicate homeserver names and server names in a fleet', () => {
    const config = fleetConfigObject();
    setPath(config, 'homeservers[2].name', 'ministry');
    setPath(config, 'homeservers[1].serverName', 'matrix.ministry.example.org');
    const issues = issuesOf(config);
    expect(issues).toContainEqual({
      path: 'homeservers[2].name',
      message: expect.stringMatching(/duplicate homeserver name "ministry" \(already at homeservers\[0\]\.name\)/),
    });
    expect(issues).toContainEqual({ path: 'homeservers[1].serverName', message: expect.stringMatching(/duplicate server name/) });
  });

  it('rejects duplicate YAML keys instead of silently keeping the last one', () => {
    const issues = issuesOf('deployment:\n  name: a\ndeployment:\n  name: b\n');
    expect(issues[0]?.path).toBe('(yaml)');
    expect(issues[0]?.message).toMatch(/unique/i);
  });

  it('lists every problem at once, formatted one per line', () => {
    const config = defaultConfigObject();
    setPath(config, 'homeservers[0].serverName', 'BAD');
    setPath(config, 'images.synapse', 'ghcr.io/element-hq/synapse:latest');
    expect(() => parseDeploymentConfig(toYaml(config), 'bad.yaml')).toThrow(/^invalid deployment config bad\.yaml:\n {2}- /);
    expect(() => parseDeploymentConfig(toYaml(config), 'bad.yaml')).toThrow(/\n {2}- homeservers\[0\]\.serverName: must be lowercase/);
    expect(() => parseDeploymentConfig(toYaml(config), 'bad.yaml')).toThrow(/\n {2}- images\.synapse: must be pinned by digest/);
  });

  it('reports an unreadable file as a config error', () => {
    expect(() => loadDeploymentConfig('/nonexistent/config.yaml')).toThrow(ConfigError);
  });
});
