import type { Rule } from '../../rule';
import { metadataOf, namespaceOf, resources } from '../../terraform-json';

/** Every namespace has a ResourceQuota and a LimitRange. */
export const RES_02: Rule = {
  id: 'RES-02',
  title: 'Every namespace has a ResourceQuota and a LimitRange',
  level: 'error',
  lesson: 'Quotas cap what a compromised compartment can create: pods, volumes, exposed Services.',
  references: { cisKubernetes: '5.7 (resource management)', nsaCisa: 'Resource policies: quotas and limit ranges', anssi: 'R37' },
  fix: 'Add a kubernetes_resource_quota_v1 and a kubernetes_limit_range_v1 to the namespace.',
  check: (stack) => {
    const withQuota = new Set(resources(stack, 'kubernetes_resource_quota_v1', 'kubernetes_resource_quota').map((r) => namespaceOf(r, stack)));
    const withLimits = new Set(resources(stack, 'kubernetes_limit_range_v1', 'kubernetes_limit_range').map((r) => namespaceOf(r, stack)));
    return resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace').flatMap((namespace) => {
      const name = metadataOf(namespace).name;
      if (typeof name !== 'string') return [];
      const missing = [...(withQuota.has(name) ? [] : ['ResourceQuota']), ...(withLimits.has(name) ? [] : ['LimitRange'])];
      return missing.length ? [{ address: namespace.address, message: `namespace "${name}" has no ${missing.join(' and ')}` }] : [];
    });
  },
};
