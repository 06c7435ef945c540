/**
 * The gateway's route table, as data: which public paths go where. Everything not listed
 * (the admin API `/_synapse/admin`, `/_synapse/*` but the OIDC callback, metrics, health, federation when it is
 * off, and every identity provider path but the realm's login pages: its admin console and
 * API, the master realm, the token endpoint) is refused. The HAProxy config is generated from this table, and the tests evaluate
 * the table with the same precedence HAProxy applies.
 */

import { PUBLIC_IDENTITY_PATHS, SYNAPSE_OIDC_CALLBACK_PATH } from '../../model/identity';

export type RouteTarget = 'synapse' | 'media' | 'identity' | 'well-known-server' | 'well-known-client';

export interface GatewayRoute {
  readonly name: string;
  readonly match: { readonly kind: 'prefix' | 'exact'; readonly path: string };
  readonly target: RouteTarget;
}

/** Ordered most specific first: the first matching route wins. */
export function gatewayRoutes(federationEnabled: boolean): GatewayRoute[] {
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
  }
  // Longer prefixes first, so a specific media route is never shadowed by its API prefix.
  return routes.sort((a, b) => b.match.path.length - a.match.path.length);
}

export function routeFor(path: string, routes: readonly GatewayRoute[]): RouteTarget | 'refused' {
  const route = routes.find((candidate) =>
    candidate.match.kind === 'exact' ? path === candidate.match.path : path.startsWith(candidate.match.path),
  );
  return route?.target ?? 'refused';
}
