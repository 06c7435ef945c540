/**
 * The identity compartment as plain data: Keycloak, the realm Synapse logs in through, the
 * names and addresses every other part derives (the public issuer behind the gateway, the
 * back-channel endpoints Synapse calls in-cluster, the database role in the homeserver's
 * PostgreSQL cluster) and the paths the gateway may route to it.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import { homeserverServiceName, hostOf } from './dns-names';
import type { WorkloadPort } from './workload-spec';

export const KEYCLOAK_WORKLOAD = 'keycloak';
/** The one realm per homeserver: its users are the directory's admitted people. */
export const REALM_NAME = 'matrix';
/** The realm's client Synapse logs in as (confidential, authorization code flow with PKCE only). */
export const SYNAPSE_CLIENT_ID = 'synapse';
/** Synapse's name for the provider as configured; Synapse always prefixes it with `oidc-`. */
export const SYNAPSE_IDP_NAME = 'keycloak';
/** The provider's id in Synapse's SSO paths and account links. */
export const SYNAPSE_IDP_ID = `oidc-${SYNAPSE_IDP_NAME}`;
/** Keycloak is served under this path, so the gateway routes a prefix of the homeserver's own name. */
export const KEYCLOAK_PATH = '/auth';

/** Keycloak's one listener: HTTPS with the internal CA's certificate (plain HTTP is off). */
export const KEYCLOAK_HTTPS_PORT = {
  name: 'https',
  containerPort: 8443,
  servicePort: 8443,
  protocol: 'TCP',
} as const satisfies WorkloadPort;
/** Keycloak's management interface (health and metrics, HTTPS), on no Service: the kubelet's probes only (no flow admits anyone). */
export const KEYCLOAK_MANAGEMENT_PORT = { name: 'management', containerPort: 9000, protocol: 'TCP' } as const satisfies WorkloadPort;

/** Keycloak's own database and role in the homeserver's PostgreSQL cluster (its own pg_hba line, no other database). */
export const KEYCLOAK_DATABASE = 'keycloak';
export const KEYCLOAK_DATABASE_ROLE = 'keycloak';

/** The realm's path, the same on the public name and on the back channel. */
export function publicIssuerPath(): string {
  return `${KEYCLOAK_PATH}/realms/${REALM_NAME}`;
}

/** The realm's public base as browsers and token issuers see it: `https://<server host>/auth/realms/matrix`. */
export function publicIssuer(homeserver: HomeserverSettings): string {
  return `https://${hostOf(homeserver.serverName)}${publicIssuerPath()}`;
}

/** Keycloak's in-cluster name (its certificate names it; Synapse verifies it on the back channel). */
export function keycloakServiceName(homeserver: HomeserverSettings): string {
  return homeserverServiceName(homeserver.name, 'identity', KEYCLOAK_WORKLOAD);
}

/** The realm's base on the back channel: Synapse exchanges codes and reads keys here, never through the gateway. */
export function backChannelBase(homeserver: HomeserverSettings): string {
  return `https://${keycloakServiceName(homeserver)}:${KEYCLOAK_HTTPS_PORT.servicePort}${KEYCLOAK_PATH}/realms/${REALM_NAME}`;
}

/** Synapse's OIDC callback: the one `/_synapse` path the gateway routes. */
export const SYNAPSE_OIDC_CALLBACK_PATH = '/_synapse/client/oidc/callback';

/** Where Keycloak sends the browser back to: Synapse's OIDC callback, exactly this URL and no other. */
export function synapseRedirectUri(homeserver: HomeserverSettings): string {
  return `https://${hostOf(homeserver.serverName)}${SYNAPSE_OIDC_CALLBACK_PATH}`;
}

/**
 * The public paths of the realm, all a browser needs to log in and enrol a second factor: the
 * authorization endpoint, the login pages' form targets, logout, and the pages' static resources.
 * The admin console, the admin API, the master realm, the token and account endpoints are not
 * among them: the gateway refuses every other path under `/auth`.
 */
export const PUBLIC_IDENTITY_PATHS = {
  authorization: `${KEYCLOAK_PATH}/realms/${REALM_NAME}/protocol/openid-connect/auth`,
  loginActions: `${KEYCLOAK_PATH}/realms/${REALM_NAME}/login-actions/`,
  logout: `${KEYCLOAK_PATH}/realms/${REALM_NAME}/protocol/openid-connect/logout`,
  resources: `${KEYCLOAK_PATH}/resources/`,
} as const;

/** Keycloak's container: the JVM, a 1 GiB heap ceiling within the 1.5 GiB limit. */
export const KEYCLOAK_RESOURCES = { cpuRequestMilli: 250, cpuLimitMilli: 2000, memoryRequestMi: 1024, memoryLimitMi: 1536 } as const;

/** The image's user (`keycloak`, uid 1000); never the root group the image also grants, its files are world-readable. */
export const KEYCLOAK_UID = 1000;
export const KEYCLOAK_GID = 1000;
