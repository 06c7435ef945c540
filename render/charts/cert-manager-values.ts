/**
 * cert-manager: the internal CA's machinery. Its own namespace for leader election and the
 * CA's key (never kube-system), no start-up check Job, no metrics objects, every pod
 * restricted, images by digest.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { platformNames, platformPod, platformReplicas } from '../../model/platform';
import {
  resourceValues,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  RESTRICTED_POD_SECURITY_CONTEXT,
  splitImage,
  type HelmValues,
} from './chart-values';

function image(reference: string): HelmValues {
  const split = splitImage(reference);
  return { repository: split.fullRepository, tag: split.tag, digest: split.digest, pullPolicy: 'IfNotPresent' };
}

function component(config: DeploymentConfig, reference: string, pod: string): HelmValues {
  return {
    replicaCount: platformReplicas(platformPod(pod), config.profile),
    image: image(reference),
    securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
    containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    resources: resourceValues(platformPod(pod).resources),
    // Controllers talk to the API server: they need their token (scoped by the chart's RBAC).
    automountServiceAccountToken: true,
    podDisruptionBudget: { enabled: false },
  };
}

export function certManagerValues(config: DeploymentConfig): HelmValues {
  const names = platformNames(config.deploymentName);
  const images = config.images.effective;
  const namespace = names.namespaces['cert-manager'];
  return {
    crds: { enabled: true, keep: true },
    global: { leaderElection: { namespace }, priorityClassName: '' },
    // ClusterIssuers read their CA key from here: the cert-manager compartment, nowhere else.
    clusterResourceNamespace: namespace,
    // A deleted Certificate takes its Secret (and private key) with it.
    enableCertificateOwnerRef: true,
    disableAutoApproval: false,
    prometheus: { enabled: false },
    startupapicheck: { enabled: false },
    ...component(config, images.certManagerController, 'cert-manager'),
    webhook: {
      ...component(config, images.certManagerWebhook, 'cert-manager-webhook'),
      networkPolicy: { enabled: false },
      hostNetwork: false,
      securePort: 10250,
    },
    cainjector: { enabled: true, ...component(config, images.certManagerCainjector, 'cert-manager-cainjector') },
  };
}
