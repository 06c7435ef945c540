/**
 * Renders Synapse's configuration from the deployment config: `homeserver.yaml` shared by
 * every process, one file per worker, and the logging config. Every Synapse control of
 * docs/design.md is set explicitly (never left to a Synapse default), and no value is a secret:
 * each secret is a `*_path` / file option pointing at a mounted Secret, and Synapse runs with
 * `--no-secrets-in-config`.
 */
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { ALWAYS_BLOCKED_RANGES } from '../../config/reserved-ranges';
import type { HomeserverCompartment } from '../../model/compartments';
import { homeserverServiceName, hostOf } from '../../model/dns-names';
import { POSTGRES_SERVICES } from '../../model/postgres';
import { eventWriters, namedInstances, synapseProcesses } from '../../model/synapse-processes';
import { FEDERATION_SENDER, MEDIA_WORKER, POSTGRES_SERVICE_PORT, REDIS_SERVICE_PORT, SYNAPSE_PORTS } from '../../model/workload-spec';
import { yamlTemplate } from '../go-template';
import { POSTGRES_DATABASE, POSTGRES_ROLE } from '../postgres';
import { allowedLocal3pids } from './email-patterns';
import { PGPASS_RUNTIME_PATH, SYNAPSE_PATHS } from './mount-paths';
import { oidcProvider } from './oidc-provider';
import { toSynapseYaml } from './render-yaml';

type Rate = { per_second: number; burst_count: number };
const rate = (perSecond: number, burst: number): Rate => ({ per_second: perSecond, burst_count: burst });

export function blockedRanges(config: DeploymentConfig): string[] {
  const { podCidrs, serviceCidrs, nodeCidrs, metadataCidrs } = config.kubernetes;
  return [...new Set([...ALWAYS_BLOCKED_RANGES, ...podCidrs, ...serviceCidrs, ...nodeCidrs, ...metadataCidrs])];
}

