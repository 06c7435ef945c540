/**
 * The homeserver and media compartments' workloads: one per Synapse process of the model
 * (model/synapse-processes.ts: the main process, the worker pools, the event persisters, the
 * federation sender, the media worker) and Redis. Each carries its rendered, secret-free
 * config files and the declared secrets it mounts. PostgreSQL is a CloudNativePG cluster the
 * operator runs (postgres-database.ts).
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { CERTIFICATE_SECRETS } from '../model/certificates';
import { platformNames } from '../model/platform';
import { SECRET_NAMES } from '../model/secrets';
import { STORE_BACKUP_WORKLOADS } from '../model/store-backups';
import { EMAIL_CONFIG_PATH } from '../model/synapse-email';
import { synapseProcesses, type SynapseProcess, type WorkerPool } from '../model/synapse-processes';
import {
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
import { PGPASS_RUNTIME_PATH, SYNAPSE_PATHS, WORKER_IDENTITY_PATH } from '../render/synapse/mount-paths';
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

/**
 * A pool pod names its worker after itself (Synapse requires a unique name per process): the
 * pod's host name, which Kubernetes sets to the pod's name, checked against the DNS label
 * grammar and written JSON-quoted, so nothing else can reach the file.
 */
const WORKER_IDENTITY_STEP = {
  name: 'worker-name',
  command: [
    'python',
    '-c',
    [
      'import json, os, re, sys',
      "name = os.environ.get('HOSTNAME', '')",
      "re.fullmatch(r'[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?', name) or sys.exit('HOSTNAME is not a pod name')",
      `open(${JSON.stringify(WORKER_IDENTITY_PATH)}, 'w').write('worker_name: ' + json.dumps(name) + '\\n')`,
    ].join('; '),
  ],
} as const;

