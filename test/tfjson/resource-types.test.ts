/** The one table of the Kubernetes provider's resource types: what each manages, and where it lives. */
import { isNamespacedType, kindOfType, NAMESPACE_TYPES, POD_CONTROLLER_TYPES } from '../../tfjson/resource-types';

describe('resource types', () => {
  it.each([
    'kubernetes_namespace_v1',
    'kubernetes_cluster_role_v1',
    'kubernetes_cluster_role_binding',
    'kubernetes_storage_class_v1',
    'kubernetes_priority_class_v1',
    'kubernetes_csi_driver_v1',
    'kubernetes_api_service_v1beta1',
    'kubernetes_validating_webhook_configuration_v1',
  ])('%s is cluster-scoped', (type) => {
    expect(isNamespacedType(type)).toBe(false);
  });

  it.each([
    'kubernetes_deployment_v1',
    'kubernetes_daemonset',
    'kubernetes_config_map_v1',
    'kubernetes_network_policy',
    'kubernetes_horizontal_pod_autoscaler_v2',
  ])('%s lives in a namespace (an unknown kubernetes_* type too)', (type) => {
    expect(isNamespacedType(type)).toBe(true);
  });

  it('does not count what manages no object of its own, nor other providers', () => {
    for (const type of ['kubernetes_manifest', 'kubernetes_labels', 'kubernetes_annotations', 'helm_release', 'random_password'])
      expect(isNamespacedType(type)).toBe(false);
  });

  it('names the kind a type manages, whatever its version', () => {
    expect([
      kindOfType('kubernetes_stateful_set_v1'),
      kindOfType('kubernetes_default_service_account'),
      kindOfType('kubernetes_daemonset'),
      kindOfType('kubernetes_manifest'),
    ]).toEqual(['StatefulSet', 'ServiceAccount', 'DaemonSet', undefined]);
  });

  it('knows disruption budgets as namespaced objects', () => {
    expect(kindOfType('kubernetes_pod_disruption_budget_v1')).toBe('PodDisruptionBudget');
    expect(isNamespacedType('kubernetes_pod_disruption_budget_v1')).toBe(true);
  });

  it('lists both spellings of a type', () => {
    expect(NAMESPACE_TYPES).toEqual(['kubernetes_namespace_v1', 'kubernetes_namespace']);
    expect(POD_CONTROLLER_TYPES).toEqual(
      expect.arrayContaining(['kubernetes_deployment_v1', 'kubernetes_daemonset', 'kubernetes_cron_job', 'kubernetes_pod_v1']),
    );
  });
});
