/** RBAC rules (identities and permissions): mutations of the compliant fixture that must fire, and near misses that must not. */
import { blocks, type JsonObject, type TerraformJson } from '../../../policies/terraform-json';
import { add, address, body, child, HOMESERVER_NAMESPACE, manifestResource, metadataBlock, type Mutation, podSpecOf, R, remove, type ResourceRef } from '../fixtures';
import { hsNamespace, postgres, synapse } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';

// ---------------------------------------------------------------- RBAC-03 / RBAC-04: roles and bindings

const role = address(R.configReaderRole);
const clusterRole = address(R.namespaceViewerRole);
const roleBinding = address(R.configReaderBinding);
const clusterBinding = address(R.namespaceViewerBinding);

/** The first rule of a typed role of the fixture. */
function ruleOfRole(json: TerraformJson, resource: ResourceRef): JsonObject {
  const found = blocks(body(json, resource).rule)[0];
  if (!found) throw new Error(`${address(resource)} has no rule`);
  return found;
}

/** Sets the first rule of a role (the namespaced Role unless told). */
function grant(rule: JsonObject, resource: ResourceRef = R.configReaderRole): Mutation {
  return (j) => {
    const target = ruleOfRole(j, resource);
    for (const key of Object.keys(target)) delete target[key];
    Object.assign(target, rule);
  };
}

function addManifest(name: string, object: JsonObject): Mutation {
  return (j) => void add(j, { type: 'kubernetes_manifest', name }, manifestResource({ apiVersion: 'rbac.authorization.k8s.io/v1', ...object }, false));
}

