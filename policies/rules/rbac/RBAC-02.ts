import { podSpecs } from '../../../tfjson/pod-specs';
import { DEFAULT_SERVICE_ACCOUNT_TYPES, NAMESPACE_TYPES, SERVICE_ACCOUNT_TYPES } from '../../../tfjson/resource-types';
import { metadataOf, namespaceOf, resources } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/**
 * Token automount is explicitly false on every pod, every service account and the
 * `default` service account of every namespace (the Kubernetes default is true).
 */
export const rule: Rule = {
  id: 'RBAC-02',
  title: 'No service account token automount, explicitly',
  level: 'error',
  lesson: 'A mounted API token in a breached pod is a credential for the cluster itself.',
  references: { cisKubernetes: '5.1.6', nsaCisa: 'Disable service account token automount', anssi: 'R27', checkov: ['CKV_K8S_38'] },
  fix: "Set automount_service_account_token = false on pods and service accounts, and manage each namespace's default service account with it set to false.",
  appliesTo: {
    subject: 'workload with a pod spec, service account or namespace',
    presentIn: (stack) =>
      podSpecs(stack).length > 0 ||
      resources(stack, ...SERVICE_ACCOUNT_TYPES, ...DEFAULT_SERVICE_ACCOUNT_TYPES, ...NAMESPACE_TYPES).length > 0,
  },
  check: (stack) => {
    const violations: Violation[] = [];
    for (const view of podSpecs(stack)) {
      if (view.podSpec.automount_service_account_token !== false)
        violations.push({ address: view.resource.address, message: 'pod automount_service_account_token is not false' });
    }
    const accounts = resources(stack, ...SERVICE_ACCOUNT_TYPES, ...DEFAULT_SERVICE_ACCOUNT_TYPES);
    for (const account of accounts) {
      if (account.body.automount_service_account_token !== false)
        violations.push({ address: account.address, message: 'automount_service_account_token is not false' });
    }
    const managedDefaults = new Set(
      accounts
        .filter((account) => account.type.startsWith('kubernetes_default_service_account'))
        .map((account) => namespaceOf(account, stack)),
    );
    for (const namespace of resources(stack, ...NAMESPACE_TYPES)) {
      const name = metadataOf(namespace).name;
      if (typeof name === 'string' && !managedDefaults.has(name)) {
        violations.push({
          address: namespace.address,
          message: `the default service account of "${name}" is not managed with automount false`,
        });
      }
    }
    return violations;
  },
};
