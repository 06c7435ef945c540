/**
 * The homeserver and media compartments' workloads: Synapse main, the federation sender
 * (when federation is on) and Redis, and the media-repository worker. Each carries its
 * rendered, secret-free config files and the declared secrets it mounts. PostgreSQL is a
 * CloudNativePG cluster the operator runs (postgres-database.ts).
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { CERTIFICATE_SECRETS } from '../model/certificates';
import { platformNames } from '../model/platform';
import { SECRET_NAMES } from '../model/secrets';
import { STORE_BACKUP_WORKLOADS } from '../model/store-backups';
import { EMAIL_CONFIG_PATH } from '../model/synapse-email';
import {
  FEDERATION_SENDER,
  MEDIA_WORKER,
  REDIS_SERVICE_PORT,
  SYNAPSE_PORTS,
  SYNAPSE_UID,
  type ConfigFiles,
  type SecretMount,
  type TrustBundleMount,
  type WorkloadSpec,
} from '../model/workload-spec';
import { renderRedisConf } from '../render/redis';
import { homeserverConfig, logConfig, workerConfig, workerDefinitions } from '../render/synapse/homeserver-config';
import { PGPASS_RUNTIME_PATH, SYNAPSE_PATHS } from '../render/synapse/mount-paths';
import { toSynapseYaml } from '../render/synapse/render-yaml';

const S3_SECRET_DIRECTORY = '/secrets/s3';

const mount = (volumeName: string, secretName: string, mountPath: string): SecretMount => ({ volumeName, secretName, mountPath });

/** Secrets every Synapse process reads (the OIDC client secret only where logins are handled: the main process). */
const SYNAPSE_COMMON_SECRETS: readonly SecretMount[] = [
  mount('signing-key', SECRET_NAMES.signingKey, SYNAPSE_PATHS.signingKeyDirectory),
  mount('synapse-keys', SECRET_NAMES.synapseKeys, SYNAPSE_PATHS.keysDirectory),
  mount('database', SECRET_NAMES.database, SYNAPSE_PATHS.databaseSecretDirectory),
  mount('redis', SECRET_NAMES.redis, SYNAPSE_PATHS.redisSecretDirectory),
];

/** The internal CA bundle every client of an internal TLS server verifies against. */
export function trustBundleMount(config: DeploymentConfig, mountPath: string): TrustBundleMount {
  return { configMapName: platformNames(config.deploymentName).trustBundle, mountPath };
}

/** libpq ignores a passfile readable by its group, which a mounted Secret always is: copy it to 0600 first. */
const PGPASS_STEP = {
  name: 'pgpass',
  command: ['install', '-m', '0600', `${SYNAPSE_PATHS.databaseSecretDirectory}/pgpass`, PGPASS_RUNTIME_PATH],
} as const;

const SYNAPSE_WRITABLE = [
  { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 256 },
  { name: 'runtime-secrets', mountPath: SYNAPSE_PATHS.runtimeSecretsDirectory, sizeLimitMi: 1, medium: 'Memory' },
] as const;

function synapseCommand(app: 'homeserver' | 'worker', extraConfigs: readonly string[] = []): string[] {
  const configs = [
    ...(app === 'homeserver' ? [SYNAPSE_PATHS.homeserverConfig] : [SYNAPSE_PATHS.homeserverConfig, SYNAPSE_PATHS.workerConfig]),
    ...extraConfigs,
  ];
  const module = app === 'homeserver' ? 'synapse.app.homeserver' : 'synapse.app.generic_worker';
  // --no-secrets-in-config: Synapse itself refuses any inline secret that has a *_path form.
  return ['python', '-m', module, ...configs.flatMap((path) => ['--config-path', path]), '--no-secrets-in-config'];
}

function synapseFiles(config: DeploymentConfig, homeserver: HomeserverSettings, worker?: string): ConfigFiles {
  const files: Record<string, string> = {
    'homeserver.yaml': toSynapseYaml(homeserverConfig(config, homeserver), `Synapse configuration of ${homeserver.serverName}`),
    'log.yaml': toSynapseYaml(logConfig(), 'Synapse logging: stdout only'),
  };
  const definition = workerDefinitions(homeserver).find((candidate) => candidate.name === worker);
  if (definition) files['worker.yaml'] = toSynapseYaml(workerConfig(definition), `Synapse worker ${definition.name}`);
  return { volumeName: 'config', mountPath: SYNAPSE_PATHS.configDirectory, files };
}

