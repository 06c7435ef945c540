/**
 * The gateway's route table, as data: which public paths go where. Everything not listed
 * (the admin API `/_synapse/admin`, `/_synapse/*`, metrics, health, federation when it is
 * off) is refused. The HAProxy config is generated from this table, and the tests evaluate
 * the table with the same precedence HAProxy applies.
 */

export type RouteTarget = 'synapse' | 'media' | 'well-known-server' | 'well-known-client';

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
