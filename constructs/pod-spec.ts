/**
 * Renders a workload spec into a hardened pod template. Every hardening field is written
 * explicitly, even where it equals the Kubernetes default, so the synthesized JSON proves
 * it and a provider or API default change cannot weaken it silently.
 */
import type { DeploymentV1SpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { LABEL_WORKLOAD } from '../model/compartments';
import { cpu, mebibytes } from '../model/quantities';
import type { CompartmentKind } from '../model/compartments';
import type { Probe, WorkloadSpec } from '../model/workload-spec';

type AnyWorkloadSpec = WorkloadSpec<CompartmentKind>;

export interface PodTemplateOptions {
  readonly serviceAccountName: string;
  /** Deployments mount their claim by name; StatefulSets get it from a volume claim template. */
  readonly persistentClaimName?: string;
}

/**
 * Owner read-only. The kubelet adds group read for the pod's fsGroup, which is how the
 * non-root process reads a root-owned secret file; nobody else in the pod can.
 */
export const SECRET_FILE_MODE = '0400';
export const CONFIG_FILE_MODE = '0444';

export function configMapName(workloadName: string, volumeName: string): string {
  return `${workloadName}-${volumeName}`;
}

export const RUNTIME_DEFAULT_SECCOMP = { type: 'RuntimeDefault' } as const;

const TRUST_BUNDLE_VOLUME = 'internal-ca';
const TOKEN_VOLUME = 'openbao-token';

function probe(definition: Probe) {
  const timing = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, successThreshold: 1 };
  return definition.type === 'http'
    ? { ...timing, httpGet: { path: definition.path, port: definition.port, scheme: definition.scheme } }
    : { ...timing, tcpSocket: [{ port: definition.port }] };
}

export function workloadSelector(spec: AnyWorkloadSpec): Record<string, string> {
  return { [LABEL_WORKLOAD]: spec.name };
}

interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** What every container of the pod shares: image, user, hardening, resources, mounts. */
function hardenedContainer(spec: AnyWorkloadSpec, mounts: readonly VolumeMount[]) {
  const uid = String(spec.uid);
  const gid = String(spec.gid);
  return {
    image: spec.image,
    // The digest pins the content; IfNotPresent avoids a registry round trip per restart.
    imagePullPolicy: 'IfNotPresent',
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
    volumeMount: [...mounts],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

export function podTemplateSpec(spec: AnyWorkloadSpec, options: PodTemplateOptions): DeploymentV1SpecTemplateSpec {
  const uid = String(spec.uid);
  const gid = String(spec.gid);
  const volumes = [
    ...spec.writablePaths.map((path) => ({
      name: path.name,
      emptyDir: { medium: path.medium ?? '', sizeLimit: mebibytes(path.sizeLimitMi) },
    })),
    ...(spec.configFiles ?? []).map((files) => ({
      name: files.volumeName,
      configMap: { name: configMapName(spec.name, files.volumeName), defaultMode: CONFIG_FILE_MODE, optional: false },
    })),
    ...(spec.secretMounts ?? []).map((mount) => ({
      name: mount.volumeName,
      secret: { secretName: mount.secretName, defaultMode: SECRET_FILE_MODE, optional: false },
    })),
    ...(spec.trustBundle ? [{ name: TRUST_BUNDLE_VOLUME, configMap: { name: spec.trustBundle.configMapName, defaultMode: CONFIG_FILE_MODE, optional: false } }] : []),
    ...(spec.serviceAccountToken
      ? [
          {
            name: TOKEN_VOLUME,
            projected: [
              {
                defaultMode: SECRET_FILE_MODE,
                sources: [{ serviceAccountToken: { audience: spec.serviceAccountToken.audience, expirationSeconds: spec.serviceAccountToken.expirationSeconds, path: 'token' } }],
              },
            ],
          },
        ]
      : []),
    ...(spec.storage && options.persistentClaimName
      ? [{ name: spec.storage.name, persistentVolumeClaim: { claimName: options.persistentClaimName, readOnly: false } }]
      : []),
  ];
  const mounts = [
    ...spec.writablePaths.map((path) => ({ name: path.name, mountPath: path.mountPath, readOnly: false })),
    ...(spec.configFiles ?? []).map((files) => ({ name: files.volumeName, mountPath: files.mountPath, readOnly: true })),
    ...(spec.secretMounts ?? []).map((mount) => ({ name: mount.volumeName, mountPath: mount.mountPath, readOnly: true })),
    ...(spec.trustBundle ? [{ name: TRUST_BUNDLE_VOLUME, mountPath: spec.trustBundle.mountPath, readOnly: true }] : []),
    ...(spec.serviceAccountToken ? [{ name: TOKEN_VOLUME, mountPath: spec.serviceAccountToken.mountPath, readOnly: true }] : []),
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
    // A Job's pod is retried by the Job controller (backoffLimit), never restarted in place.
    restartPolicy: spec.kind === 'Job' ? 'Never' : 'Always',
    terminationGracePeriodSeconds: 30,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      fsGroup: gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: RUNTIME_DEFAULT_SECCOMP,
    },
    ...(spec.initSteps ? { initContainer: spec.initSteps.map((step) => ({ ...hardenedContainer(spec, mounts), name: step.name, command: [...step.command] })) } : {}),
    container: [
      {
        ...hardenedContainer(spec, mounts),
        name: spec.name,
        ...(spec.command ? { command: [...spec.command] } : {}),
        ...(spec.args ? { args: [...spec.args] } : {}),
        ...(spec.env ? { env: Object.entries(spec.env).map(([name, value]) => ({ name, value })) } : {}),
        port: spec.ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })),
        ...(spec.probe ? { readinessProbe: probe(spec.probe), livenessProbe: { ...probe(spec.probe), initialDelaySeconds: 30 } } : {}),
      },
    ],
    volume: volumes,
  };
}