/** The shared `homeserver.yaml` (main process settings; workers add their own file on top). */
export function homeserverConfig(config: DeploymentConfig, homeserver: HomeserverSettings): Record<string, unknown> {
  const service = (compartment: HomeserverCompartment, name: string) => homeserverServiceName(homeserver.name, compartment, name);
  const { synapse, federation } = homeserver;
  // Without federation, calls still need the OpenID userinfo endpoint (the `openid` resource serves only that).
  const publicResources = federation.enabled ? ['client', 'federation'] : homeserver.calls ? ['client', 'openid'] : ['client'];

  return {
    server_name: homeserver.serverName,
    public_baseurl: `https://${hostOf(homeserver.serverName)}/`,
    report_stats: false,
    log_config: SYNAPSE_PATHS.logConfig,

    // Secrets: only paths to mounted files.
    signing_key_path: `${SYNAPSE_PATHS.signingKeyDirectory}/signing.key`,
    macaroon_secret_key_path: `${SYNAPSE_PATHS.keysDirectory}/macaroon`,
    form_secret_path: `${SYNAPSE_PATHS.keysDirectory}/form`,
    worker_replication_secret_path: `${SYNAPSE_PATHS.keysDirectory}/replication`,

    // The listener the gateway reaches is TLS (internal CA); the gateway verifies it.
    tls_certificate_path: `${SYNAPSE_PATHS.tlsDirectory}/tls.crt`,
    tls_private_key_path: `${SYNAPSE_PATHS.tlsDirectory}/tls.key`,
    listeners: [
      // Behind the gateway: the real client address comes from X-Forwarded-For.
      httpListener(publicResources),
      // Internal only: reachable from Synapse pods (flow matrix), never routed by the gateway.
      replicationListener(),
      { port: SYNAPSE_PORTS.metrics.containerPort, type: 'metrics', bind_addresses: ['0.0.0.0'] },
    ],
    enable_metrics: true,

    database: {
      name: 'psycopg2',
      allow_unsafe_locale: false,
      args: {
        user: POSTGRES_ROLE,
        dbname: POSTGRES_DATABASE,
        host: service('homeserver', POSTGRES_SERVICES.readWrite),
        port: POSTGRES_SERVICE_PORT.servicePort,
        sslmode: 'verify-full',
        sslrootcert: `${SYNAPSE_PATHS.caDirectory}/ca.crt`,
        passfile: PGPASS_RUNTIME_PATH,
        cp_min: 5,
        cp_max: 10,
      },
    },
    // TLS only, with the process's own certificate as its client certificate (Redis requires one).
    redis: {
      enabled: true,
      host: service('homeserver', 'redis'),
      port: REDIS_SERVICE_PORT.servicePort,
      password_path: `${SYNAPSE_PATHS.redisSecretDirectory}/password`,
      use_tls: true,
      certificate_file: `${SYNAPSE_PATHS.tlsDirectory}/tls.crt`,
      private_key_file: `${SYNAPSE_PATHS.tlsDirectory}/tls.key`,
      ca_file: `${SYNAPSE_PATHS.caDirectory}/ca.crt`,
    },
    // Replication over TLS, verified against the internal CA (SSL_CERT_FILE) and the Service name.
    instance_map: Object.fromEntries(
      namedInstances(homeserver).map((process) => [
        process.instance,
        { host: service(process.compartment, process.name), port: SYNAPSE_PORTS.replication.containerPort, tls: true },
      ]),
    ),
    stream_writers: { events: eventWriters(homeserver) },
    ...(federation.enabled ? { federation_sender_instances: [FEDERATION_SENDER] } : {}),

    // Media lives in the media compartment only.
    enable_media_repo: false,
    media_instance_running_background_jobs: MEDIA_WORKER,
    media_store_path: SYNAPSE_PATHS.mediaStore,
    enable_authenticated_media: true,
    max_upload_size: synapse.maxUploadSize,
    media_upload_limits: synapse.mediaUploadLimits.map((limit) => ({ time_period: limit.timePeriod, max_size: limit.maxSize })),
    media_retention: {
      local_media_lifetime: synapse.mediaRetention.localMediaLifetime,
      remote_media_lifetime: synapse.mediaRetention.remoteMediaLifetime,
    },
    url_preview_enabled: false,
    ip_range_blacklist: blockedRanges(config),
    ip_range_whitelist: [],

    // Registration closed: an account is created only at a first login the realm admitted
    // (directory admission filter, then a second factor). No password login at all.
    enable_registration: false,
    enable_registration_without_verification: false,
    allow_guest_access: false,
    password_config: { enabled: false, localdb_enabled: false },
    allowed_local_3pids: allowedLocal3pids(homeserver.allowedEmailDomains),
    request_token_inhibit_3pid_errors: true,
    enable_3pid_lookup: false,
    enable_3pid_changes: false,
    enable_set_displayname: false,
    enable_set_avatar_url: false,

    // Directory minimisation: no scraping of people and profiles.
    user_directory: {
      enabled: true,
      search_all_users: false,
      prefer_local_users: true,
      exclude_remote_users: true,
      show_locked_users: false,
    },
    require_auth_for_profile_requests: true,
    limit_profile_requests_to_users_who_share_rooms: true,
    include_profile_data_on_invite: false,
    allow_profile_lookup_over_federation: false,
    presence: { enabled: false },
    push: { include_content: false },

    // Rooms: end-to-end encrypted by default, public ones included.
    encryption_enabled_by_default_for_room_type: 'all',
    allow_public_rooms_over_federation: false,
    allow_public_rooms_without_auth: false,

    // Federation: only the fleet (or the configured peers); no notary servers.
    federation_domain_whitelist: federation.enabled ? [...federation.peers] : [],
    trusted_key_servers: [],
    suppress_key_server_warning: true,

    // Rate limits, including the invitation and directory paths scraped in the breach.
    rc_message: rate(0.2, 10),
    rc_login: { address: rate(0.003, 5), account: rate(0.003, 5), failed_attempts: rate(0.17, 3) },
    rc_registration: rate(0.01, 1),
    rc_joins: { local: rate(0.1, 10), remote: rate(0.01, 10) },
    rc_invites: { per_room: rate(0.1, 5), per_user: rate(0.003, 5), per_issuer: rate(0.1, 5) },
    rc_third_party_invite: rate(0.0025, 5),
    rc_user_directory: rate(0.016, 20),
    rc_3pid_validation: rate(0.003, 3),

    // Finite sessions and tokens.
    session_lifetime: synapse.tokens.sessionLifetime,
    refresh_token_lifetime: synapse.tokens.refreshTokenLifetime,
    refreshable_access_token_lifetime: synapse.tokens.refreshableAccessTokenLifetime,
    nonrefreshable_access_token_lifetime: synapse.tokens.nonrefreshableAccessTokenLifetime,

    // Login only through the identity provider, where a second factor is always required (identity compartment).
    oidc_providers: [oidcProvider(homeserver)],
  };
}

/**
 * The `email:` section with `password` as its SMTP password. Synapse merges top-level keys, so
 * the section must be complete.
 */
export function emailSection(homeserver: HomeserverSettings, password: string): Record<string, unknown> | undefined {
  const smtp = homeserver.synapse.smtp;
  if (!smtp) return undefined;
  return {
    email: {
      smtp_host: smtp.host,
      smtp_port: smtp.port,
      smtp_user: smtp.username,
      smtp_pass: password,
      force_tls: smtp.port === 465,
      require_transport_security: true,
      enable_tls: true,
      notif_from: smtp.notifFrom,
      enable_notifs: false,
      notif_for_new_users: false,
      client_base_url: `https://${hostOf(homeserver.serverName)}/`,
    },
  };
}

