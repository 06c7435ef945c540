import { objectsAt } from '../../../tfjson/keycloak-realm';
import { shown } from '../../../tfjson/synapse-config';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { auditRealms, boundedSeconds, clientLabel, KEYCLOAK_REALM, realmSetting } from '../../checks/keycloak-realm';
import type { Rule } from '../../rule';

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** Upper bounds, in seconds, of the realm's lifetimes; each must also be set (Keycloak's defaults are longer for offline sessions). */
const BOUNDS: readonly (readonly [key: string, max: number, what: string])[] = [
  ['accessTokenLifespan', 15 * MINUTE, 'access tokens'],
  ['ssoSessionIdleTimeout', 8 * HOUR, 'idle login sessions'],
  ['ssoSessionMaxLifespan', 24 * HOUR, 'login sessions'],
  // Offline sessions (offline_access refresh tokens) outlive the login session: bounded the same way, both ways.
  ['offlineSessionIdleTimeout', 24 * HOUR, 'idle offline sessions'],
  ['offlineSessionMaxLifespan', 24 * HOUR, 'offline sessions'],
];

/** Client attributes that override a realm lifetime for one client, with the bound of the lifetime they override. */
const CLIENT_OVERRIDES: readonly (readonly [attribute: string, max: number])[] = [
  ['access.token.lifespan', 15 * MINUTE],
  ['client.session.idle.timeout', 8 * HOUR],
  ['client.session.max.lifespan', 24 * HOUR],
  ['client.offline.session.idle.timeout', 24 * HOUR],
  ['client.offline.session.max.lifespan', 24 * HOUR],
];

function realmProblems(realm: JsonObject): string[] {
  const problems = BOUNDS.flatMap(([key, max, what]) => {
    const problem = boundedSeconds(realm[key], max);
    return problem ? [`${key} is ${problem} (${what} must end within ${max / HOUR >= 1 ? `${max / HOUR} h` : `${max / MINUTE} min`})`] : [];
  });
  problems.push(
    ...realmSetting(
      realm,
      'offlineSessionMaxLifespanEnabled',
      true,
      'without it offlineSessionMaxLifespan is ignored and offline sessions never end',
    ),
    ...realmSetting(realm, 'revokeRefreshToken', true, 'a refresh token that stays valid after use can be replayed by whoever copied it'),
    ...realmSetting(realm, 'refreshTokenMaxReuse', 0, 'each refresh token is used once'),
  );
  return problems;
}

function clientProblems(realm: JsonObject): string[] {
  return objectsAt(realm, 'clients').flatMap((client, index) => {
    const attributes = isObject(client.attributes) ? client.attributes : {};
    return CLIENT_OVERRIDES.flatMap(([attribute, max]) => {
      const value = attributes[attribute];
      // Unset or empty: the realm's lifetime applies.
      if (value === undefined || value === '') return [];
      const seconds = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
      const problem = boundedSeconds(seconds, max);
      return problem ? [`${clientLabel(client, index)} attributes.${JSON.stringify(attribute)} is ${shown(value)}: ${problem}`] : [];
    });
  });
}

/**
 * Token lifetimes are bounded: access tokens live at most 15 minutes, login sessions at most
 * 8 hours idle and 24 hours in all, offline sessions at most 24 hours (their maximum enforced),
 * refresh tokens are single-use, and no client lengthens a lifetime for itself.
 */
export const rule: Rule = {
  id: 'IDN-04',
  title: 'Tokens and sessions of the realm are short and bounded',
  level: 'error',
  lesson:
    "A token or session that lives for days outlasts the person's departure and every incident response: a copied one must expire soon, and a used refresh token must not work twice.",
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Set accessTokenLifespan <= 900, ssoSessionIdleTimeout <= 28800, ssoSessionMaxLifespan <= 86400, offlineSessionIdleTimeout and offlineSessionMaxLifespan <= 86400 with offlineSessionMaxLifespanEnabled: true, revokeRefreshToken: true and refreshTokenMaxReuse: 0 (identity lifetimes in the config, render/keycloak/realm.ts); give no client a longer lifetime attribute.',
  appliesTo: KEYCLOAK_REALM,
  check: (stack, context) => auditRealms(stack, context, ({ realm }) => [...realmProblems(realm), ...clientProblems(realm)]),
};
