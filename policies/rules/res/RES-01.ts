import { podSpecs } from '../../../tfjson/pod-specs';
import { block, stringMap } from '../../../tfjson/terraform-json';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** Every container declares CPU and memory requests and limits. */
export const rule: Rule = {
  id: 'RES-01',
  title: 'Containers declare CPU and memory requests and limits',
  level: 'error',
  lesson: 'An unbounded container lets one compromised compartment starve the others (and hides bulk transfer load).',
  references: {
    cisKubernetes: '5.7 (resource management)',
    nsaCisa: 'Resource policies',
    anssi: 'R37',
    checkov: ['CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'],
  },
  fix: 'Set resources.requests and resources.limits for cpu and memory.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container): Violation[] => {
        const resources = block(container.resources) ?? {};
        const missing: string[] = [];
        for (const kind of ['requests', 'limits'] as const) {
          const values = stringMap(resources[kind]);
          for (const resource of ['cpu', 'memory']) if (!values[resource]) missing.push(`${kind}.${resource}`);
        }
        return missing.length
          ? [{ address: `${view.resource.address} container "${String(container.name)}"`, message: `missing ${missing.join(', ')}` }]
          : [];
      }),
    ),
};
