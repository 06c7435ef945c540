import { LIMIT_RANGE_TYPES, NAMESPACE_TYPES, RESOURCE_QUOTA_TYPES } from '../../../tfjson/resource-types';
import { metadataOf, namespaceOf, resources } from '../../../tfjson/terraform-json';
import { TYPED_NAMESPACES } from '../../checks/subjects';
import type { Rule } from '../../rule';

/** Every namespace has a ResourceQuota and a LimitRange. */
export const rule: Rule = {
  id: 'RES-02',
  title: 'Every namespace has a ResourceQuota and a LimitRange',
  level: 'error',
  lesson: 'Quotas cap what a compromised compartment can create: pods, volumes, exposed Services.',
  references: { cisKubernetes: '5.7 (resource management)', nsaCisa: 'Resource policies: quotas and limit ranges', anssi: 'R37' },
  fix: 'Add a kubernetes_resource_quota_v1 and a kubernetes_limit_range_v1 to the namespace.',
  appliesTo: TYPED_NAMESPACES,
  check: (stack) => {
    const withQuota = new Set(resources(stack, ...RESOURCE_QUOTA_TYPES).map((r) => namespaceOf(r, stack)));
    const withLimits = new Set(resources(stack, ...LIMIT_RANGE_TYPES).map((r) => namespaceOf(r, stack)));
    return resources(stack, ...NAMESPACE_TYPES).flatMap((namespace) => {
      const name = metadataOf(namespace).name;
      if (typeof name !== 'string') return [];
      const missing = [...(withQuota.has(name) ? [] : ['ResourceQuota']), ...(withLimits.has(name) ? [] : ['LimitRange'])];
      return missing.length ? [{ address: namespace.address, message: `namespace "${name}" has no ${missing.join(' and ')}` }] : [];
    });
  },
};
