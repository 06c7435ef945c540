/** Mutations shared by the SEC case tables (policies/rules/sec/*.cases.ts). */
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';
import { address, child, manifestSpecOf, R } from '../fixtures';

export const externalSecret = address(R.externalSecret);

export const pushSecret = address(R.pushSecret);

export function esSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.externalSecret);
}

export function pushSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.pushSecret);
}

/** An ExternalSecret whose data is generated once into an immutable Secret (the OpenBao seal key pattern). */
export function makeGeneratedOnce(json: TerraformJson): JsonObject {
  const spec = esSpec(json);
  delete spec.data;
  delete spec.secretStoreRef;
  spec.dataFrom = [
    { sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'alphanumeric-64' } } },
  ];
  spec.refreshPolicy = 'CreatedOnce';
  spec.refreshInterval = '0s';
  child(spec, 'target').immutable = true;
  return spec;
}
