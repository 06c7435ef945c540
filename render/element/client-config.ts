/**
 * Element Web's config.json: locked to its one homeserver. No other server may be entered, no
 * guest access, no identity server or third-party identifiers, no room directory of other
 * servers, no integration manager, no analytics, no bug reports sent anywhere; logins go
 * straight to the homeserver's single sign-on (the identity provider with its second factor).
 * Secret-free: it is served to every visitor.
 */
import type { HomeserverSettings } from '../../config/deployment-config';
import { clientOrigin, homeserverOrigin, LOCKED_CLIENT_SETTINGS } from '../../model/client';

export function renderElementConfig(homeserver: HomeserverSettings): string {
  const config = {
    default_server_config: {
      'm.homeserver': { base_url: homeserverOrigin(homeserver), server_name: homeserver.serverName },
    },
    ...LOCKED_CLIENT_SETTINGS,
    room_directory: { servers: [homeserver.serverName] },
    default_federate: homeserver.federation.enabled,
    permalink_prefix: clientOrigin(homeserver),
    // Password login is off at the homeserver; the one way in is its single sign-on.
    sso_redirect_options: { immediate: true },
    // No call service is deployed for the client to use.
    features: { feature_group_calls: false },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
