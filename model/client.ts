/**
 * The client compartment as plain data: Element Web's web server (the image's nginx, serving
 * static files over TLS with the internal CA's certificate), its public origin, and the
 * origins the client may talk to. The gateway routes the client's own name to it and nothing
 * else; the Matrix API is never served on that name.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import { homeserverServiceName, hostOf } from './dns-names';
import type { WorkloadPort } from './workload-spec';

export const ELEMENT_WORKLOAD = 'element-web';

/** nginx's one listener: HTTPS with the internal CA's certificate. */
export const ELEMENT_HTTPS_PORT = {
  name: 'https',
  containerPort: 8443,
  servicePort: 8443,
  protocol: 'TCP',
} as const satisfies WorkloadPort;

/** The image's `nginx` user and group (the Element image runs as it, not as root). */
export const ELEMENT_UID = 101;
export const ELEMENT_GID = 101;

export const ELEMENT_PATHS = {
  /** The bundle, as the image ships it. */
  webRoot: '/app',
  /** Our nginx.conf (the image's own is templated at start, which a read-only root forbids). */
  serverConfigDirectory: '/etc/element-server',
  /** The rendered config.json, served at /config.json. */
  clientConfigDirectory: '/etc/element-config',
  tlsDirectory: '/tls',
  /** nginx's pid file and temporary files: the only writable place. */
  tmp: '/tmp',
  mimeTypes: '/etc/nginx/mime.types',
} as const;

/** What the gateway's health check fetches: the rendered config, which exists whatever the bundle's version. */
export const ELEMENT_HEALTH_PATH = '/config.json';

export const ELEMENT_RESOURCES = { cpuRequestMilli: 50, cpuLimitMilli: 500, memoryRequestMi: 32, memoryLimitMi: 128 } as const;

/** The client's public origin. */
export function clientOrigin(homeserver: HomeserverSettings): string | undefined {
  return homeserver.client ? `https://${homeserver.client.hostname}` : undefined;
}

/** The homeserver's public origin, the one the client talks to. */
export function homeserverOrigin(homeserver: HomeserverSettings): string {
  return `https://${hostOf(homeserver.serverName)}`;
}

export function elementServiceName(homeserver: HomeserverSettings): string {
  return homeserverServiceName(homeserver.name, 'client', ELEMENT_WORKLOAD);
}

/** The settings this file must hold whatever else changes (CLI-01 reads them back from the synthesized JSON). */
export const LOCKED_CLIENT_SETTINGS = {
  disable_custom_urls: true,
  disable_guests: true,
  disable_3pid_login: true,
  show_labs_settings: false,
  integrations_ui_url: '',
  integrations_rest_url: '',
  integrations_widgets_urls: [],
} as const;

/** Keys that would send users or data to a third party; none is ever written. */
export const FORBIDDEN_CLIENT_KEYS = [
  'posthog',
  'piwik',
  'sentry',
  'bug_report_endpoint_url',
  'map_style_url',
  'default_server_name',
  'default_hs_url',
  'default_is_url',
  'jitsi',
  'widget_build_url',
  'embedded_pages',
] as const;

/** The directives CLI-02 requires, each with the one value it must have. */
export const REQUIRED_CSP_DIRECTIVES = {
  'default-src': "'none'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
} as const;
