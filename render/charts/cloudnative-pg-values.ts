/**
 * CloudNativePG, the PostgreSQL operator: watches only the homeserver compartments (the
 * WATCH_NAMESPACE list), with RBAC written by this project instead of the chart's (see
 * model/postgres-operator.ts), CRDs kept on uninstall, no aggregation into the view/edit
 * roles, no monitoring objects, restricted pod, image by digest.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { CLOUDNATIVE_PG_WEBHOOK_PORT, platformPod, platformReplicas } from '../../model/platform';
import { CLOUDNATIVE_PG_SERVICE_ACCOUNT, postgresOperatorWatchedNamespaces } from '../../model/postgres-operator';
import {
  resourceValues,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  RESTRICTED_POD_SECURITY_CONTEXT,
  splitImage,
  type HelmValues,
} from './chart-values';

/** The chart's operator user; the distroless image runs as it. */
const OPERATOR_UID = 10001;

export function cloudnativePgValues(config: DeploymentConfig): HelmValues {
  const split = splitImage(config.images.effective.cloudnativePg);
  const pod = platformPod('cloudnative-pg');
  const watched = postgresOperatorWatchedNamespaces(config).join(',');
  return {
    replicaCount: platformReplicas(pod, config.profile),
    // The chart renders `repository:tag`: the digest rides on the tag (also in OPERATOR_IMAGE_NAME,
    // the image the operator runs its init containers from).
    image: { repository: split.fullRepository, tag: `${split.tag}@${split.digest}`, pullPolicy: 'IfNotPresent' },
    imagePullSecrets: [],
    hostNetwork: false,
    dnsPolicy: '',
    priorityClassName: '',
    // The chart ships its CRDs with `helm.sh/resource-policy: keep` on each: an uninstall leaves them,
    // and with them every Cluster and (through owner references) its volumes.
    crds: { create: true },
    webhook: {
      port: CLOUDNATIVE_PG_WEBHOOK_PORT,
      mutating: { create: true, failurePolicy: 'Fail' },
      validating: { create: true, failurePolicy: 'Fail' },
    },
    config: {
      create: true,
      name: 'cnpg-controller-manager-config',
      secret: false,
      // "Cluster-wide" only stops the chart from pinning WATCH_NAMESPACE to the operator's own namespace
      // and from writing a Role there: the chart's RBAC is off, and the list below is what it watches.
      clusterWide: true,
      // A Cluster that names no image gets the pinned operand image, never the operator's built-in tag.
      data: { WATCH_NAMESPACE: watched, POSTGRES_IMAGE_NAME: config.images.effective.postgres },
      maxConcurrentReconciles: 10,
    },
    // Read at start (the configuration map only later, after the watch cache exists).
    additionalEnv: [{ name: 'WATCH_NAMESPACE', value: watched }],
    additionalArgs: [],
    serviceAccount: { create: true, name: CLOUDNATIVE_PG_SERVICE_ACCOUNT },
    rbac: { create: false, aggregateClusterRoles: false },
    podSecurityContext: RESTRICTED_POD_SECURITY_CONTEXT,
    containerSecurityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: OPERATOR_UID, runAsGroup: OPERATOR_UID },
    resources: resourceValues(pod.resources),
    service: { type: 'ClusterIP', name: 'cnpg-webhook-service', port: 443 },
    monitoring: { podMonitorEnabled: false, grafanaDashboard: { create: false } },
    commonAnnotations: {},
    podAnnotations: {},
    podLabels: {},
  };
}
