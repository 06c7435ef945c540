/**
 * How a review names a Terraform resource: by the Kubernetes object it manages
 * (`Deployment agency-gateway/haproxy`), which is what a reviewer recognizes and what stays
 * stable when construct ids move, falling back to the Terraform address.
 */
import { HELM_RELEASE_TYPE, kindOfType, MANIFEST_TYPE } from '../tfjson/resource-types';
import { block, metadataOf, namespaceOf, type ResourceView, type SynthesizedStack } from '../tfjson/terraform-json';

/** `Kind namespace/name`, or the Terraform address when the object cannot be named. */
export function objectLabel(resource: ResourceView, stack: SynthesizedStack): string {
  if (resource.type === MANIFEST_TYPE) {
    const object = block(resource.body.manifest) ?? {};
    const metadata = block(object.metadata) ?? {};
    const namespace = namespaceOf({ ...resource, body: { metadata } }, stack);
    if (typeof object.kind === 'string' && typeof metadata.name === 'string')
      return `${object.kind} ${namespace ? `${namespace}/` : ''}${metadata.name}`;
    return resource.address;
  }
  if (resource.type === HELM_RELEASE_TYPE) {
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
