import { homeserverNamespace } from '../../../model/compartments';
import { hostOf } from '../../../model/dns-names';
import { objectsAt, type RealmFile } from '../../../tfjson/keycloak-realm';
import { shown } from '../../../tfjson/synapse-config';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { auditRealms, clientLabel, KEYCLOAK_REALM } from '../../checks/keycloak-realm';
import type { AuditContext, Rule } from '../../rule';

/** Where Synapse receives the authorization code (its OIDC callback, under the homeserver's public name). */
const CALLBACK_PATH = '/_synapse/client/oidc/callback';
/** The shape of a callback URI when the homeserver is not known: https, a DNS name, Synapse's callback path, nothing else. */
const CALLBACK_SHAPE = /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/_synapse\/client\/oidc\/callback$/;

/** The homeserver's own callback, from the site facts: the homeserver whose identity namespace holds the realm. */
function expectedCallback(realm: RealmFile, context: AuditContext): string | undefined {
  const homeserver = context.facts?.homeservers.find(
    (candidate) => realm.namespace !== undefined && homeserverNamespace(candidate.name, 'identity') === realm.namespace,
  );
  return homeserver ? `https://${hostOf(homeserver.serverName)}${CALLBACK_PATH}` : undefined;
}

function redirectProblems(label: string, client: JsonObject, expected: string | undefined): string[] {
  const value = client.redirectUris;
  const uris = Array.isArray(value) ? value : [];
  const wanted = expected ?? `https://<the homeserver's public name>${CALLBACK_PATH}`;
  if (!Array.isArray(value) || uris.length === 0)
    return [`${label} redirectUris is ${shown(value)}: it must be exactly [${JSON.stringify(wanted)}]`];
  return uris.flatMap((uri): string[] => {
    if (typeof uri !== 'string') return [`${label} redirectUris holds ${shown(uri)}, not a URI`];
    if (uri.includes('*'))
      return [`${label} redirect URI ${JSON.stringify(uri)} has a wildcard: codes could be sent to any matching address`];
    if (!uri.startsWith('https://'))
      return [`${label} redirect URI ${JSON.stringify(uri)} is not https: the code would cross the network in clear`];
    if (expected !== undefined && uri !== expected)
      return [`${label} redirect URI ${JSON.stringify(uri)} is not the homeserver's callback ${JSON.stringify(expected)}`];
    if (expected === undefined && !CALLBACK_SHAPE.test(uri))
      return [`${label} redirect URI ${JSON.stringify(uri)} is not a homeserver's callback (https://<host>${CALLBACK_PATH})`];
    return [];
  });
}

function clientProblems(realm: RealmFile, context: AuditContext): string[] {
  const expected = expectedCallback(realm, context);
  const problems: string[] =
    context.facts && expected === undefined
      ? [
          `the realm's namespace ${shown(realm.namespace)} is no homeserver's identity namespace: its redirect URIs cannot be matched to a homeserver`,
        ]
      : [];
  objectsAt(realm.realm, 'clients').forEach((client, index) => {
    const label = clientLabel(client, index);
    problems.push(...redirectProblems(label, client, expected));
    const attributes = isObject(client.attributes) ? client.attributes : {};
    const pkce = attributes['pkce.code.challenge.method'];
    if (pkce !== 'S256')
      problems.push(
        `${label} attributes."pkce.code.challenge.method" is ${shown(pkce)}, must be "S256" (a stolen code is useless without the verifier)`,
      );
    const logout = attributes['post.logout.redirect.uris'];
    if (
      typeof logout === 'string' &&
      logout.split('##').some((uri) => uri.includes('*') || (uri !== '' && uri !== '+' && !uri.startsWith('https://')))
    )
      problems.push(`${label} attributes."post.logout.redirect.uris" ${JSON.stringify(logout)} has a wildcard or a URI that is not https`);
    const origins = client.webOrigins;
    if (origins !== undefined && !Array.isArray(origins)) problems.push(`${label} webOrigins is ${shown(origins)}, must be a list`);
    else if (Array.isArray(origins) && origins.some((origin) => typeof origin !== 'string' || origin.includes('*')))
      problems.push(
        `${label} webOrigins ${JSON.stringify(origins)} has a wildcard: any site's scripts could call the realm with the user's session`,
      );
    if (client.publicClient !== false)
      problems.push(
        `${label} publicClient is ${shown(client.publicClient)}, must be false (a public client proves nothing at the token endpoint)`,
      );
  });
  return problems;
}

/**
 * Redirect URIs are exact: every client of the realm sends codes only to the homeserver's own
 * OIDC callback over https (no wildcard, nothing else), uses PKCE with S256, allows no wildcard
 * web origin and is confidential.
 */
export const rule: Rule = {
  id: 'IDN-03',
  title: "Clients redirect only to the homeserver's callback, with PKCE",
  level: 'error',
  lesson:
    'A redirect URI with a wildcard, plain HTTP or another host hands the authorization code (and with it the account) to whoever controls that address.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Give every client of the realm redirectUris: ["https://<server host>/_synapse/client/oidc/callback"] exactly, attributes "pkce.code.challenge.method": "S256", no "*" in webOrigins or post-logout URIs, and publicClient: false (render/keycloak/realm.ts).',
  siteFacts: {
    facts: ['homeservers'],
    unjudged: "whether each redirect URI is its homeserver's own callback (only its https callback shape is judged)",
  },
  appliesTo: KEYCLOAK_REALM,
  check: (stack, context) => auditRealms(stack, context, clientProblems),
};
