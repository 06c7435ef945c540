/**
 * Renders the gateway's HAProxy configuration: TLS >= 1.2 with forward-secret AEAD suites,
 * only the routes of the route table, a request body limit equal to Synapse's
 * max_upload_size, per-client-address rate limits, and the real client address forwarded
 * (client-supplied forwarding headers are dropped first), and TLS to the backends verified
 * against the internal CA. Valid for HAProxy 2.6 (tested) and 3.x (deployed). Contains no
 * secret: the certificate is a mounted file. Requests are logged without their query string,
 * where bearer tokens travel (request-log.ts).
 *
 * Monitoring: a separate `metrics` frontend serves HAProxy's built-in Prometheus exporter on
 * `/metrics` only (404 elsewhere), on a port no Service exposes. Login attempts go through
 * their own `login` backend, so every refused login (Synapse's 401/403/429 and the gateway's
 * own 429) is counted as `haproxy_backend_http_responses_total{proxy="login",code="4xx"}`, and
 * media bytes served as `haproxy_backend_bytes_out_total{proxy="media"}`.
 */
import {
  LIVEKIT_CREATE_ROOM_PATH,
  LIVEKIT_HEALTH_PATH,
  LIVEKIT_SIGNAL_PATHS,
  RTC_AUTH_HEALTH_PATH,
  RTC_AUTH_PATHS,
} from '../../model/calls';
import { ELEMENT_HEALTH_PATH } from '../../model/client';
import { hostOf } from '../../model/dns-names';
import { publicIssuerPath } from '../../model/identity';
import { HAPROXY_METRICS_PATH } from '../../model/monitoring';
import { WORKER_POOLS, type WorkerPool } from '../../model/synapse-processes';
import { clientSecurityHeaders } from './client-headers';
import { REQUEST_LOG_FORMAT_LINE } from './request-log';
import { gatewayRoutes, type GatewayRoute } from './routes';

export interface HaproxyBackend {
  readonly host: string;
  readonly port: number;
  /** The name the backend's certificate must carry (its Service name); defaults to `host`. */
  readonly tlsName?: string;
}

export interface HaproxyInput {
  readonly serverName: string;
  readonly federationEnabled: boolean;
  readonly maxUploadBytes: number;
  readonly rateLimit: { readonly requestsPer10s: number; readonly loginRequestsPer10s: number };
  readonly listenPort: number;
  /** Plain-HTTP port of the Prometheus exporter frontend. */
  readonly metricsPort: number;
  /** PEM with the certificate chain and the private key. */
  readonly certificateFile: string;
  /** CA bundle the backends' certificates must chain to (the internal CA). */
  readonly backendCaFile: string;
  readonly backends: { readonly synapse: HaproxyBackend; readonly media: HaproxyBackend; readonly identity: HaproxyBackend };
  /** The worker pools that exist, each behind its Service; their paths go to the main process otherwise. */
  readonly pools?: Readonly<Partial<Record<WorkerPool, HaproxyBackend>>>;
  /** The web client on its own name: every request for that name goes to it, GET and HEAD only, and nothing else does. */
  readonly client?: { readonly hostname: string; readonly backend: HaproxyBackend };
  /** Calls on their own name: only the token, signalling and room creation paths, each to its TLS front. */
  readonly calls?: {
    readonly hostname: string;
    readonly livekit: HaproxyBackend;
    readonly rtcAuth: HaproxyBackend;
    /** The MatrixRTC foci `.well-known/matrix/client` advertises. */
    readonly foci: readonly unknown[];
  };
}

/** Under /auth/: dot segments, encoded dots, slashes and backslashes, parameters (`;`), empty segments, backslashes. */
export const IDENTITY_UNSAFE_PATH = '(^|/)\\.\\.?(/|$)|%2e|%2f|%5c|;|//|\\\\';

export const TLS12_CIPHERS =
  'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256';
export const TLS13_CIPHERSUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** A pattern as one single-quoted HAProxy word: nothing inside may end the quote, split the word or start a comment. */
function quotedPattern(pattern: string): string {
  if (!/^\^\/[A-Za-z0-9_/.()|[\]^$+*-]*$/.test(pattern))
    throw new Error(`route pattern "${pattern}" has a character HAProxy could misread`);
  return `'${pattern}'`;
}

