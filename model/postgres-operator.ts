/**
 * The PostgreSQL operator (CloudNativePG) as plain data: which namespaces it watches and the
 * RBAC it needs there and cluster-wide. The chart's own RBAC is off (its namespaced mode
 * grants only the operator's namespace, its cluster-wide mode every namespace); these rules
 * are the chart's, minus what this deployment never uses.
 */
import type { DeploymentConfig } from '../config/deployment-config';
import { homeserverNamespace, platformNamespace } from './compartments';
import { RELEASES } from './platform';

/** One RBAC rule, as Kubernetes writes it. */
export interface AccessRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Only these objects (cluster-scoped objects the operator owns by name). */
  readonly resourceNames?: readonly string[];
}

/** The operator's service account: the chart names it after the release. */
export const CLOUDNATIVE_PG_SERVICE_ACCOUNT = RELEASES.cloudnativePg;
/** The webhook configurations the chart installs; the operator injects its own CA into them at start. */
export const CLOUDNATIVE_PG_WEBHOOK_CONFIGURATIONS = [
  'cnpg-mutating-webhook-configuration',
  'cnpg-validating-webhook-configuration',
] as const;

/**
 * Every homeserver compartment holds one PostgreSQL cluster, and the operator's own namespace
 * holds the barman-cloud plugin's Service: the operator finds plugins only through its watch
 * cache, which covers exactly this list (a plugin Service outside it is never registered, and
 * every Cluster that names the plugin then fails with "Unknown plugin"). It sees nothing else.
 */
export function postgresOperatorWatchedNamespaces(config: DeploymentConfig): string[] {
  return [
    ...config.homeservers.map((homeserver) => homeserverNamespace(homeserver.name, 'homeserver')),
    platformNamespace(config.deploymentName, 'postgres-operator'),
  ];
}

const READ = ['get', 'list', 'watch'];
const MANAGE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/**
 * What the operator does in each namespace it watches (its own included): the objects of a cluster (pods, claims, services, secrets, jobs, the instances'
 * service account and Role), their status, leader election and events. Left out of the chart's
 * rules: `pods/exec`, used only by the in-tree barman backup method (this deployment backs up
 * through the barman-cloud plugin); RBAC-04 refuses it.
 */
export const CLOUDNATIVE_PG_NAMESPACE_RULES: readonly AccessRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services'], verbs: MANAGE },
  { apiGroups: [''], resources: ['configmaps/status', 'secrets/status'], verbs: ['get', 'patch', 'update'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  { apiGroups: [''], resources: ['pods/status'], verbs: ['get'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'list', 'update', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['monitoring.coreos.com'], resources: ['podmonitors'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  {
    apiGroups: ['postgresql.cnpg.io'],
    resources: ['backups', 'clusters', 'databaseroles', 'databases', 'poolers', 'publications', 'scheduledbackups', 'subscriptions'],
    verbs: MANAGE,
  },
  { apiGroups: ['postgresql.cnpg.io'], resources: ['failoverquorums'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
  {
    apiGroups: ['postgresql.cnpg.io'],
    resources: ['backups/status', 'databases/status', 'publications/status', 'scheduledbackups/status', 'subscriptions/status'],
    verbs: ['get', 'patch', 'update'],
  },
  { apiGroups: ['postgresql.cnpg.io'], resources: ['imagecatalogs'], verbs: READ },
  {
    apiGroups: ['postgresql.cnpg.io'],
    resources: ['clusters/finalizers', 'databaseroles/finalizers', 'poolers/finalizers'],
    verbs: ['update'],
  },
  {
    apiGroups: ['postgresql.cnpg.io'],
    resources: ['clusters/status', 'databaseroles/status', 'poolers/status', 'failoverquorums/status'],
    verbs: ['get', 'patch', 'update', 'watch'],
  },
  // Each cluster's instances run under a service account with a Role the operator writes; the API
  // server lets it grant only what it holds itself (no escalate or bind).
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['rolebindings', 'roles'],
    verbs: ['create', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'patch', 'watch'] },
];

/**
 * What only a cluster-wide grant can give: nodes (the operator spreads instances and reacts to
 * drained nodes), its two webhook configurations by name (it injects the CA of its
 * self-managed webhook certificate at start) and cluster image catalogs (its cluster
 * controller watches them). Reading custom resource definitions is not needed: the operator
 * discovers optional APIs (volume snapshots) through the discovery endpoint, which every
 * authenticated identity may read.
 */
export const CLOUDNATIVE_PG_CLUSTER_RULES: readonly AccessRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: READ },
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
    verbs: ['get', 'patch'],
    resourceNames: CLOUDNATIVE_PG_WEBHOOK_CONFIGURATIONS,
  },
  { apiGroups: ['postgresql.cnpg.io'], resources: ['clusterimagecatalogs'], verbs: READ },
];
