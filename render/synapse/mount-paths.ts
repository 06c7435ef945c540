/** Where Synapse pods find their files; shared by the renderer and the workload catalogue. */
import { EMAIL_SECRET_DIRECTORY } from '../../model/synapse-email';

export const SYNAPSE_PATHS = {
  configDirectory: '/config',
  homeserverConfig: '/config/homeserver.yaml',
  workerConfig: '/config/worker.yaml',
  logConfig: '/config/log.yaml',
  signingKeyDirectory: '/secrets/signing',
  keysDirectory: '/secrets/keys',
  databaseSecretDirectory: '/secrets/database',
  redisSecretDirectory: '/secrets/redis',
  /** The identity provider's client secret (the main process only: it alone serves logins). */
  oidcSecretDirectory: '/secrets/oidc',
  /** The internal CA bundle (a ConfigMap: a CA certificate is not a secret). */
  caDirectory: '/trust',
  /** Certificate and key of the TLS listener the gateway connects to. */
  tlsDirectory: '/secrets/tls',
  emailSecretDirectory: EMAIL_SECRET_DIRECTORY,
  /** Memory-backed copy of the libpq passfile with mode 0600 (libpq refuses group-readable files). */
  runtimeSecretsDirectory: '/run/secrets',
  mediaStore: '/media',
  /** Memory-backed: the file a pool pod writes at start, naming its worker after its pod. */
  workerIdentityDirectory: '/run/worker',
} as const;

/** Read after worker.yaml, so its `worker_name` (the pod's name) replaces the pool's. */
export const WORKER_IDENTITY_PATH = `${SYNAPSE_PATHS.workerIdentityDirectory}/identity.yaml`;

export const PGPASS_RUNTIME_PATH = `${SYNAPSE_PATHS.runtimeSecretsDirectory}/pgpass`;
