import { podSpecs } from '../../../tfjson/pod-specs';
import { LIMIT_RANGE_TYPES, RESOURCE_QUOTA_TYPES } from '../../../tfjson/resource-types';
import { block, blocks, resources, stringMap } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

const EPHEMERAL = 'ephemeral-storage';

/**
 * Every container and init container declares an ephemeral-storage request and limit, every
 * ResourceQuota bounds the namespace's requests and limits of it, and every container
 * LimitRange gives it a default and a maximum.
 */
export const rule: Rule = {
  id: 'RES-03',
  title: 'Local disk is requested, limited and bounded per namespace',
  level: 'error',
  lesson:
    "A container that may write without bound fills its node's disk: the kubelet then evicts the other compartments' pods, so one compromised workload takes down its neighbours.",
  references: { cisKubernetes: '5.7 (resource management)', nsaCisa: 'Resource policies', anssi: 'R37' },
  fix: 'Keep the hardened constructs: each container requests and limits ephemeral-storage (its disk-backed scratch directories and 64Mi for logs), the compartment quota sets requests.ephemeral-storage and limits.ephemeral-storage, its LimitRange a default and a max.',
  appliesTo: {
    subject: 'workload with a pod spec, ResourceQuota or LimitRange',
    presentIn: (stack) => podSpecs(stack).length > 0 || resources(stack, ...RESOURCE_QUOTA_TYPES, ...LIMIT_RANGE_TYPES).length > 0,
  },
  check: (stack) => {
    const violations: Violation[] = [];
    for (const view of podSpecs(stack)) {
      for (const container of view.containers) {
        const declared = block(container.resources) ?? {};
        const missing = (['requests', 'limits'] as const).filter((kind) => !stringMap(declared[kind])[EPHEMERAL]);
        if (missing.length > 0)
          violations.push({
            address: `${view.resource.address} container "${String(container.name)}"`,
            message: `missing ${missing.map((kind) => `${kind}.${EPHEMERAL}`).join(', ')}`,
          });
      }
    }
    for (const quota of resources(stack, ...RESOURCE_QUOTA_TYPES)) {
      const hard = stringMap(block(quota.body.spec)?.hard);
      const missing = [`requests.${EPHEMERAL}`, `limits.${EPHEMERAL}`].filter((key) => !hard[key]);
      if (missing.length > 0) violations.push({ address: quota.address, message: `the quota does not bound ${missing.join(' or ')}` });
    }
    for (const limits of resources(stack, ...LIMIT_RANGE_TYPES)) {
      for (const item of blocks(block(limits.body.spec)?.limit).filter((entry) => entry.type === 'Container')) {
        const missing = ['default', 'max'].filter((kind) => !stringMap(item[kind])[EPHEMERAL]);
        if (missing.length > 0)
          violations.push({ address: limits.address, message: `container limits have no ${missing.join(' or ')} ${EPHEMERAL}` });
      }
    }
    return violations;
  },
};
