/** Mutations shared by the IDN case tables (policies/rules/idn/*.cases.ts) and the realm cases of SEC-01 and NET-09. */
import type { HomeserverSettings } from '../../../config/deployment-config';
import { renderRealmFile } from '../../../render/keycloak/realm';
import { isObject, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';
import { escapeTemplateText, templateLiteral } from '../../../tfjson/terraform-template';
import { add, address, body, child, copy, R, SITE_HOMESERVER, type Mutation } from '../fixtures';

/** Where the IDN rules report findings on the fixture's realm. */
export const realmFile = `${address(R.keycloakRealm)} data "realm.json"`;
/** Where SEC-01 reports a literal in the fixture's realm (its JSON path, then the line). */
export const realmJsonPath = `kubernetes_config_map_v1.${R.keycloakRealm.name}.data.realm.json:`;

/** The realm as Keycloak reads it (Terraform's escapes undone). */
export function realmOf(json: TerraformJson): JsonObject {
  const text = String(child(body(json, R.keycloakRealm), 'data')['realm.json'] ?? '');
  const realm: unknown = JSON.parse(templateLiteral(text) ?? text);
  if (!isObject(realm)) throw new Error('the fixture realm is not an object');
  return realm;
}

/** Writes a realm back as the stacks write every string: a template of literal text. */
export function writeRealm(json: TerraformJson, realm: JsonObject | JsonObject[]): void {
  child(body(json, R.keycloakRealm), 'data')['realm.json'] = escapeTemplateText(`${JSON.stringify(realm, null, 2)}\n`);
}

/** Edits the fixture's realm as a JSON object. */
export function editRealm(edit: (realm: JsonObject) => void): Mutation {
  return (j) => {
    const realm = realmOf(j);
    edit(realm);
    writeRealm(j, realm);
  };
}

/** Sets (or with undefined, removes) one top-level setting of the realm. */
export function setRealm(key: string, value: JsonObject[string] | undefined): Mutation {
  return editRealm((realm) => {
    if (value === undefined) delete realm[key];
    else realm[key] = value;
  });
}

/** The realm the renderer writes for the fixture's homeserver with other identity settings. */
export function renderedRealm(identity: Partial<HomeserverSettings['identity']>): Mutation {
  return (j) => {
    const homeserver: HomeserverSettings = { ...SITE_HOMESERVER, identity: { ...SITE_HOMESERVER.identity, ...identity } };
    child(body(j, R.keycloakRealm), 'data')['realm.json'] = escapeTemplateText(renderRealmFile(homeserver));
  };
}

export function flowNamed(realm: JsonObject, alias: string): JsonObject {
  const flows = Array.isArray(realm.authenticationFlows) ? realm.authenticationFlows : [];
  const found = flows.find((flow) => isObject(flow) && flow.alias === alias);
  if (!isObject(found)) throw new Error(`the realm has no flow ${alias}`);
  return found;
}

export function executionsOf(flow: JsonObject): JsonObject[] {
  const list = Array.isArray(flow.authenticationExecutions) ? flow.authenticationExecutions : [];
  return list.filter(isObject);
}

/** The one execution of a flow that runs `authenticator` or the sub-flow `flowAlias`. */
export function executionOf(realm: JsonObject, flowAlias: string, step: string): JsonObject {
  const found = executionsOf(flowNamed(realm, flowAlias)).find(
    (execution) => execution.authenticator === step || execution.flowAlias === step,
  );
  if (!found) throw new Error(`flow ${flowAlias} has no step ${step}`);
  return found;
}

/** The realm's one client (Synapse's). */
export function clientOf(realm: JsonObject): JsonObject {
  const [client] = Array.isArray(realm.clients) ? realm.clients : [];
  if (!isObject(client)) throw new Error('the realm has no client');
  return client;
}

export function clientAttributes(realm: JsonObject): JsonObject {
  return child(clientOf(realm), 'attributes');
}

export function editClient(edit: (client: JsonObject) => void): Mutation {
  return editRealm((realm) => edit(clientOf(realm)));
}

/** The realm's LDAP federation settings (Keycloak keeps each as a list of strings). */
export function federationConfig(realm: JsonObject): JsonObject {
  const components = child(realm, 'components');
  const [federation] = Array.isArray(components['org.keycloak.storage.UserStorageProvider'])
    ? components['org.keycloak.storage.UserStorageProvider']
    : [];
  if (!isObject(federation)) throw new Error('the realm has no LDAP federation');
  return child(federation, 'config');
}

/** A Keycloak server Deployment in the identity namespace (the Synapse deployment's hardened shape, running `kc.sh start`). */
export function addKeycloakServer(j: TerraformJson): void {
  const clone = copy(body(j, R.synapseDeployment));
  child(clone, 'metadata').name = 'keycloak';
  child(clone, 'metadata').namespace = `\${${address(R.identityNamespace)}.metadata[0].name}`;
  const [container] = Array.isArray(child(clone, 'spec', 'template', 'spec').container)
    ? (child(clone, 'spec', 'template', 'spec').container as JsonObject[])
    : [];
  if (!container) throw new Error('the Synapse deployment has no container');
  Object.assign(container, {
    name: 'keycloak',
    command: [
      '/bin/bash',
      '-c',
      "set -eu\nexec '/run/keycloak/bin/kc.sh' --config-file='/config/server/keycloak.conf' start --optimized --import-realm",
    ],
  });
  add(j, { type: 'kubernetes_deployment_v1', name: 'keycloak_workload' }, clone);
}
