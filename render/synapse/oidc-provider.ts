/**
 * Synapse's one login method: the identity compartment's realm, over OpenID Connect. The
 * browser goes to the realm's public authorization endpoint (behind the gateway); Synapse
 * exchanges the code and reads the keys on the back channel, in-cluster, verifying Keycloak's
 * certificate against the internal CA. The client secret is a file; accounts are keyed by the
 * realm's stable subject (`sub`), so a renamed directory entry keeps its Matrix account.
 */
import type { HomeserverSettings } from '../../config/deployment-config';
import { hostOf } from '../../model/dns-names';
import { backChannelBase, publicIssuer, SYNAPSE_CLIENT_ID, SYNAPSE_IDP_NAME } from '../../model/identity';
import { SYNAPSE_PATHS } from './mount-paths';

const CLIENT_SECRET_FILE = `${SYNAPSE_PATHS.oidcSecretDirectory}/secret`;

export function oidcProvider(homeserver: HomeserverSettings): Record<string, unknown> {
  const issuer = publicIssuer(homeserver);
  const backChannel = backChannelBase(homeserver);
  return {
    idp_id: SYNAPSE_IDP_NAME,
    idp_name: `${hostOf(homeserver.serverName)} sign-in`,
    issuer,
    // The endpoints are stated, not discovered: discovery would go through the public name and the gateway.
    discover: false,
    authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
    token_endpoint: `${backChannel}/protocol/openid-connect/token`,
    userinfo_endpoint: `${backChannel}/protocol/openid-connect/userinfo`,
    jwks_uri: `${backChannel}/protocol/openid-connect/certs`,
    client_id: SYNAPSE_CLIENT_ID,
    client_secret_path: CLIENT_SECRET_FILE,
    client_auth_method: 'client_secret_basic',
    pkce_method: 'always',
    scopes: ['openid', 'profile', 'email'],
    skip_verification: false,
    user_profile_method: 'auto',
    // A local account that predates the realm is never taken over by a login.
    allow_existing_users: false,
    enable_registration: true,
    user_mapping_provider: {
      config: {
        subject_claim: 'sub',
        localpart_template: '{{ user.preferred_username }}',
        display_name_template: '{{ user.given_name }}',
        email_template: '{{ user.email }}',
        confirm_localpart: false,
      },
    },
  };
}