/**
 * `email.yaml`, delivered as a Secret-held extra config file because Synapse has no path option
 * for the SMTP password: an External Secrets template whose text is literal (a `{{` in any
 * configured value is printed, never evaluated) and whose only action prints the password
 * JSON-quoted, so neither the config nor the password can add a key beside `email:`.
 */
export function emailConfigTemplate(homeserver: HomeserverSettings): string | undefined {
  if (!homeserver.synapse.smtp) return undefined;
  return yamlTemplate([EMAIL_PASSWORD_VALUE], (slot) =>
    toSynapseYaml(emailSection(homeserver, slot(EMAIL_PASSWORD_VALUE)) ?? {}, `Synapse email section of ${homeserver.serverName}`),
  );
}

/** The value of the synapse-email secret that holds the SMTP password. */
export const EMAIL_PASSWORD_VALUE = 'password';

/** One worker's own settings on top of the shared homeserver.yaml. */
export interface WorkerDefinition {
  readonly name: string;
  /** Listener resources served on the worker's HTTP port; none = no HTTP listener but metrics. */
  readonly httpResources: readonly string[];
  readonly replicationListener: boolean;
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * Optional S3-compatible object storage (sovereign cloud) behind the local media store.
 * Needs an image that ships synapse-s3-storage-provider; credentials come from the
 * AWS-style shared credentials file mounted from the secret store (AWS_SHARED_CREDENTIALS_FILE).
 */
export function mediaStorageProviders(homeserver: HomeserverSettings): Record<string, unknown> {
  const s3 = homeserver.media.s3;
  if (!s3) return {};
  return {
    media_storage_providers: [
      {
        module: 's3_storage_provider.S3StorageProviderBackend',
        store_local: true,
        store_remote: true,
        store_synchronous: true,
        config: { bucket: s3.bucket, endpoint_url: s3.endpoint, ...(s3.region ? { region_name: s3.region } : {}) },
      },
    ],
  };
}

/** Every process but the main one, as the worker file it runs with. */
export function workerDefinitions(homeserver: HomeserverSettings): WorkerDefinition[] {
  return synapseProcesses(homeserver)
    .filter((process) => process.role !== 'main')
    .map((process) => ({
      name: process.name,
      httpResources: process.httpResources,
      replicationListener: process.instance !== undefined,
      extra: process.role === 'media' ? { enable_media_repo: true, ...mediaStorageProviders(homeserver) } : {},
    }));
}

function httpListener(resources: readonly string[]): Record<string, unknown> {
  return {
    port: SYNAPSE_PORTS.http.containerPort,
    type: 'http',
    tls: true,
    bind_addresses: ['0.0.0.0'],
    x_forwarded: true,
    resources: [{ names: [...resources], compress: false }],
  };
}

/** TLS like the public listener: replication carries every event and is authenticated by a shared secret only. */
function replicationListener(): Record<string, unknown> {
  return {
    port: SYNAPSE_PORTS.replication.containerPort,
    type: 'http',
    tls: true,
    bind_addresses: ['0.0.0.0'],
    x_forwarded: false,
    resources: [{ names: ['replication'], compress: false }],
  };
}

export function workerConfig(worker: WorkerDefinition): Record<string, unknown> {
  const listeners: Record<string, unknown>[] = [];
  if (worker.httpResources.length > 0) listeners.push(httpListener(worker.httpResources));
  if (worker.replicationListener) listeners.push(replicationListener());
  listeners.push({ port: SYNAPSE_PORTS.metrics.containerPort, type: 'metrics', bind_addresses: ['0.0.0.0'] });
  return {
    worker_app: 'synapse.app.generic_worker',
    worker_name: worker.name,
    worker_listeners: listeners,
    worker_log_config: SYNAPSE_PATHS.logConfig,
    // Logins are served by the main process only. The shared homeserver.yaml names the OIDC
    // client secret's file, which Synapse reads at start: workers, whose pods do not mount that
    // Secret, replace the provider list (Synapse merges config files key by key) instead of
    // crashing, and the client secret stays out of the media compartment.
    oidc_providers: [],
    ...worker.extra,
  };
}

/** Structured logs to stdout only (collected by the platform's log shipping; nothing on disk). */
export function logConfig(): Record<string, unknown> {
  return {
    version: 1,
    formatters: { precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' } },
    filters: { context: { '()': 'synapse.logging.context.LoggingContextFilter', request: '' } },
    handlers: { console: { class: 'logging.StreamHandler', formatter: 'precise', filters: ['context'] } },
    loggers: { synapse: { level: 'INFO' }, 'synapse.storage.SQL': { level: 'WARNING' } },
    root: { level: 'INFO', handlers: ['console'] },
    disable_existing_loggers: false,
  };
}
