/** Mutations shared by the RBAC case tables (policies/rules/rbac/*.cases.ts). */
import { blocks, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';
import { add, address, body, manifestResource, R, type Mutation, type ResourceRef } from '../fixtures';

export const role = address(R.configReaderRole);

export const clusterRole = address(R.namespaceViewerRole);

/** The first rule of a typed role of the fixture. */
export function ruleOfRole(json: TerraformJson, resource: ResourceRef): JsonObject {
  const found = blocks(body(json, resource).rule)[0];
  if (!found) throw new Error(`${address(resource)} has no rule`);
  return found;
}

/** Sets the first rule of a role (the namespaced Role unless told). */
export function grant(rule: JsonObject, resource: ResourceRef = R.configReaderRole): Mutation {
  return (j) => {
    const target = ruleOfRole(j, resource);
    for (const key of Object.keys(target)) delete target[key];
    Object.assign(target, rule);
  };
}

export function addManifest(name: string, object: JsonObject): Mutation {
  return (j) =>
    void add(j, { type: 'kubernetes_manifest', name }, manifestResource({ apiVersion: 'rbac.authorization.k8s.io/v1', ...object }, false));
}
