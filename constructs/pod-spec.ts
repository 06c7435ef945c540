/**
 * Renders a workload spec into a hardened pod template. Every hardening field is written
 * explicitly, even where it equals the Kubernetes default, so the synthesized JSON proves
 * it and a provider or API default change cannot weaken it silently.
 */
import type { DeploymentV1SpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { LABEL_WORKLOAD } from '../model/compartments';
import { cpu, mebibytes } from '../model/quantities';
import type { Probe, WorkloadSpec } from '../model/workloads';

/** A Secret mounted read-only as files; there is deliberately no way to pass a secret as env. */
export interface SecretFiles {
  readonly volumeName: string;
  readonly secretName: string;
  readonly mountPath: string;
}

export interface PodTemplateOptions {
  readonly serviceAccountName: string;
  readonly secretFiles: readonly SecretFiles[];
  /** Deployments mount their claim by name; StatefulSets get it from a volume claim template. */
  readonly persistentClaimName?: string;
}

/** Owner read-only: the process reads secrets, nothing else in the pod needs them. */
export const SECRET_FILE_MODE = '0400';

export const RUNTIME_DEFAULT_SECCOMP = { type: 'RuntimeDefault' } as const;

function probe(definition: Probe) {
  const timing = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, successThreshold: 1 };
  return definition.type === 'http'
    ? { ...timing, httpGet: { path: definition.path, port: definition.port, scheme: 'HTTP' } }
    : { ...timing, tcpSocket: [{ port: definition.port }] };
}

export function workloadSelector(spec: WorkloadSpec): Record<string, string> {
  return { [LABEL_WORKLOAD]: spec.name };
}

export function podTemplateSpec(spec: WorkloadSpec, options: PodTemplateOptions): DeploymentV1SpecTemplateSpec {
  const uid = String(spec.uid);
  const gid = String(spec.gid);
  const volumes = [
    ...spec.writablePaths.map((path) => ({
      name: path.name,
      emptyDir: { medium: path.medium ?? '', sizeLimit: mebibytes(path.sizeLimitMi) },
    })),
    ...options.secretFiles.map((files) => ({
      name: files.volumeName,
      secret: { secretName: files.secretName, defaultMode: SECRET_FILE_MODE, optional: false },
    })),
    ...(spec.storage && options.persistentClaimName
      ? [{ name: spec.storage.name, persistentVolumeClaim: { claimName: options.persistentClaimName, readOnly: false } }]
      : []),
  ];
  const mounts = [
    ...spec.writablePaths.map((path) => ({ name: path.name, mountPath: path.mountPath, readOnly: false })),
    ...options.secretFiles.map((files) => ({ name: files.volumeName, mountPath: files.mountPath, readOnly: true })),
    ...(spec.storage ? [{ name: spec.storage.name, mountPath: spec.storage.mountPath, readOnly: false }] : []),
  ];
  return {
    serviceAccountName: options.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    hostNetwork: false,
    hostPid: false,
    hostIpc: false,
    shareProcessNamespace: false,
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      fsGroup: gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: RUNTIME_DEFAULT_SECCOMP,
    },
    container: [
      {
        name: spec.name,
        image: spec.image,
        // The digest pins the content; IfNotPresent avoids a registry round trip per restart.
        imagePullPolicy: 'IfNotPresent',
        port: spec.ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })),
        securityContext: {
          runAsNonRoot: true,
          runAsUser: uid,
          runAsGroup: gid,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: RUNTIME_DEFAULT_SECCOMP,
        },
        resources: {
          requests: { cpu: cpu(spec.resources.cpuRequestMilli), memory: mebibytes(spec.resources.memoryRequestMi) },
          limits: { cpu: cpu(spec.resources.cpuLimitMilli), memory: mebibytes(spec.resources.memoryLimitMi) },
        },
        readinessProbe: probe(spec.probe),
        livenessProbe: { ...probe(spec.probe), initialDelaySeconds: 30 },
        volumeMount: mounts,
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
    ],
    volume: volumes,
  };
}
