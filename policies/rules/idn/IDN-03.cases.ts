/** The case table of IDN-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { clientAttributes, editClient, editRealm, realmFile } from '../../../test/policies/case-helpers/idn';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, metadataBlock, R, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

const CALLBACK = 'https://matrix.agency.example.org/_synapse/client/oidc/callback';

export const cases: RuleCases = {
  bad: [
    {
      name: 'a wildcard redirect URI',
      mutate: editClient((client) => (client.redirectUris = ['https://matrix.agency.example.org/*'])),
      address: realmFile,
      message: 'client "synapse" redirect URI "https://matrix.agency.example.org/*" has a wildcard',
    },
    {
      name: 'a plain-HTTP redirect URI',
      mutate: editClient((client) => (client.redirectUris = ['http://matrix.agency.example.org/_synapse/client/oidc/callback'])),
      address: realmFile,
      message: 'is not https: the code would cross the network in clear',
    },
    {
      name: "another host's callback",
      mutate: editClient((client) => (client.redirectUris = ['https://matrix.evil.example.net/_synapse/client/oidc/callback'])),
      address: realmFile,
      message: `is not the homeserver's callback "${CALLBACK}"`,
    },
    {
      name: 'a second redirect URI next to the callback',
      mutate: editClient((client) => (client.redirectUris = [CALLBACK, 'https://matrix.agency.example.org/_synapse/client/oidc/other'])),
      address: realmFile,
      message: 'redirect URI "https://matrix.agency.example.org/_synapse/client/oidc/other" is not the homeserver\'s callback',
    },
    {
      name: 'without site facts: a URI that is no homeserver callback',
      mutate: editClient((client) => (client.redirectUris = ['https://matrix.agency.example.org/elsewhere'])),
      context: STANDALONE_CONTEXT,
      address: realmFile,
      message: "is not a homeserver's callback (https://<host>/_synapse/client/oidc/callback)",
    },
    {
      name: 'no redirect URIs',
      mutate: editClient((client) => (client.redirectUris = [])),
      address: realmFile,
      message: `client "synapse" redirectUris is []: it must be exactly ["${CALLBACK}"]`,
    },
    {
      name: 'redirectUris absent',
      mutate: editClient((client) => delete client.redirectUris),
      address: realmFile,
      message: 'client "synapse" redirectUris is (absent)',
    },
    {
      name: 'PKCE with the plain method',
      mutate: editRealm((realm) => (clientAttributes(realm)['pkce.code.challenge.method'] = 'plain')),
      address: realmFile,
      message: 'attributes."pkce.code.challenge.method" is "plain", must be "S256"',
    },
    {
      name: 'PKCE not required',
      mutate: editRealm((realm) => delete clientAttributes(realm)['pkce.code.challenge.method']),
      address: realmFile,
      message: 'attributes."pkce.code.challenge.method" is (absent), must be "S256"',
    },
    {
      name: 'a wildcard web origin',
      mutate: editClient((client) => (client.webOrigins = ['*'])),
      address: realmFile,
      message: 'client "synapse" webOrigins ["*"] has a wildcard',
    },
    {
      name: 'a wildcard post-logout redirect',
      mutate: editRealm((realm) => (clientAttributes(realm)['post.logout.redirect.uris'] = 'https://matrix.agency.example.org/*')),
      address: realmFile,
      message: 'attributes."post.logout.redirect.uris" "https://matrix.agency.example.org/*" has a wildcard or a URI that is not https',
    },
    {
      name: 'a public client',
      mutate: editClient((client) => (client.publicClient = true)),
      address: realmFile,
      message: 'client "synapse" publicClient is true, must be false',
    },
    {
      name: 'publicClient absent',
      mutate: editClient((client) => delete client.publicClient),
      address: realmFile,
      message: 'client "synapse" publicClient is (absent), must be false',
    },
    {
      name: "the realm in a namespace that is no homeserver's identity namespace",
      mutate: (j) => (metadataBlock(j, R.keycloakRealm).namespace = 'shared-sso'),
      address: `${address(R.keycloakRealm)} data "realm.json"`,
      message: 'the realm\'s namespace "shared-sso" is no homeserver\'s identity namespace',
    },
  ],
  good: [
    { name: 'web origins of the redirect URIs ("+")', mutate: editClient((client) => (client.webOrigins = ['+'])) },
    {
      name: 'post-logout redirects as the redirect URIs ("+")',
      mutate: editRealm((realm) => (clientAttributes(realm)['post.logout.redirect.uris'] = '+')),
    },
    { name: 'the exact callback, without site facts', mutate: () => undefined, context: STANDALONE_CONTEXT },
  ],
};
