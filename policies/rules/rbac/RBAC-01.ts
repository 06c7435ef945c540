import { podSpecs } from '../../../tfjson/pod-specs';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule } from '../../rule';

/** Every pod names its own service account, never `default`. */
export const rule: Rule = {
  id: 'RBAC-01',
  title: 'Workloads run under a dedicated service account',
  level: 'error',
  lesson: 'A shared identity means one compromised pod inherits every permission granted to its neighbours.',
  references: {
    cisKubernetes: '5.1.5',
    nsaCisa: 'Authentication and authorization: service accounts',
    anssi: 'R27',
    checkov: ['CKV_K8S_41'],
  },
  fix: 'Create a service account per workload and set service_account_name on the pod spec.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack)
      .filter((view) => {
        const name = view.podSpec.service_account_name;
        return typeof name !== 'string' || name === '' || name === 'default';
      })
      .map((view) => ({
        address: view.resource.address,
        message: `service_account_name is ${JSON.stringify(view.podSpec.service_account_name ?? '(absent = default)')}`,
      })),
};
