/**
 * trust-manager: writes the internal CA certificate into every namespace of the deployment.
 * No default public CA package, no Secret targets (a CA certificate is public: ConfigMaps),
 * webhook certificate from cert-manager, restricted pod, image by digest.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { platformNames, platformPod, platformReplicas } from '../../model/platform';
import { resourceValues, splitImage, type HelmValues } from './chart-values';

export function trustManagerValues(config: DeploymentConfig): HelmValues {
  const names = platformNames(config.deploymentName);
  const split = splitImage(config.images.effective.trustManager);
  const pod = platformPod('trust-manager');
  return {
    crds: { enabled: true, keep: true },
    replicaCount: platformReplicas(pod, config.profile),
    image: { repository: split.fullRepository, tag: split.tag, digest: split.digest, pullPolicy: 'IfNotPresent' },
    defaultPackage: { enabled: false },
    secretTargets: { enabled: false, authorizedSecretsAll: false, authorizedSecrets: [] },
    filterExpiredCertificates: { enabled: true },
    automountServiceAccountToken: true,
    serviceAccount: { create: true, automountServiceAccountToken: true },
    resources: resourceValues(pod.resources),
    podDisruptionBudget: { enabled: false },
    app: {
      minTLSVersion: 'VersionTLS12',
      // The CA's Secret lives in the cert-manager namespace; trust-manager reads sources only there.
      trust: { namespace: names.namespaces['cert-manager'] },
      securityContext: { seccompProfileEnabled: true },
      leaderElection: { enabled: true },
      webhook: {
        port: pod.webhookPort ?? 6443,
        hostNetwork: false,
        tls: { helmCert: { enabled: false }, approverPolicy: { enabled: false } },
      },
      metrics: { service: { enabled: false, servicemonitor: { enabled: false } } },
    },
  };
}
