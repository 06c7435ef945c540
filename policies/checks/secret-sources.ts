/**
 * Resources that put a secret value into Terraform state (and, for most, into cdk.tf.json):
 * generators of the provider plugins, Secret data written by Terraform, and Helm's
 * sensitive `set` blocks. Secrets are generated in-cluster and delivered by External Secrets.
 */
import { CORE_GROUP, manifestsOfKind } from '../../tfjson/manifests';
import { HELM_RELEASE_TYPE, SECRET_TYPES } from '../../tfjson/resource-types';
import { isObject, resources, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { Violation } from '../rule';

/** Any use keeps the generated value in state. */
const STATE_SECRET_GENERATORS = [
  'random_password',
  'random_string',
  'random_bytes',
  'tls_private_key',
  'tls_self_signed_cert',
  'tls_locally_signed_cert',
] as const;
/** `*_wo` (write-only) fields stay out of state, but their value is still written verbatim into cdk.tf.json. */
const SECRET_DATA_FIELDS = ['data', 'binary_data', 'data_wo', 'binary_data_wo'] as const;
const HELM_SENSITIVE_BLOCKS = ['set_sensitive', 'set_wo'] as const;
const MANIFEST_SECRET_FIELDS = ['data', 'stringData'] as const;

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

export function forbiddenSecretSources(stack: SynthesizedStack): Violation[] {
  const violations: Violation[] = [];
  for (const resource of resources(stack, ...STATE_SECRET_GENERATORS)) {
    violations.push({
      address: resource.address,
      message: `${resource.type} keeps its generated secret in Terraform state; generate it in-cluster (External Secrets generator) instead`,
    });
  }
  for (const resource of resources(stack, ...SECRET_TYPES)) {
    for (const field of SECRET_DATA_FIELDS) {
      if (isSet(resource.body[field]))
        violations.push({
          address: resource.address,
          message: `Secret ${field} is written by Terraform (config${field.endsWith('_wo') ? '' : ' and state'}); deliver it with an ExternalSecret instead`,
        });
    }
  }
  for (const resource of resources(stack, HELM_RELEASE_TYPE)) {
    for (const field of HELM_SENSITIVE_BLOCKS) {
      if (isSet(resource.body[field]))
        violations.push({
          address: resource.address,
          message: `helm_release uses ${field}: the value passes through Terraform; have the chart read an in-cluster Secret instead`,
        });
    }
  }
  for (const view of manifestsOfKind(stack, CORE_GROUP, 'Secret')) {
    const fields = MANIFEST_SECRET_FIELDS.filter((field) => isSet(view.object[field]));
    if (fields.length > 0)
      violations.push({
        address: view.resource.address,
        message: `${view.label} manifest carries ${fields.join(' and ')}; deliver it with an ExternalSecret instead`,
      });
  }
  return violations;
}
