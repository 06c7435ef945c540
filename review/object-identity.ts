/**
 * How a review names a Terraform resource: by the Kubernetes object it manages
 * (`Deployment agency-gateway/haproxy`), which is what a reviewer recognizes and what stays
 * stable when construct ids move, falling back to the Terraform address.
 */
import { block, metadataOf, namespaceOf, type ResourceView, type SynthesizedStack } from '../policies/terraform-json';

const KIND_BY_TYPE: Readonly<Record<string, string>> = {
  kubernetes_namespace: 'Namespace',
  kubernetes_deployment: 'Deployment',
  kubernetes_stateful_set: 'StatefulSet',
  kubernetes_daemon_set: 'DaemonSet',
  kubernetes_daemonset: 'DaemonSet',
  kubernetes_job: 'Job',
  kubernetes_cron_job: 'CronJob',
  kubernetes_pod: 'Pod',
  kubernetes_service: 'Service',
  kubernetes_service_account: 'ServiceAccount',
  kubernetes_default_service_account: 'ServiceAccount',
  kubernetes_config_map: 'ConfigMap',
  kubernetes_secret: 'Secret',
  kubernetes_network_policy: 'NetworkPolicy',
  kubernetes_role: 'Role',
  kubernetes_role_binding: 'RoleBinding',
  kubernetes_cluster_role: 'ClusterRole',
  kubernetes_cluster_role_binding: 'ClusterRoleBinding',
  kubernetes_persistent_volume_claim: 'PersistentVolumeClaim',
  kubernetes_resource_quota: 'ResourceQuota',
  kubernetes_limit_range: 'LimitRange',
  kubernetes_ingress: 'Ingress',
  kubernetes_storage_class: 'StorageClass',
  helm_release: 'HelmRelease',
};

/** The Kubernetes kind a resource type manages (`kubernetes_deployment_v1` -> Deployment), if known. */
export function kindOfType(type: string): string | undefined {
  return KIND_BY_TYPE[type.replace(/_v[0-9]+$/, '')];
}

/** `Kind namespace/name`, or the Terraform address when the object cannot be named. */
export function objectLabel(resource: ResourceView, stack: SynthesizedStack): string {
  if (resource.type === 'kubernetes_manifest') {
    const object = block(resource.body.manifest) ?? {};
    const metadata = block(object.metadata) ?? {};
    const namespace = namespaceOf({ ...resource, body: { metadata } }, stack);
    if (typeof object.kind === 'string' && typeof metadata.name === 'string') return `${object.kind} ${namespace ? `${namespace}/` : ''}${metadata.name}`;
    return resource.address;
  }
  if (resource.type === 'helm_release') {
    const { name, namespace } = resource.body;
    if (typeof name !== 'string') return resource.address;
    // The release's namespace is usually a reference to a namespace of the stack: resolve it like metadata.
    const resolved = namespaceOf({ ...resource, body: { metadata: { ...(typeof namespace === 'string' ? { namespace } : {}) } } }, stack);
    return `HelmRelease ${resolved ? `${resolved}/` : ''}${name}`;
  }
  const kind = kindOfType(resource.type);
  // The default service account resource adopts the account every namespace has; it names only the namespace.
  const name = resource.type.startsWith('kubernetes_default_service_account') ? 'default' : metadataOf(resource).name;
  if (!kind || typeof name !== 'string') return resource.address;
  const namespace = namespaceOf(resource, stack);
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
