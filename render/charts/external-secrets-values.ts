/**
 * External Secrets Operator: delivers OpenBao values into each compartment. Cluster-wide
 * kinds are neither installed nor processed (no ClusterSecretStore can exist, so a store can
 * never serve another namespace), no aggregation into the view/edit roles, every pod
 * restricted, images by digest.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { platformPod, platformReplicas } from '../../model/platform';
import {
  resourceValues,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  RESTRICTED_POD_SECURITY_CONTEXT,
  splitImage,
  type HelmValues,
} from './chart-values';

function component(config: DeploymentConfig, reference: string, pod: string): HelmValues {
  const split = splitImage(reference);
  return {
    replicaCount: platformReplicas(platformPod(pod), config.profile),
    // The chart renders `repository:tag`: the digest rides on the tag.
    image: { repository: split.fullRepository, tag: `${split.tag}@${split.digest}`, flavour: '', pullPolicy: 'IfNotPresent' },
    podSecurityContext: { enabled: true, ...RESTRICTED_POD_SECURITY_CONTEXT },
    securityContext: { enabled: true, ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: 1000 },
    resources: resourceValues(platformPod(pod).resources),
    serviceAccount: { create: true, automount: true },
    hostNetwork: false,
    podDisruptionBudget: { enabled: false },
  };
}

export function externalSecretsValues(config: DeploymentConfig): HelmValues {
  const image = config.images.effective.externalSecrets;
  return {
    installCRDs: true,
    crds: {
      createClusterExternalSecret: false,
      createClusterSecretStore: false,
      createClusterGenerator: false,
      createClusterPushSecret: false,
      createSecretStore: true,
      createPushSecret: true,
      // As cert-manager's and trust-manager's: uninstalling the operator must not delete its CRDs, which
      // would delete every ExternalSecret in the cluster, the protected seal key's among them.
      annotations: { 'helm.sh/resource-policy': 'keep' },
    },
    processClusterExternalSecret: false,
    processClusterStore: false,
    processClusterGenerator: false,
    processClusterPushSecret: false,
    processSecretStore: true,
    processPushSecret: true,
    rbac: { create: true, servicebindings: { create: false }, aggregateToView: false, aggregateToEdit: false },
    systemAuthDelegator: false,
    concurrent: 1,
    leaderElect: true,
    ...component(config, image, 'external-secrets'),
    metrics: { service: { enabled: false } },
    serviceMonitor: { enabled: false },
    webhook: {
      create: true,
      failurePolicy: 'Fail',
      port: platformPod('external-secrets-webhook').webhookPort ?? 10250,
      certManager: { enabled: false },
      ...component(config, image, 'external-secrets-webhook'),
    },
    certController: { create: true, ...component(config, image, 'external-secrets-cert-controller') },
  };
}
