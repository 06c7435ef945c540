/**
 * OpenBao: one server (self-initialisation is not safe with several Raft nodes starting at
 * once, upstream openbao#2274), TLS with a certificate from the internal CA, its data on an
 * allowlisted encrypted volume, its seal key from a generated Secret, no injector, no CSI
 * provider, no UI; restricted pod; image by digest. The server configuration (no secret in
 * it) is rendered by render/openbao/server-config.ts.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import { CONFIGURATOR, OPENBAO_GID, OPENBAO_UID, platformNames, platformPod, RELEASES } from '../../model/platform';
import { OPENBAO_PATHS, renderOpenBaoServerConfig } from '../openbao/server-config';
import {
  resourceValues,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  RESTRICTED_POD_SECURITY_CONTEXT,
  splitImage,
  type HelmValues,
} from './chart-values';

/** Secret files readable by their owner only (the kubelet adds the fsGroup). */
const SECRET_FILE_MODE = 0o400;

/** Ready only when unsealed and initialised: the release waits for self-initialisation. */
const HEALTH = '/v1/sys/health?standbyok=true';

function directoryOf(file: string): string {
  return file.replace(/\/[^/]+$/, '');
}

export function openbaoValues(config: DeploymentConfig): HelmValues {
  const names = platformNames(config.deploymentName);
  const split = splitImage(config.images.effective.openbao);
  const pod = platformPod('openbao');
  const namespace = names.namespaces.openbao;
  return {
    global: { enabled: true, tlsDisable: false, openshift: false },
    injector: { enabled: false },
    csi: { enabled: false },
    ui: { enabled: false },
    serverTelemetry: { serviceMonitor: { enabled: false } },
    server: {
      enabled: true,
      // The chart joins registry/repository:tag; the digest rides on the tag.
      image: { registry: split.registry, repository: split.repository, tag: `${split.tag}@${split.digest}`, pullPolicy: 'IfNotPresent' },
      resources: resourceValues(pod.resources),
      readinessProbe: { enabled: true, path: HEALTH },
      livenessProbe: { enabled: true, path: `${HEALTH}&sealedcode=204&uninitcode=204`, initialDelaySeconds: 60 },
      // Lets OpenBao review the Kubernetes tokens presented at login (TokenReview).
      authDelegator: { enabled: true },
      serviceAccount: { create: true, name: RELEASES.openbao, createSecret: false, serviceDiscovery: { enabled: false } },
      dataStorage: {
        enabled: true,
        size: `${config.platform.openbao.storageGi}Gi`,
        storageClass: config.storage.storageClassName,
        accessMode: 'ReadWriteOnce',
        mountPath: OPENBAO_PATHS.data,
      },
      auditStorage: { enabled: false },
      dev: { enabled: false },
      ha: { enabled: false, replicas: 1 },
      standalone: {
        enabled: true,
        config: renderOpenBaoServerConfig({
          namespace,
          release: RELEASES.openbao,
          configurator: { namespace, serviceAccount: CONFIGURATOR },
        }),
      },
      statefulSet: {
        securityContext: {
          pod: {
            ...RESTRICTED_POD_SECURITY_CONTEXT,
            runAsUser: OPENBAO_UID,
            runAsGroup: OPENBAO_GID,
            fsGroup: OPENBAO_GID,
            fsGroupChangePolicy: 'OnRootMismatch',
          },
          container: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        },
      },
      volumes: [
        { name: 'tls', secret: { secretName: names.openbaoTlsSecret, defaultMode: SECRET_FILE_MODE } },
        { name: 'seal-key', secret: { secretName: names.openbaoSealSecret, defaultMode: SECRET_FILE_MODE } },
        // The chart's entrypoint writes the final configuration to /tmp (the root filesystem is read-only).
        { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
      ],
      volumeMounts: [
        { name: 'tls', mountPath: OPENBAO_PATHS.tls, readOnly: true },
        { name: 'seal-key', mountPath: directoryOf(OPENBAO_PATHS.sealKey), readOnly: true },
        { name: 'tmp', mountPath: '/tmp', readOnly: false },
      ],
      networkPolicy: { enabled: false },
      service: { enabled: true, type: 'ClusterIP' },
      ingress: { enabled: false },
      route: { enabled: false },
    },
  };
}