const RBAC_03_CASES: FiringCase[] = [
  { name: 'verbs "*" in a Role', mutate: grant({ api_groups: [''], resources: ['configmaps'], verbs: ['*'] }), address: role, message: 'Role config-reader rule[0] grants verbs "*"' },
  { name: 'resources "*" in a ClusterRole', mutate: grant({ api_groups: [''], resources: ['*'], verbs: ['get'] }, R.namespaceViewerRole), address: clusterRole, message: 'ClusterRole agency-namespace-viewer rule[0] grants resources "*"' },
  { name: 'every subresource ("pods/*")', mutate: grant({ api_groups: [''], resources: ['pods/*'], verbs: ['get'] }), address: role, message: 'grants resources "pods/*"' },
  { name: 'apiGroups "*"', mutate: grant({ api_groups: ['*'], resources: ['configmaps'], verbs: ['get'] }), address: role, message: 'grants apiGroups "*"' },
  { name: 'non_resource_urls "*"', mutate: grant({ non_resource_urls: ['*'], verbs: ['get'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants nonResourceURLs "*"' },
  { name: 'legacy kubernetes_role with verbs "*"', mutate: (j) => void add(j, { type: 'kubernetes_role', name: 'legacy' }, { metadata: { name: 'legacy', namespace: HOMESERVER_NAMESPACE }, rule: [{ api_groups: [''], resources: ['configmaps'], verbs: ['*'] }] }), address: 'kubernetes_role.legacy', message: 'Role legacy rule[0] grants verbs "*"' },
  { name: 'ClusterRole manifest with a wildcard', mutate: addManifest('wide_manifest', { kind: 'ClusterRole', metadata: { name: 'wide' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }] }), address: 'kubernetes_manifest.wide_manifest', message: 'ClusterRole wide rule[0] grants verbs "*"' },
];

const RBAC_04_CASES: FiringCase[] = [
  ...['escalate', 'bind'].map((verb) => ({ name: `${verb} on roles`, mutate: grant({ api_groups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: [verb] }), address: role, message: `Role config-reader rule[0] grants ${verb}` })),
  { name: 'impersonate on service accounts', mutate: grant({ api_groups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants impersonate' },
  { name: 'verbs "*" include escalate, bind and impersonate', mutate: grant({ api_groups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['*'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants escalate, bind, impersonate' },
  { name: 'create on pods/exec', mutate: grant({ api_groups: [''], resources: ['pods', 'pods/exec'], verbs: ['create'] }), address: role, message: 'grants create on pods/exec' },
  { name: 'get on pods/attach (WebSocket upgrade)', mutate: grant({ api_groups: [''], resources: ['pods/attach'], verbs: ['get'] }), address: role, message: 'grants get on pods/attach' },
  { name: 'create on every pod subresource ("pods/*")', mutate: grant({ api_groups: [''], resources: ['pods/*'], verbs: ['create'] }), address: role, message: 'grants create on pods/exec' },
  { name: 'create on serviceaccounts/token', mutate: grant({ api_groups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }), address: role, message: 'grants create on serviceaccounts/token' },
  { name: 'update on certificatesigningrequests/approval', mutate: grant({ api_groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants update on certificatesigningrequests/approval' },
  { name: 'ClusterRole reading secrets', mutate: grant({ api_groups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants get, list on secrets cluster-wide' },
  { name: 'ClusterRole watching every resource (secrets included)', mutate: grant({ api_groups: [''], resources: ['*'], verbs: ['watch'] }, R.namespaceViewerRole), address: clusterRole, message: 'grants watch on secrets cluster-wide' },
  { name: 'ClusterRole manifest listing secrets', mutate: addManifest('secret-lister_manifest', { kind: 'ClusterRole', metadata: { name: 'secret-lister' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] }), address: 'kubernetes_manifest.secret-lister_manifest', message: 'ClusterRole secret-lister rule[0] grants list on secrets cluster-wide' },
  ...['admin', 'edit'].map((name) => ({
    name: `RoleBinding to the built-in ClusterRole ${name}`,
    mutate: (j: TerraformJson) => Object.assign(child(body(j, R.configReaderBinding), 'role_ref'), { kind: 'ClusterRole', name }),
    address: roleBinding,
    message: `RoleBinding config-reader binds the built-in ClusterRole ${name}`,
  })),
  { name: 'ClusterRoleBinding to cluster-admin', mutate: (j) => (child(body(j, R.namespaceViewerBinding), 'role_ref').name = 'cluster-admin'), address: clusterBinding, message: 'ClusterRoleBinding agency-namespace-viewer binds the built-in ClusterRole cluster-admin' },
  {
    name: 'binding to the group system:masters',
    mutate: (j) => (body(j, R.namespaceViewerBinding).subject = [{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]),
    address: clusterBinding,
    message: 'binds the group system:masters',
  },
  {
    name: 'ClusterRoleBinding manifest to cluster-admin',
    mutate: addManifest('root_manifest', { kind: 'ClusterRoleBinding', metadata: { name: 'root' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'synapse', namespace: HOMESERVER_NAMESPACE }] }),
    address: 'kubernetes_manifest.root_manifest',
    message: 'ClusterRoleBinding root binds the built-in ClusterRole cluster-admin',
  },
];

const RBAC_03_NEAR_MISSES: NearMiss[] = [
  { name: 'exact non-resource URLs', mutate: grant({ non_resource_urls: ['/healthz', '/livez'], verbs: ['get'] }, R.namespaceViewerRole) },
  { name: 'core API group ("") and named resources', mutate: grant({ api_groups: [''], resource_names: ['synapse-config', 'synapse-log'], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }) },
];

const RBAC_04_NEAR_MISSES: NearMiss[] = [
  { name: 'a namespaced Role reading one named Secret', mutate: grant({ api_groups: [''], resource_names: ['synapse-keys'], resources: ['secrets'], verbs: ['get'] }) },
  { name: 'create on pods (no exec/attach)', mutate: grant({ api_groups: [''], resources: ['pods'], verbs: ['create', 'delete'] }) },
  { name: 'get on pods/log', mutate: grant({ api_groups: [''], resources: ['pods/log'], verbs: ['get'] }) },
  {
    name: 'RoleBinding to a namespaced Role named "admin"',
    mutate: (j) => {
      metadataBlock(j, R.configReaderRole).name = 'admin';
      child(body(j, R.configReaderBinding), 'role_ref').name = 'admin';
    },
  },
  { name: 'ClusterRole creating CSRs (not approving them)', mutate: grant({ api_groups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] }, R.namespaceViewerRole) },
];

export const RBAC_FIRING_CASES: CaseTable<FiringCase> = {
  'RBAC-01': [
    { name: 'service_account_name absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).service_account_name, address: synapse, message: 'service_account_name is "(absent = default)"' },
    { name: 'service_account_name "default"', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).service_account_name = 'default'), address: postgres, message: 'service_account_name is "default"' },
    { name: 'service_account_name empty', mutate: (j) => (podSpecOf(j, R.synapseDeployment).service_account_name = ''), address: synapse, message: 'service_account_name is ""' },
  ],
  'RBAC-02': [
    { name: 'pod automount absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).automount_service_account_token, address: synapse, message: 'pod automount_service_account_token is not false' },
    { name: 'pod automount true', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).automount_service_account_token = true), address: postgres, message: 'pod automount_service_account_token is not false' },
    { name: 'service account automount absent', mutate: (j) => delete body(j, R.synapseAccount).automount_service_account_token, address: address(R.synapseAccount), message: 'automount_service_account_token is not false' },
    { name: 'default service account automount true', mutate: (j) => (body(j, R.gatewayDefaultAccount).automount_service_account_token = true), address: address(R.gatewayDefaultAccount), message: 'automount_service_account_token is not false' },
    {
      name: 'default service account not managed',
      mutate: (j) => remove(j, R.homeserverDefaultAccount),
      address: hsNamespace,
      message: `the default service account of "${HOMESERVER_NAMESPACE}" is not managed with automount false`,
    },
  ],
  'RBAC-03': RBAC_03_CASES,
  'RBAC-04': RBAC_04_CASES,
};

export const RBAC_NEAR_MISSES: CaseTable<NearMiss> = {
  'RBAC-03': RBAC_03_NEAR_MISSES,
  'RBAC-04': RBAC_04_NEAR_MISSES,
};