export function homeserverWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  const images = config.images.effective;
  const sendsMail = homeserver.synapse.smtp !== undefined;
  const workloads: WorkloadSpec[] = [
    {
      name: 'synapse',
      compartment: 'homeserver',
      kind: 'Deployment',
      purpose: 'Synapse main process',
      image: images.synapse,
      replicas: 1,
      singletonReason: 'Synapse runs exactly one main process; the worker pools carry the scaled-out load',
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
      ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
      // No media store: with enable_media_repo false, Synapse 1.159 skips the media section (checked by test/render/synapse-loader).
      writablePaths: SYNAPSE_WRITABLE,
      resources: { cpuRequestMilli: 500, cpuLimitMilli: 2000, memoryRequestMi: 1024, memoryLimitMi: 2048 },
      probe: { type: 'http', path: '/health', port: 'http', scheme: 'HTTPS' },
      command: synapseCommand('homeserver', sendsMail ? [EMAIL_CONFIG_PATH] : []),
      configFiles: [synapseFiles(config, homeserver)],
      // Its outbound HTTPS (the identity provider's back channel) trusts the internal CA.
      env: { SSL_CERT_FILE: `${SYNAPSE_PATHS.caDirectory}/ca.crt` },
      secretMounts: [
        ...SYNAPSE_COMMON_SECRETS,
        mount('tls', CERTIFICATE_SECRETS.synapse, SYNAPSE_PATHS.tlsDirectory),
        mount('oidc-client', SECRET_NAMES.oidcClient, SYNAPSE_PATHS.oidcSecretDirectory),
        ...(sendsMail ? [mount('email', SECRET_NAMES.email, SYNAPSE_PATHS.emailSecretDirectory)] : []),
      ],
      trustBundle: trustBundleMount(config, SYNAPSE_PATHS.caDirectory),
      initSteps: [PGPASS_STEP],
    },
  ];
  if (homeserver.federation.enabled) {
    workloads.push({
      name: FEDERATION_SENDER,
      compartment: 'homeserver',
      kind: 'Deployment',
      purpose: 'Synapse federation sender worker',
      image: images.synapse,
      replicas: 1,
      singletonReason: 'a federation sender instance is a named shard that Synapse allows to run once; the queue survives in the database',
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
      ports: [SYNAPSE_PORTS.metrics],
      writablePaths: SYNAPSE_WRITABLE,
      resources: { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 },
      probe: { type: 'tcp', port: 'metrics' },
      command: synapseCommand('worker'),
      configFiles: [synapseFiles(config, homeserver, FEDERATION_SENDER)],
      secretMounts: SYNAPSE_COMMON_SECRETS,
      trustBundle: trustBundleMount(config, SYNAPSE_PATHS.caDirectory),
      initSteps: [PGPASS_STEP],
    });
  }
  workloads.push({
    name: 'redis',
    compartment: 'homeserver',
    kind: 'Deployment',
    purpose: 'Redis for Synapse worker replication (no persistence)',
    image: images.redis,
    replicas: 1,
    singletonReason:
      'Synapse connects to one Redis (no Sentinel or Cluster support); it is a bus without state, and every process reconnects after a restart',
    // The Alpine variant's redis user and group.
    uid: 999,
    gid: 1000,
    ports: [REDIS_SERVICE_PORT],
    writablePaths: [{ name: 'data', mountPath: '/data', sizeLimitMi: 64 }],
    resources: { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 256 },
    probe: { type: 'tcp', port: 'redis' },
    command: ['redis-server', '/config/redis.conf'],
    configFiles: [
      { volumeName: 'config', mountPath: '/config', files: { 'redis.conf': renderRedisConf('/secrets/redis/users.acl', 192) } },
    ],
    secretMounts: [mount('redis', SECRET_NAMES.redis, '/secrets/redis')],
  });
  return workloads;
}

export function mediaWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  return [
    {
      name: MEDIA_WORKER,
      compartment: 'media',
      kind: 'Deployment',
      purpose: 'Synapse media-repository worker',
      image: config.images.effective.synapse,
      replicas: 1,
      singletonReason: 'the media store volume is ReadWriteOncePod and one instance runs the media background jobs',
      uid: SYNAPSE_UID,
      gid: SYNAPSE_UID,
      ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
      writablePaths: [{ ...SYNAPSE_WRITABLE[0], sizeLimitMi: 512 }, SYNAPSE_WRITABLE[1]],
      storage: {
        name: 'media',
        mountPath: SYNAPSE_PATHS.mediaStore,
        sizeGi: homeserver.media.storageGi,
        // Media in S3 is protected by the bucket (versioning, object lock); the volume is then a cache.
        ...(homeserver.media.s3 ? {} : { backedUpBy: STORE_BACKUP_WORKLOADS.media }),
      },
      resources: { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 },
      probe: { type: 'http', path: '/health', port: 'http', scheme: 'HTTPS' },
      command: synapseCommand('worker'),
      configFiles: [synapseFiles(config, homeserver, MEDIA_WORKER)],
      secretMounts: [
        ...SYNAPSE_COMMON_SECRETS,
        mount('tls', CERTIFICATE_SECRETS.media, SYNAPSE_PATHS.tlsDirectory),
        ...(homeserver.media.s3 ? [mount('s3', SECRET_NAMES.s3, S3_SECRET_DIRECTORY)] : []),
      ],
      trustBundle: trustBundleMount(config, SYNAPSE_PATHS.caDirectory),
      // A path, not a value: boto3 reads the credentials from the mounted file.
      ...(homeserver.media.s3 ? { env: { AWS_SHARED_CREDENTIALS_FILE: `${S3_SECRET_DIRECTORY}/credentials` } } : {}),
      initSteps: [PGPASS_STEP],
    },
  ];
}
