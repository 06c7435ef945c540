/**
 * Shared machinery of the IDN rules: each rule is a check run over every Keycloak realm the
 * stack carries (tfjson/keycloak-realm.ts). The realm file must state every checked setting:
 * Keycloak's defaults differ between an imported realm, a realm created in the console and a
 * new release, so an absent setting is never taken for the secure one.
 */
import { keycloakContainers, keycloakRealms, type RealmFile } from '../../tfjson/keycloak-realm';
import { containerAddress } from '../../tfjson/pod-specs';
import { shown } from '../../tfjson/synapse-config';
import type { JsonObject } from '../../tfjson/terraform-json';
import type { Applicability, AuditContext, Violation } from '../rule';

/** Keycloak: a realm it imports, or a server container. */
export const KEYCLOAK_REALM: Applicability = {
  subject: 'Keycloak realm or Keycloak server',
  presentIn: (stack) => keycloakRealms(stack).length > 0 || keycloakContainers(stack).length > 0,
};

export type RealmCheck = (realm: RealmFile, context: AuditContext) => string[];

/**
 * The violations of `check` in every realm of the stack. A stack that runs Keycloak without any
 * realm file in view fails: a realm nobody can read is not a realm anybody verified.
 */
export function auditRealms(stack: Parameters<typeof keycloakRealms>[0], context: AuditContext, check: RealmCheck): Violation[] {
  const realms = keycloakRealms(stack);
  if (realms.length === 0) {
    return keycloakContainers(stack).map(({ view, container }) => ({
      address: containerAddress(view, container),
      message:
        'runs Keycloak, but no realm file (a ConfigMap JSON file with "realm", imported at start) is in the stack: its realm cannot be verified',
    }));
  }
  return realms.flatMap((realm) => check(realm, context).map((message) => ({ address: realm.address, message })));
}

/** `realm.<key>` must be exactly `expected`; absent fails, with what Keycloak would do instead. */
export function realmSetting(realm: JsonObject, key: string, expected: boolean | number | string, why: string): string[] {
  const value = realm[key];
  return value === expected ? [] : [`${key} is ${shown(value)}, must be ${JSON.stringify(expected)} (${why})`];
}

/** A whole number of seconds in [1, max]; otherwise the problem. */
export function boundedSeconds(value: unknown, max: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${shown(value)}, not a whole number of seconds`;
  if (value < 1) return `${value}: not a positive lifetime`;
  if (value > max) return `${value} s, more than ${max} s`;
  return undefined;
}

/** How a client is named in messages: `client "synapse"` (or its position). */
export function clientLabel(client: Record<string, unknown>, index: number): string {
  return typeof client.clientId === 'string' ? `client ${JSON.stringify(client.clientId)}` : `clients[${index}]`;
}
