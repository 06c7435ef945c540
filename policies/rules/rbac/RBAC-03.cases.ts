/** The case table of RBAC-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { addManifest, clusterRole, grant, role } from '../../../test/policies/case-helpers/rbac';
import type { RuleCases } from '../../../test/policies/case-table';
import { add, HOMESERVER_NAMESPACE, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'verbs "*" in a Role',
      mutate: grant({ api_groups: [''], resources: ['configmaps'], verbs: ['*'] }),
      address: role,
      message: 'Role config-reader rule[0] grants verbs "*"',
    },
    {
      name: 'resources "*" in a ClusterRole',
      mutate: grant({ api_groups: [''], resources: ['*'], verbs: ['get'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'ClusterRole agency-namespace-viewer rule[0] grants resources "*"',
    },
    {
      name: 'every subresource ("pods/*")',
      mutate: grant({ api_groups: [''], resources: ['pods/*'], verbs: ['get'] }),
      address: role,
      message: 'grants resources "pods/*"',
    },
    {
      name: 'apiGroups "*"',
      mutate: grant({ api_groups: ['*'], resources: ['configmaps'], verbs: ['get'] }),
      address: role,
      message: 'grants apiGroups "*"',
    },
    {
      name: 'non_resource_urls "*"',
      mutate: grant({ non_resource_urls: ['*'], verbs: ['get'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'grants nonResourceURLs "*"',
    },
    {
      name: 'legacy kubernetes_role with verbs "*"',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_role', name: 'legacy' },
          {
            metadata: { name: 'legacy', namespace: HOMESERVER_NAMESPACE },
            rule: [{ api_groups: [''], resources: ['configmaps'], verbs: ['*'] }],
          },
        ),
      address: 'kubernetes_role.legacy',
      message: 'Role legacy rule[0] grants verbs "*"',
    },
    {
      name: 'ClusterRole manifest with a wildcard',
      mutate: addManifest('wide_manifest', {
        kind: 'ClusterRole',
        metadata: { name: 'wide' },
        rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }],
      }),
      address: 'kubernetes_manifest.wide_manifest',
      message: 'ClusterRole wide rule[0] grants verbs "*"',
    },
  ],
  good: [
    {
      name: 'exact non-resource URLs',
      mutate: grant({ non_resource_urls: ['/healthz', '/livez'], verbs: ['get'] }, R.namespaceViewerRole),
    },
    {
      name: 'core API group ("") and named resources',
      mutate: grant({
        api_groups: [''],
        resource_names: ['synapse-config', 'synapse-log'],
        resources: ['configmaps'],
        verbs: ['get', 'list', 'watch'],
      }),
    },
  ],
};