const WORKER_IDENTITY_VOLUME = {
  name: 'worker-identity',
  mountPath: SYNAPSE_PATHS.workerIdentityDirectory,
  sizeLimitMi: 1,
  medium: 'Memory',
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

/** What every Synapse pod shares: image, user, hardening, files, common secrets, the CA, the pgpass step. */
function synapseWorkload(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  process: SynapseProcess,
): Omit<WorkloadSpec, 'purpose' | 'ports' | 'resources' | 'probe' | 'command'> {
  const tls = process.compartment === 'media' ? CERTIFICATE_SECRETS.media : CERTIFICATE_SECRETS.synapse;
  return {
    name: process.name,
    compartment: process.compartment,
    kind: 'Deployment',
    image: config.images.effective.synapse,
    replicas: process.replicas,
    uid: SYNAPSE_UID,
    gid: SYNAPSE_UID,
    writablePaths: SYNAPSE_WRITABLE,
    configFiles: [synapseFiles(config, homeserver, process.role === 'main' ? undefined : process.name)],
    // Replication and the identity provider's back channel are TLS verified against the internal CA.
    env: { SSL_CERT_FILE: `${SYNAPSE_PATHS.caDirectory}/ca.crt` },
    secretMounts: [...SYNAPSE_COMMON_SECRETS, mount('tls', tls, SYNAPSE_PATHS.tlsDirectory)],
    trustBundle: trustBundleMount(config, SYNAPSE_PATHS.caDirectory),
    initSteps: [PGPASS_STEP],
  };
}

const WORKER_RESOURCES = { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 512, memoryLimitMi: 1024 } as const;
const HTTPS_HEALTH = { type: 'http', path: '/health', port: 'http', scheme: 'HTTPS' } as const;

const POOL_PURPOSE: Readonly<Record<WorkerPool, string>> = {
  sync: 'Synapse sync workers (generic workers: /sync and the event stream)',
  'client-reader': 'Synapse client readers (generic workers: room history, state, members, key queries)',
  'federation-reader': 'Synapse federation readers (generic workers: inbound federation)',
};

function synapseProcessWorkload(config: DeploymentConfig, homeserver: HomeserverSettings, process: SynapseProcess): WorkloadSpec {
  const base = synapseWorkload(config, homeserver, process);
  const sendsMail = homeserver.synapse.smtp !== undefined;
  switch (process.role) {
    case 'main':
      return {
        ...base,
        purpose: 'Synapse main process',
        singletonReason: 'Synapse runs exactly one main process; the worker pools carry the scaled-out load',
        ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
        // No media store: with enable_media_repo false, Synapse 1.159 skips the media section (checked by test/render/synapse-loader).
        resources: { cpuRequestMilli: 500, cpuLimitMilli: 2000, memoryRequestMi: 1024, memoryLimitMi: 2048 },
        probe: HTTPS_HEALTH,
        command: synapseCommand('homeserver', sendsMail ? [EMAIL_CONFIG_PATH] : []),
        secretMounts: [
          ...(base.secretMounts ?? []),
          mount('oidc-client', SECRET_NAMES.oidcClient, SYNAPSE_PATHS.oidcSecretDirectory),
          ...(sendsMail ? [mount('email', SECRET_NAMES.email, SYNAPSE_PATHS.emailSecretDirectory)] : []),
        ],
      };
    case 'pool':
      return {
        ...base,
        purpose: POOL_PURPOSE[process.pool],
        ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.metrics],
        writablePaths: [...SYNAPSE_WRITABLE, WORKER_IDENTITY_VOLUME],
        resources: WORKER_RESOURCES,
        probe: HTTPS_HEALTH,
        command: synapseCommand('worker', [WORKER_IDENTITY_PATH]),
        initSteps: [PGPASS_STEP, WORKER_IDENTITY_STEP],
      };
    case 'event-persister':
      return {
        ...base,
        purpose: 'Synapse event persister (a stream writer of the events stream)',
        singletonReason: 'an event persister is a named shard of the events stream that Synapse allows to run once',
        ports: [SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
        resources: WORKER_RESOURCES,
        // Every HTTP listener of Synapse answers /health: here the replication listener, its only one.
        probe: { ...HTTPS_HEALTH, port: SYNAPSE_PORTS.replication.name },
        command: synapseCommand('worker'),
      };
    case 'federation-sender':
      return {
        ...base,
        purpose: 'Synapse federation sender worker',
        singletonReason:
          'a federation sender instance is a named shard that Synapse allows to run once; the queue survives in the database',
        ports: [SYNAPSE_PORTS.metrics],
        resources: WORKER_RESOURCES,
        probe: { type: 'tcp', port: 'metrics' },
        command: synapseCommand('worker'),
      };
    case 'media':
      return {
        ...base,
        purpose: 'Synapse media-repository worker',
        singletonReason: 'the media store volume is ReadWriteOncePod and one instance runs the media background jobs',
        ports: [SYNAPSE_PORTS.http, SYNAPSE_PORTS.replication, SYNAPSE_PORTS.metrics],
        writablePaths: [{ ...SYNAPSE_WRITABLE[0], sizeLimitMi: 512 }, SYNAPSE_WRITABLE[1]],
        storage: {
          name: 'media',
          mountPath: SYNAPSE_PATHS.mediaStore,
          sizeGi: homeserver.media.storageGi,
          // Media in S3 is protected by the bucket (versioning, object lock); the volume is then a cache.
          ...(homeserver.media.s3 ? {} : { backedUpBy: STORE_BACKUP_WORKLOADS.media }),
        },
        resources: WORKER_RESOURCES,
        probe: HTTPS_HEALTH,
        command: synapseCommand('worker'),
        secretMounts: [...(base.secretMounts ?? []), ...(homeserver.media.s3 ? [mount('s3', SECRET_NAMES.s3, S3_SECRET_DIRECTORY)] : [])],
        // A path, not a value: boto3 reads the credentials from the mounted file.
        env: {
          ...base.env,
          ...(homeserver.media.s3 ? { AWS_SHARED_CREDENTIALS_FILE: `${S3_SECRET_DIRECTORY}/credentials` } : {}),
        },
      };
  }
}

export function homeserverWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  const synapse = synapseProcesses(homeserver)
    .filter((process) => process.compartment === 'homeserver')
    .map((process) => synapseProcessWorkload(config, homeserver, process));
  return [...synapse, redisWorkload(config)];
}

const REDIS_PATHS = { config: '/config', acl: '/secrets/redis', tls: '/secrets/tls', ca: '/trust' } as const;

function redisWorkload(config: DeploymentConfig): WorkloadSpec {
  return {
    name: 'redis',
    compartment: 'homeserver',
    kind: 'Deployment',
    purpose: 'Redis for Synapse worker replication (TLS only, client certificates required, no persistence)',
    image: config.images.effective.redis,
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
    command: ['redis-server', `${REDIS_PATHS.config}/redis.conf`],
    configFiles: [
      {
        volumeName: 'config',
        mountPath: REDIS_PATHS.config,
        files: {
          'redis.conf': renderRedisConf(
            {
              aclFile: `${REDIS_PATHS.acl}/users.acl`,
              certificateFile: `${REDIS_PATHS.tls}/tls.crt`,
              keyFile: `${REDIS_PATHS.tls}/tls.key`,
              caFile: `${REDIS_PATHS.ca}/ca.crt`,
            },
            192,
          ),
        },
      },
    ],
    secretMounts: [mount('redis', SECRET_NAMES.redis, REDIS_PATHS.acl), mount('tls', CERTIFICATE_SECRETS.redis, REDIS_PATHS.tls)],
    trustBundle: trustBundleMount(config, REDIS_PATHS.ca),
  };
}

export function mediaWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  return synapseProcesses(homeserver)
    .filter((process) => process.compartment === 'media')
    .map((process) => synapseProcessWorkload(config, homeserver, process));
}
