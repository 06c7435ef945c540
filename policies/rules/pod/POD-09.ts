import { isNamespacedType } from '../../../tfjson/resource-types';
import { metadataOf, resources, type ResourceView, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { Rule } from '../../rule';

function namespacedResources(stack: SynthesizedStack): ResourceView[] {
  return resources(stack).filter((resource) => isNamespacedType(resource.type));
}

/** No namespaced object lands in the `default` namespace (explicitly or by omission). */
export const rule: Rule = {
  id: 'POD-09',
  title: 'Nothing is deployed into the default namespace',
  level: 'error',
  lesson: 'The default namespace has no compartment baseline: no deny-all, no quota, no Pod Security label.',
  references: { cisKubernetes: '5.7.4', nsaCisa: 'Namespaces', anssi: 'R29', checkov: ['CKV_K8S_21'] },
  fix: 'Set metadata.namespace to the compartment namespace.',
  appliesTo: { subject: 'namespaced Kubernetes resource', presentIn: (stack) => namespacedResources(stack).length > 0 },
  check: (stack) =>
    namespacedResources(stack)
      .filter((resource) => {
        const namespace = metadataOf(resource).namespace;
        return namespace === undefined || namespace === '' || namespace === 'default';
      })
      .map((resource) => ({
        address: resource.address,
        message: `namespace is ${JSON.stringify(metadataOf(resource).namespace ?? '(absent = default)')}`,
      })),
};
