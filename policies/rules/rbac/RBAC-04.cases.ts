/** The case table of RBAC-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { addManifest, clusterRole, grant, role } from '../../../test/policies/case-helpers/rbac';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, child, HOMESERVER_NAMESPACE, metadataBlock, R } from '../../../test/policies/fixtures';
import type { TerraformJson } from '../../../tfjson/terraform-json';

const roleBinding = address(R.configReaderBinding);

const clusterBinding = address(R.namespaceViewerBinding);

export const cases: RuleCases = {
  bad: [
    ...['escalate', 'bind'].map((verb) => ({
      name: `${verb} on roles`,
      mutate: grant({ api_groups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: [verb] }),
      address: role,
      message: `Role config-reader rule[0] grants ${verb}`,
    })),
    {
      name: 'impersonate on service accounts',
      mutate: grant({ api_groups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'grants impersonate',
    },
    {
      name: 'verbs "*" include escalate, bind and impersonate',
      mutate: grant({ api_groups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['*'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'grants escalate, bind, impersonate',
    },
    {
      name: 'create on pods/exec',
      mutate: grant({ api_groups: [''], resources: ['pods', 'pods/exec'], verbs: ['create'] }),
      address: role,
      message: 'grants create on pods/exec',
    },
    {
      name: 'get on pods/attach (WebSocket upgrade)',
      mutate: grant({ api_groups: [''], resources: ['pods/attach'], verbs: ['get'] }),
      address: role,
      message: 'grants get on pods/attach',
    },
    {
      name: 'create on every pod subresource ("pods/*")',
      mutate: grant({ api_groups: [''], resources: ['pods/*'], verbs: ['create'] }),
      address: role,
      message: 'grants create on pods/exec',
    },
    {
      name: 'create on serviceaccounts/token',
      mutate: grant({ api_groups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }),
      address: role,
      message: 'grants create on serviceaccounts/token',
    },
    {
      name: 'update on certificatesigningrequests/approval',
      mutate: grant(
        { api_groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
        R.namespaceViewerRole,
      ),
      address: clusterRole,
      message: 'grants update on certificatesigningrequests/approval',
    },
    {
      name: 'ClusterRole reading secrets',
      mutate: grant({ api_groups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'grants get, list on secrets cluster-wide',
    },
    {
      name: 'ClusterRole watching every resource (secrets included)',
      mutate: grant({ api_groups: [''], resources: ['*'], verbs: ['watch'] }, R.namespaceViewerRole),
      address: clusterRole,
      message: 'grants watch on secrets cluster-wide',
    },
    {
      name: 'ClusterRole manifest listing secrets',
      mutate: addManifest('secret-lister_manifest', {
        kind: 'ClusterRole',
        metadata: { name: 'secret-lister' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      }),
      address: 'kubernetes_manifest.secret-lister_manifest',
      message: 'ClusterRole secret-lister rule[0] grants list on secrets cluster-wide',
    },
    ...['admin', 'edit'].map((name) => ({
      name: `RoleBinding to the built-in ClusterRole ${name}`,
      mutate: (j: TerraformJson) => Object.assign(child(body(j, R.configReaderBinding), 'role_ref'), { kind: 'ClusterRole', name }),
      address: roleBinding,
      message: `RoleBinding config-reader binds the built-in ClusterRole ${name}`,
    })),
    {
      name: 'ClusterRoleBinding to cluster-admin',
      mutate: (j) => (child(body(j, R.namespaceViewerBinding), 'role_ref').name = 'cluster-admin'),
      address: clusterBinding,
      message: 'ClusterRoleBinding agency-namespace-viewer binds the built-in ClusterRole cluster-admin',
    },
    {
      name: 'binding to the group system:masters',
      mutate: (j) =>
        (body(j, R.namespaceViewerBinding).subject = [{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]),
      address: clusterBinding,
      message: 'binds the group system:masters',
    },
    {
      name: 'ClusterRoleBinding manifest to cluster-admin',
      mutate: addManifest('root_manifest', {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'root' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'synapse', namespace: HOMESERVER_NAMESPACE }],
      }),
      address: 'kubernetes_manifest.root_manifest',
      message: 'ClusterRoleBinding root binds the built-in ClusterRole cluster-admin',
    },
  ],
  good: [
    {
      name: 'a namespaced Role reading one named Secret',
      mutate: grant({ api_groups: [''], resource_names: ['synapse-keys'], resources: ['secrets'], verbs: ['get'] }),
    },
    { name: 'create on pods (no exec/attach)', mutate: grant({ api_groups: [''], resources: ['pods'], verbs: ['create', 'delete'] }) },
    { name: 'get on pods/log', mutate: grant({ api_groups: [''], resources: ['pods/log'], verbs: ['get'] }) },
    {
      name: 'RoleBinding to a namespaced Role named "admin"',
      mutate: (j) => {
        metadataBlock(j, R.configReaderRole).name = 'admin';
        child(body(j, R.configReaderBinding), 'role_ref').name = 'admin';
      },
    },
    {
      name: 'ClusterRole creating CSRs (not approving them)',
      mutate: grant(
        { api_groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
        R.namespaceViewerRole,
      ),
    },
  ],
};
