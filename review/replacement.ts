/**
 * Which changes make the engine destroy and re-create a resource instead of updating it: the
 * fields the Kubernetes and Helm providers mark as requiring replacement (ForceNew), and
 * fields Kubernetes itself refuses to update. A reviewer must see these: a replaced
 * StatefulSet or PersistentVolumeClaim can mean lost data, a replaced namespace everything in it.
 * It is a reading of the JSON, not a plan, hence "possible".
 */
import type { JsonObject } from '../tfjson/terraform-json';
import type { FieldChange } from './json-diff';

const IDENTITY = ['metadata.name', 'metadata.namespace', 'metadata.generate_name'];

/** Field paths (list indexes dropped) whose change forces a new object, by resource type without its `_v1` suffix. */
const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  kubernetes_deployment: ['spec.selector'],
  kubernetes_stateful_set: ['spec.selector', 'spec.service_name', 'spec.volume_claim_template', 'spec.pod_management_policy'],
  kubernetes_daemon_set: ['spec.selector'],
  kubernetes_daemonset: ['spec.selector'],
  kubernetes_job: ['spec.template', 'spec.selector', 'spec.completion_mode'],
  kubernetes_persistent_volume_claim: [
    'spec.access_modes',
    'spec.selector',
    'spec.storage_class_name',
    'spec.volume_name',
    'spec.volume_mode',
  ],
  kubernetes_service: ['spec.cluster_ip', 'spec.cluster_ips'],
  kubernetes_secret: ['type'],
  kubernetes_role_binding: ['role_ref'],
  kubernetes_cluster_role_binding: ['role_ref'],
  kubernetes_storage_class: ['storage_provisioner', 'parameters', 'reclaim_policy', 'volume_binding_mode'],
  kubernetes_manifest: ['manifest.apiVersion', 'manifest.kind', 'manifest.metadata.name', 'manifest.metadata.namespace'],
  helm_release: ['name', 'namespace'],
};

/** Types whose `data` cannot change once created with `immutable = true`. */
const IMMUTABLE_DATA_TYPES = new Set(['kubernetes_config_map', 'kubernetes_secret']);

function normalized(path: string): string {
  return path.replace(/\[[0-9]+\]/g, '');
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

/** The changed fields that would replace the resource (empty: an in-place update). */
export function replacementFields(type: string, before: JsonObject, changes: readonly FieldChange[]): string[] {
  const base = type.replace(/_v[0-9]+$/, '');
  const immutable = [...(type === 'kubernetes_manifest' || base === 'helm_release' ? [] : IDENTITY), ...(IMMUTABLE_FIELDS[base] ?? [])];
  const frozenData = IMMUTABLE_DATA_TYPES.has(base) && before.immutable === true;
  const fields = changes
    .map((change) => normalized(change.path))
    .filter(
      (path) => immutable.some((prefix) => under(path, prefix)) || (frozenData && (under(path, 'data') || under(path, 'binary_data'))),
    );
  return [...new Set(fields)];
}
