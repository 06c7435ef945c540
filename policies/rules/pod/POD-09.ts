import type { Rule } from '../../rule';
import { metadataOf, resources, type ResourceView } from '../../terraform-json';

/** Cluster-scoped kinds, which legitimately have no namespace. */
const CLUSTER_SCOPED = /^kubernetes_(namespace|cluster_role|cluster_role_binding|storage_class|persistent_volume|priority_class|custom_resource_definition|validating_webhook_configuration|mutating_webhook_configuration|csi_driver|runtime_class|api_service|certificate_signing_request)(_v[0-9a-z]+)?$/;

function isNamespaced(resource: ResourceView): boolean {
  return resource.type.startsWith('kubernetes_') && !CLUSTER_SCOPED.test(resource.type) && resource.type !== 'kubernetes_manifest' && resource.type !== 'kubernetes_labels';
}

/** No namespaced object lands in the `default` namespace (explicitly or by omission). */
export const POD_09: Rule = {
  id: 'POD-09',
  title: 'Nothing is deployed into the default namespace',
  level: 'error',
  lesson: 'The default namespace has no compartment baseline: no deny-all, no quota, no Pod Security label.',
  references: { cisKubernetes: '5.7.4', nsaCisa: 'Namespaces', anssi: 'R29', checkov: ['CKV_K8S_21'] },
  fix: 'Set metadata.namespace to the compartment namespace.',
  check: (stack) =>
    resources(stack)
      .filter(isNamespaced)
      .filter((resource) => {
        const namespace = metadataOf(resource).namespace;
        return namespace === undefined || namespace === '' || namespace === 'default';
      })
      .map((resource) => ({ address: resource.address, message: `namespace is ${JSON.stringify(metadataOf(resource).namespace ?? '(absent = default)')}` })),
};
