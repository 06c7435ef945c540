/**
 * The gateway's route table, as data: which public paths go where. Everything not listed
 * (the admin API `/_synapse/admin`, `/_synapse/*` but the OIDC callback, metrics, health, federation when it is
 * off, and every identity provider path but the realm's login pages: its admin console and
 * API, the master realm, the token endpoint) is refused. The HAProxy config is generated from this table, and the tests evaluate
 * the table with the same precedence HAProxy applies.
 */

import { PUBLIC_IDENTITY_PATHS, SYNAPSE_OIDC_CALLBACK_PATH } from '../../model/identity';
import type { WorkerPool } from '../../model/synapse-processes';

export type RouteTarget = 'synapse' | 'media' | 'identity' | 'well-known-server' | 'well-known-client' | WorkerPool;

/**
 * An anchored regular expression over the path, in the subset PCRE (HAProxy) and JavaScript
 * read alike: literals, `[^/]`, `.`, groups with alternatives, `+`, `*`, `$`.
 */
export type PathPattern = `^/${string}`;

export interface GatewayRoute {
  readonly name: string;
  readonly match:
    { readonly kind: 'prefix' | 'exact'; readonly path: string } | { readonly kind: 'pattern'; readonly pattern: PathPattern };
  readonly target: RouteTarget;
}

/**
 * What each worker pool serves: paths Synapse's generic workers handle, and only reads, so
 * sending, logins, invites, profiles and the user directory stay on the main process, where
 * their rate limits (kept per process) and the scraping alerts' metrics are.
 */
export const POOL_ROUTES: Readonly<Record<WorkerPool, readonly { name: string; pattern: PathPattern }[]>> = {
  sync: [
    { name: 'sync', pattern: '^/_matrix/client/(r0|v3)/sync$' },
    { name: 'event_stream', pattern: '^/_matrix/client/(api/v1|r0|v3)/(events|initialSync)$' },
    { name: 'room_initial_sync', pattern: '^/_matrix/client/(api/v1|r0|v3)/rooms/[^/]+/initialSync$' },
  ],
  'client-reader': [
    {
      name: 'room_reads',
      pattern: '^/_matrix/client/(api/v1|r0|v3)/rooms/[^/]+/(messages|members|joined_members|state|context/[^/]+|event/[^/]+)$',
    },
    { name: 'room_tree_reads', pattern: '^/_matrix/client/v1/rooms/[^/]+/(hierarchy|threads|relations/[^/]+(/[^/]+)*)$' },
    { name: 'key_reads', pattern: '^/_matrix/client/(r0|v3)/keys/(query|changes)$' },
    { name: 'account_reads', pattern: '^/_matrix/client/(r0|v3)/(joined_rooms|capabilities)$' },
    { name: 'versions', pattern: '^/_matrix/client/versions$' },
  ],
  'federation-reader': [
    {
      name: 'federation_reads',
      pattern:
        '^/_matrix/federation/v1/(send|event|state|state_ids|backfill|get_missing_events|event_auth|query_auth|timestamp_to_event|query|make_join|make_leave|make_knock|send_knock|exchange_third_party_invite|user/devices|hierarchy)/',
    },
    { name: 'federation_joins', pattern: '^/_matrix/federation/(v1|v2)/(send_join|send_leave|invite)/' },
    { name: 'federation_public_rooms', pattern: '^/_matrix/federation/v1/(publicRooms)$' },
  ],
};

/**
 * Ordered most specific first: the first matching route wins. The pools' routes come first
 * (each is a part of a Synapse prefix route); paths of a pool that does not exist go to the
 * main process through that prefix.
 */
/** The one federation path served without federation: the OpenID userinfo the calls' authorisation service checks tokens at. */
export const OPENID_USERINFO_PATH = '/_matrix/federation/v1/openid/userinfo';

export function gatewayRoutes(federationEnabled: boolean, pools: readonly WorkerPool[] = [], calls = false): GatewayRoute[] {
  const routes: GatewayRoute[] = [
    { name: 'client_media', match: { kind: 'prefix', path: '/_matrix/client/v1/media/' }, target: 'media' },
    { name: 'legacy_media', match: { kind: 'prefix', path: '/_matrix/media/' }, target: 'media' },
    { name: 'client_api', match: { kind: 'prefix', path: '/_matrix/client/' }, target: 'synapse' },
    { name: 'well_known_client', match: { kind: 'exact', path: '/.well-known/matrix/client' }, target: 'well-known-client' },
    // The one `/_synapse` path routed: where the identity provider sends the browser back to Synapse after a login.
    { name: 'oidc_callback', match: { kind: 'exact', path: SYNAPSE_OIDC_CALLBACK_PATH }, target: 'synapse' },
    { name: 'identity_authorize', match: { kind: 'exact', path: PUBLIC_IDENTITY_PATHS.authorization }, target: 'identity' },
    { name: 'identity_login_actions', match: { kind: 'prefix', path: PUBLIC_IDENTITY_PATHS.loginActions }, target: 'identity' },
    { name: 'identity_logout', match: { kind: 'exact', path: PUBLIC_IDENTITY_PATHS.logout }, target: 'identity' },
    { name: 'identity_resources', match: { kind: 'prefix', path: PUBLIC_IDENTITY_PATHS.resources }, target: 'identity' },
  ];
  if (federationEnabled) {
    routes.push(
      { name: 'federation_media', match: { kind: 'prefix', path: '/_matrix/federation/v1/media/' }, target: 'media' },
      { name: 'federation_api', match: { kind: 'prefix', path: '/_matrix/federation/' }, target: 'synapse' },
      { name: 'key_api', match: { kind: 'prefix', path: '/_matrix/key/' }, target: 'synapse' },
      { name: 'well_known_server', match: { kind: 'exact', path: '/.well-known/matrix/server' }, target: 'well-known-server' },
    );
  } else if (calls) {
    // The authorisation service finds the homeserver as any federation client would, and asks it who a token belongs to.
    routes.push(
      { name: 'openid_userinfo', match: { kind: 'exact', path: OPENID_USERINFO_PATH }, target: 'synapse' },
      { name: 'well_known_server', match: { kind: 'exact', path: '/.well-known/matrix/server' }, target: 'well-known-server' },
    );
  }
  const poolRoutes = pools
    .filter((pool) => federationEnabled || pool !== 'federation-reader')
    .flatMap((pool) =>
      POOL_ROUTES[pool].map((route): GatewayRoute => ({
        name: route.name,
        match: { kind: 'pattern', pattern: route.pattern },
        target: pool,
      })),
    );
  // Longer prefixes first, so a specific media route is never shadowed by its API prefix.
  const length = (route: GatewayRoute) => (route.match.kind === 'pattern' ? 0 : route.match.path.length);
  return [...poolRoutes, ...routes.sort((a, b) => length(b) - length(a))];
}

export function routeMatches(route: GatewayRoute, path: string): boolean {
  const { match } = route;
  if (match.kind === 'pattern') return new RegExp(match.pattern).test(path);
  return match.kind === 'exact' ? path === match.path : path.startsWith(match.path);
}

export function routeFor(path: string, routes: readonly GatewayRoute[]): RouteTarget | 'refused' {
  return routes.find((candidate) => routeMatches(candidate, path))?.target ?? 'refused';
}
