/**
 * The Kubernetes provider's typed resources: which object kind each manages and whether that
 * object lives in a namespace. One table, so the readers, the rules and the review agree on
 * what a `kubernetes_*` resource is. A resource type is its base name plus an optional version
 * suffix (`kubernetes_namespace_v1` is a version of `kubernetes_namespace`).
 */

interface ObjectKind {
  readonly kind: string;
  readonly namespaced: boolean;
}

const namespaced = (kind: string): ObjectKind => ({ kind, namespaced: true });
const clusterScoped = (kind: string): ObjectKind => ({ kind, namespaced: false });

/** By base type name. */
const KINDS: Readonly<Record<string, ObjectKind>> = {
  kubernetes_namespace: clusterScoped('Namespace'),
  kubernetes_deployment: namespaced('Deployment'),
  kubernetes_stateful_set: namespaced('StatefulSet'),
  kubernetes_daemon_set: namespaced('DaemonSet'),
  kubernetes_daemonset: namespaced('DaemonSet'),
  kubernetes_job: namespaced('Job'),
  kubernetes_cron_job: namespaced('CronJob'),
  kubernetes_pod: namespaced('Pod'),
  kubernetes_service: namespaced('Service'),
  kubernetes_service_account: namespaced('ServiceAccount'),
  kubernetes_default_service_account: namespaced('ServiceAccount'),
  kubernetes_config_map: namespaced('ConfigMap'),
  kubernetes_secret: namespaced('Secret'),
  kubernetes_network_policy: namespaced('NetworkPolicy'),
  kubernetes_role: namespaced('Role'),
  kubernetes_role_binding: namespaced('RoleBinding'),
  kubernetes_cluster_role: clusterScoped('ClusterRole'),
  kubernetes_cluster_role_binding: clusterScoped('ClusterRoleBinding'),
  kubernetes_persistent_volume_claim: namespaced('PersistentVolumeClaim'),
  kubernetes_persistent_volume: clusterScoped('PersistentVolume'),
  kubernetes_resource_quota: namespaced('ResourceQuota'),
  kubernetes_limit_range: namespaced('LimitRange'),
  kubernetes_pod_disruption_budget: namespaced('PodDisruptionBudget'),
  kubernetes_ingress: namespaced('Ingress'),
  kubernetes_storage_class: clusterScoped('StorageClass'),
  kubernetes_priority_class: clusterScoped('PriorityClass'),
  kubernetes_custom_resource_definition: clusterScoped('CustomResourceDefinition'),
  kubernetes_validating_webhook_configuration: clusterScoped('ValidatingWebhookConfiguration'),
  kubernetes_mutating_webhook_configuration: clusterScoped('MutatingWebhookConfiguration'),
  kubernetes_csi_driver: clusterScoped('CSIDriver'),
  kubernetes_runtime_class: clusterScoped('RuntimeClass'),
  kubernetes_api_service: clusterScoped('APIService'),
  kubernetes_certificate_signing_request: clusterScoped('CertificateSigningRequest'),
};

/** Resources that manage no object of their own: an arbitrary manifest, or labels on someone else's object. */
const NOT_OBJECTS = ['kubernetes_manifest', 'kubernetes_labels', 'kubernetes_annotations'];

/** `kubernetes_namespace_v1` -> `kubernetes_namespace`. */
function baseOf(type: string): string {
  return type.replace(/_v[0-9][0-9a-z]*$/, '');
}

/** The resource types (current and legacy spelling) of the given base names. */
function typesOf(...bases: string[]): string[] {
  return bases.flatMap((base) => [`${base}_v1`, base]);
}

/** The Kubernetes kind a resource type manages (`kubernetes_deployment_v1` -> Deployment), if known. */
export function kindOfType(type: string): string | undefined {
  return KINDS[baseOf(type)]?.kind;
}

/** Whether a resource type manages an object that lives in a namespace (any `kubernetes_*` object type not known to be cluster-scoped). */
export function isNamespacedType(type: string): boolean {
  return type.startsWith('kubernetes_') && !NOT_OBJECTS.includes(type) && KINDS[baseOf(type)]?.namespaced !== false;
}

export const NAMESPACE_TYPES = typesOf('kubernetes_namespace');
export const SERVICE_TYPES = typesOf('kubernetes_service');
export const SERVICE_ACCOUNT_TYPES = typesOf('kubernetes_service_account');
export const DEFAULT_SERVICE_ACCOUNT_TYPES = typesOf('kubernetes_default_service_account');
export const CONFIG_MAP_TYPES = typesOf('kubernetes_config_map');
export const SECRET_TYPES = typesOf('kubernetes_secret');
export const NETWORK_POLICY_TYPES = typesOf('kubernetes_network_policy');
export const ROLE_TYPES = typesOf('kubernetes_role');
export const CLUSTER_ROLE_TYPES = typesOf('kubernetes_cluster_role');
export const ROLE_BINDING_TYPES = typesOf('kubernetes_role_binding');
export const CLUSTER_ROLE_BINDING_TYPES = typesOf('kubernetes_cluster_role_binding');
export const PERSISTENT_VOLUME_CLAIM_TYPES = typesOf('kubernetes_persistent_volume_claim');
export const STATEFUL_SET_TYPES = typesOf('kubernetes_stateful_set');
export const DEPLOYMENT_TYPES = typesOf('kubernetes_deployment');
export const POD_DISRUPTION_BUDGET_TYPES = typesOf('kubernetes_pod_disruption_budget');
export const STORAGE_CLASS_TYPES = typesOf('kubernetes_storage_class');
export const RESOURCE_QUOTA_TYPES = typesOf('kubernetes_resource_quota');
export const LIMIT_RANGE_TYPES = typesOf('kubernetes_limit_range');
/** Workload kinds with a pod template (or a pod spec of their own). */
export const POD_CONTROLLER_TYPES = typesOf(
  'kubernetes_deployment',
  'kubernetes_stateful_set',
  'kubernetes_daemon_set',
  'kubernetes_daemonset',
  'kubernetes_job',
  'kubernetes_cron_job',
  'kubernetes_pod',
);
export const MANIFEST_TYPE = 'kubernetes_manifest';
export const HELM_RELEASE_TYPE = 'helm_release';
/** Service types that publish a Service outside the cluster (on the nodes, or through a load balancer too). */
export const PUBLISHED_SERVICE_TYPES: readonly string[] = ['LoadBalancer', 'NodePort'];