function aclFor(route: GatewayRoute): string {
  const { match } = route;
  if (match.kind === 'pattern') return `acl ${route.name} path_reg ${quotedPattern(match.pattern)}`;
  return match.kind === 'exact' ? `acl ${route.name} path ${match.path}` : `acl ${route.name} path_beg ${match.path}`;
}

/** Proxy names the alert rules select on (`proxy` label of the exporter's series). */
export const HAPROXY_PROXIES = {
  public: 'public',
  metrics: 'metrics',
  synapse: 'synapse',
  login: 'login',
  media: 'media',
  identity: 'identity',
  client: 'client',
  livekit: 'livekit',
  rtcAuth: 'rtc-auth',
} as const;

/**
 * A JSON body as one HAProxy word: single-quoted (no escape, variable or comment is read inside),
 * and a quote in the text closes the string, adds an escaped quote and reopens it (`'\''`).
 */
function quotedJson(value: unknown): string {
  return `'${JSON.stringify(value).replaceAll("'", "'\\''")}'`;
}

/** A host name written as a bare HAProxy word: nothing HAProxy would split, quote, expand or comment out. */
function bareWord(text: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(text)) throw new Error(`"${text}" cannot be a bare HAProxy word`);
  return text;
}

export function renderHaproxyConfig(input: HaproxyInput): string {
  const pools = WORKER_POOLS.filter((pool) => input.pools?.[pool] !== undefined);
  const routes = gatewayRoutes(input.federationEnabled, pools, input.calls !== undefined);
  const host = hostOf(input.serverName);
  const routed = (target: GatewayRoute['target']) => routes.filter((route) => route.target === target).map((route) => route.name);
  const anyOf = (names: string[]) => names.join(' || ');
  const mediaRoutes = routed('media');
  const client = input.client;
  const calls = input.calls;
  const callPaths = calls ? ['calls_token', 'calls_signal', 'calls_signal_paths', 'calls_rooms'] : [];
  // The homeserver's answers are never given on the client's name.
  const notClient = client ? '!client_host ' : '';
  const lines = [
    '# Generated by matrix-sovereign-iac; do not edit. Contains no secret.',
    'global',
    '  log stdout format raw local0 info',
    '  maxconn 4096',
    '  hard-stop-after 30s',
    `  ssl-default-bind-ciphers ${TLS12_CIPHERS}`,
    `  ssl-default-bind-ciphersuites ${TLS13_CIPHERSUITES}`,
    '  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets',
    // The same floor towards the backends.
    `  ssl-default-server-ciphers ${TLS12_CIPHERS}`,
    `  ssl-default-server-ciphersuites ${TLS13_CIPHERSUITES}`,
    '  ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets',
    '  tune.ssl.default-dh-param 2048',
    '',
    'resolvers cluster',
    '  parse-resolv-conf',
    '  hold valid 10s',
    '',
    'defaults',
    '  mode http',
    '  log global',
    `  ${REQUEST_LOG_FORMAT_LINE}`,
    '  option http-keep-alive',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 300s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 30s',
    '',
    'frontend public',
    `  bind :${input.listenPort} ssl crt ${input.certificateFile} alpn h2,http/1.1`,
    '  maxconn 4000',
    // Per-client-address request rate over 10 s; logins are counted separately and bounded harder.
    '  stick-table type ipv6 size 200k expire 60s store http_req_rate(10s),gpc0,gpc0_rate(10s)',
    '  http-request track-sc0 src',
    `  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${input.rateLimit.requestsPer10s} }`,
    ...(client
      ? [
          `  acl client_host hdr(host) -i ${bareWord(client.hostname)} ${bareWord(client.hostname)}:443`,
          // The client's origin serves static files: nothing is sent to it.
          '  http-request deny deny_status 405 if client_host !METH_GET !METH_HEAD',
        ]
      : []),
    ...(calls
      ? [
          `  acl calls_host hdr(host) -i ${bareWord(calls.hostname)} ${bareWord(calls.hostname)}:443`,
          `  acl calls_token path ${RTC_AUTH_PATHS.join(' ')}`,
          `  acl calls_signal path ${LIVEKIT_SIGNAL_PATHS.exact}`,
          `  acl calls_signal_paths path_beg ${LIVEKIT_SIGNAL_PATHS.prefix}`,
          `  acl calls_rooms path ${LIVEKIT_CREATE_ROOM_PATH}`,
          // The calls name serves the call paths only, and the call paths are served on it only.
          `  http-request deny deny_status 404 if calls_host ${callPaths.map((name) => `!${name}`).join(' ')}`,
          `  http-request deny deny_status 404 if ${callPaths.map((name) => `!calls_host ${name}`).join(' || ')}`,
        ]
      : []),
    '  acl login_attempt method POST',
    '  acl login_path path_reg ^/_matrix/client/(r0|v3)/login$',
    '  http-request sc-inc-gpc0(0) if login_attempt login_path',
    // The body limit is Synapse's max_upload_size; uploads must announce their length.
    `  http-request deny deny_status 413 if { req.hdr_val(content-length) gt ${input.maxUploadBytes} }`,
    '  acl has_length req.hdr(content-length) -m found',
    '  acl upload_method method POST PUT',
    ...routes.map((route) => `  ${aclFor(route)}`),
    // A password or code posted to the identity provider is a login attempt too, bounded the same way.
    '  http-request sc-inc-gpc0(0) if login_attempt identity_login_actions',
    // The identity provider is routed by path prefix: a dot segment, an encoded dot, slash or
    // backslash, a parameter or an empty segment could step out of the prefix once Keycloak
    // normalises the path, so none of them passes under /auth/.
    '  acl identity_path path_beg /auth/',
    `  acl identity_unsafe_path path_reg -i '${IDENTITY_UNSAFE_PATH}'`,
    '  http-request deny deny_status 400 if identity_path identity_unsafe_path',
    ...mediaRoutes.map(
      (name) =>
        `  http-request return status 411 content-type text/plain string "Content-Length required" if upload_method !has_length ${name}`,
    ),
    // http-request rules run before backend selection: refuse every unrouted path here,
    // including /_synapse/admin, metrics and health.
    `  http-request deny deny_status 404 if ${notClient}${[...routes.map((route) => route.name), ...callPaths].map((name) => `!${name}`).join(' ')}`,
    // Only this gateway says who the client is: drop whatever the client claimed.
    '  http-request del-header X-Forwarded-For',
    '  http-request del-header X-Real-IP',
    '  http-request del-header Forwarded',
    '  http-request set-header X-Forwarded-Proto https',
    '  option forwardfor',
    '  http-response set-header Strict-Transport-Security "max-age=63072000; includeSubDomains"',
    '  http-response set-header X-Content-Type-Options nosniff',
    // With federation, or for the calls' authorisation service, which finds the homeserver as a federation client would.
    ...(routed('well-known-server').length > 0
      ? [
          `  http-request return status 200 content-type application/json string ${quotedJson({ 'm.server': `${host}:443` })} if ${notClient}${anyOf(routed('well-known-server'))}`,
        ]
      : []),
    `  http-request return status 200 content-type application/json string ${quotedJson(wellKnownClient(host, calls?.foci))} hdr Access-Control-Allow-Origin "*" if ${notClient}${anyOf(routed('well-known-client'))}`,
    ...(client ? ['  use_backend client if client_host'] : []),
    ...(calls
      ? [
          `  use_backend ${HAPROXY_PROXIES.rtcAuth} if calls_host calls_token`,
          `  use_backend ${HAPROXY_PROXIES.livekit} if calls_host calls_signal || calls_host calls_signal_paths || calls_host calls_rooms`,
        ]
      : []),
    `  use_backend media if ${anyOf(mediaRoutes)}`,
    // Logins have their own backend (the same Synapse): every refused attempt is counted there.
    '  use_backend login if login_attempt login_path',
    ...pools.map((pool) => `  use_backend ${pool} if ${anyOf(routed(pool))}`),
    `  use_backend synapse if ${anyOf(routed('synapse'))}`,
    `  use_backend identity if ${anyOf(routed('identity'))}`,
    '',
    // The Prometheus exporter, on its own plain-HTTP port that no Service exposes; nothing else is served there.
    'frontend metrics',
    `  bind :${input.metricsPort}`,
    '  maxconn 10',
    '  no log',
    `  http-request use-service prometheus-exporter if { path ${HAPROXY_METRICS_PATH} } { method GET HEAD }`,
    '  http-request deny deny_status 404',
    '',
    ...(
      [
        [HAPROXY_PROXIES.synapse, 'synapse'],
        [HAPROXY_PROXIES.login, 'synapse'],
        [HAPROXY_PROXIES.media, 'media'],
        [HAPROXY_PROXIES.identity, 'identity'],
      ] as const
    ).flatMap(([name, target]) => backendSection(input, name, target, input.backends[target])),
    ...pools.flatMap((pool) => {
      const backend = input.pools?.[pool];
      return backend ? backendSection(input, pool, pool, backend) : [];
    }),
    ...(client ? clientBackendSection(input, client.backend) : []),
    ...(calls
      ? [
          ...backendSection(input, HAPROXY_PROXIES.rtcAuth, 'rtc-auth', calls.rtcAuth),
          ...backendSection(input, HAPROXY_PROXIES.livekit, 'livekit', calls.livekit),
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** What each backend's health check asks for where it is not Synapse's `/health`. */
const HEALTH_PATHS: Readonly<Record<string, string>> = {
  // Keycloak's health endpoints are on its management port, which the gateway does not reach: its realm's discovery document instead.
  identity: `${publicIssuerPath()}/.well-known/openid-configuration`,
  client: ELEMENT_HEALTH_PATH,
  livekit: LIVEKIT_HEALTH_PATH,
  'rtc-auth': RTC_AUTH_HEALTH_PATH,
};

function backendSection(input: HaproxyInput, name: string, target: string, backend: HaproxyBackend): string[] {
  const host = bareWord(backend.host);
  const tlsName = bareWord(backend.tlsName ?? backend.host);
  const healthPath = HEALTH_PATHS[target] ?? '/health';
  return [
    `backend ${name}`,
    `  option httpchk GET ${healthPath}`,
    '  http-check expect status 200',
    // Refused here rather than in the frontend, so the gateway's own 429s count as refused logins too.
    ...(name === HAPROXY_PROXIES.login || name === HAPROXY_PROXIES.identity
      ? [`  http-request deny deny_status 429 if { sc_gpc0_rate(0) gt ${input.rateLimit.loginRequestsPer10s} }`]
      : []),
    // A pool's pod may go away mid-request (a rollout, a lost node): the request is tried again on a new connection,
    // which the Service sends to another pod. Pools serve reads only.
    ...(isPool(target) ? ['  retry-on conn-failure empty-response response-timeout', '  retries 2', '  option redispatch'] : []),
    // A call's signalling WebSocket stays open for the whole call.
    ...(target === 'livekit' ? ['  timeout tunnel 4h'] : []),
    // TLS to the backend, verified against the internal CA and the Service name (also for health checks).
    `  server ${target} ${host}:${backend.port} ssl verify required ca-file ${input.backendCaFile} verifyhost ${tlsName} sni str(${tlsName}) check check-ssl check-sni ${tlsName} inter 10s resolvers cluster init-addr last,libc,none`,
    '',
  ];
}

/** The web client's backend: its responses carry the origin's security headers (client-headers.ts). */
function clientBackendSection(input: HaproxyInput, backend: HaproxyBackend): string[] {
  const [header, ...rest] = backendSection(input, HAPROXY_PROXIES.client, 'client', backend);
  const headers = clientSecurityHeaders({
    homeserver: `https://${hostOf(input.serverName)}`,
    ...(input.calls ? { callsHostname: input.calls.hostname } : {}),
  }).map(([name, value]) => `  http-response set-header ${name} ${quotedHeaderValue(value)}`);
  // The web server's name is nobody's business.
  return [header ?? '', ...headers, '  http-response del-header Server', ...rest];
}

/** A header value as one double-quoted HAProxy word: no quote, backslash, variable or sample expression may start inside. */
function quotedHeaderValue(value: string): string {
  if (!/^[A-Za-z0-9 '();:,./=*+_-]+$/.test(value)) throw new Error(`header value "${value}" has a character HAProxy could misread`);
  return `"${value}"`;
}

/** What `.well-known/matrix/client` says: the homeserver, and the MatrixRTC foci when there are calls. */
function wellKnownClient(host: string, foci: readonly unknown[] | undefined): Record<string, unknown> {
  return {
    'm.homeserver': { base_url: `https://${host}` },
    ...(foci && foci.length > 0 ? { 'org.matrix.msc4143.rtc_foci': foci } : {}),
  };
}

function isPool(target: string): target is WorkerPool {
  return (WORKER_POOLS as readonly string[]).includes(target);
}
