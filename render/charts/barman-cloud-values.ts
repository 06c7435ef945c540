/**
 * The barman-cloud plugin of CloudNativePG: backs up each PostgreSQL cluster (base backups
 * and WAL) to the object store through a sidecar it adds to the PostgreSQL pods. Restricted
 * pod, both images by digest, CRDs kept on uninstall, mutual TLS with the operator from
 * cert-manager certificates.
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

/** The chart's plugin user; the distroless image runs as it. */
const PLUGIN_UID = 10001;

/** The chart renders `registry/repository:tag`: the digest rides on the tag. */
function image(reference: string): HelmValues {
  const split = splitImage(reference);
  return { registry: split.registry, repository: split.repository, tag: `${split.tag}@${split.digest}` };
}

export function barmanCloudValues(config: DeploymentConfig): HelmValues {
  const images = config.images.effective;
  const pod = platformPod('barman-cloud');
  return {
    replicaCount: platformReplicas(pod, config.profile),
    image: { ...image(images.barmanCloudPlugin), pullPolicy: 'IfNotPresent' },
    // Written into each PostgreSQL pod by the plugin; the homeserver compartment's policies judge that pod.
    sidecarImage: image(images.barmanCloudSidecar),
    imagePullSecrets: [],
    hostNetwork: false,
    dnsPolicy: '',
    priorityClassName: '',
    // The chart's CRD (ObjectStore) carries `helm.sh/resource-policy: keep`: an uninstall leaves every backup configuration.
    crds: { create: true },
    additionalArgs: [],
    additionalEnv: [],
    serviceAccount: { create: true, name: '' },
    // The chart's ClusterRole: the plugin (v0.13.0) has no namespace-restricted mode, its cache is
    // cluster-wide (design.md, "The PostgreSQL operator").
    rbac: { create: true },
    podSecurityContext: RESTRICTED_POD_SECURITY_CONTEXT,
    containerSecurityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: PLUGIN_UID, runAsGroup: PLUGIN_UID },
    resources: resourceValues(pod.resources),
    service: { name: 'barman-cloud', port: pod.servingPort ?? 9090 },
    // The chart issues both from its own self-signed Issuer (its issuerRef is fixed); each side pins the
    // other's exact certificate, so a CA chain would add nothing. Renewed with a new key each time.
    certificate: {
      createClientCertificate: true,
      createServerCertificate: true,
      duration: '2160h',
      renewBefore: '360h',
    },
    commonAnnotations: {},
    podAnnotations: {},
    podLabels: {},
  };
}
