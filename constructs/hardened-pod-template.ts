/**
 * The hardened pod template shared by every workload construct: the one place that writes
 * the secure pod and container defaults (non-root user and group, read-only root filesystem,
 * no privilege escalation, every capability dropped, RuntimeDefault seccomp, requests and
 * limits, no API token, no host namespaces). Every hardening field is written explicitly,
 * even where it equals the Kubernetes default, so the synthesized JSON proves it and a
 * provider or API default change cannot weaken it silently. Deployments, StatefulSets and
 * Jobs run this same template; only the controller around it differs.
 */
import { createHash } from 'node:crypto';
import type { DeploymentV1SpecTemplate, DeploymentV1SpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { spreadConstraints } from '../model/availability';
import { LABEL_WORKLOAD, type CompartmentKind } from '../model/compartments';
import { ephemeralStorageMi } from '../model/ephemeral-storage';
import { cpu, mebibytes } from '../model/quantities';
import type { ConfigFiles, Probe, TlsFront, WorkloadSpec } from '../model/workload-spec';

/** A workload of a homeserver compartment or of the platform. */
export type AnyWorkloadSpec = WorkloadSpec<CompartmentKind>;

export interface PodTemplateOptions {
  /** Labels of the pods: the compartment's, the workload selector and the workload name. */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  /** Long-running pods restart in place; a Job's pod is retried by the Job controller instead. */
  readonly restartPolicy: 'Always' | 'Never';
  /**
   * Claim mounted by name as the spec's storage volume (Deployments); a StatefulSet's comes
   * from its volume claim template instead.
   * @default no claim volume in the pod
   */
  readonly persistentClaimName?: string;
}

/**
 * Owner read-only. The kubelet adds group read for the pod's fsGroup, which is how the
 * non-root process reads a root-owned secret file; nobody else in the pod can.
 */
export const SECRET_FILE_MODE = '0400';
export const CONFIG_FILE_MODE = '0444';

export const RUNTIME_DEFAULT_SECCOMP = { type: 'RuntimeDefault' } as const;

/** Pod Security "restricted", every field written out: a fixed non-root user, no privilege, read-only root, no capability. */
export function restrictedContainerSecurityContext(uid: number, gid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: String(uid),
    runAsGroup: String(gid),
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: RUNTIME_DEFAULT_SECCOMP,
  };
}

const TRUST_BUNDLE_VOLUME = 'internal-ca';
const TOKEN_VOLUME = 'openbao-token';

export function configMapName(workloadName: string, volumeName: string): string {
  return `${workloadName}-${volumeName}`;
}

/** The TLS front's volumes: its haproxy.cfg and the workload's certificate, mounted in its container only. */
export const TLS_FRONT = {
  configVolume: 'tls-front',
  configDirectory: '/etc/tls-front',
  certificateVolume: 'tls-front-certificate',
  certificateDirectory: '/tls',
  container: 'tls-front',
} as const;

/** The TLS front container's command (HAProxy in the foreground with its mounted config). */
export const TLS_FRONT_COMMAND = ['haproxy', '-db', '-f', `${TLS_FRONT.configDirectory}/haproxy.cfg`] as const;

/** Every ConfigMap the pod mounts: the spec's files and the TLS front's configuration. */
export function podConfigFiles(spec: AnyWorkloadSpec): ConfigFiles[] {
  return [
    ...(spec.configFiles ?? []),
    ...(spec.tlsFront
      ? [{ volumeName: TLS_FRONT.configVolume, mountPath: TLS_FRONT.configDirectory, files: { 'haproxy.cfg': spec.tlsFront.configFile } }]
      : []),
  ];
}

export function workloadSelector(spec: AnyWorkloadSpec): Record<string, string> {
  return { [LABEL_WORKLOAD]: spec.name };
}

/** Changes whenever a mounted config file changes, so pods roll instead of running stale config. */
export function configChecksum(spec: AnyWorkloadSpec): string {
  const hash = createHash('sha256');
  for (const files of podConfigFiles(spec)) {
    for (const [name, content] of Object.entries(files.files).sort(([a], [b]) => a.localeCompare(b)))
      hash.update(`${files.volumeName}/${name}\0${content}\0`);
  }
  return hash.digest('hex');
}

/** Readiness: what the workload declares it serves. Failing it only takes the pod out of its Service. */
function readinessProbe(definition: Probe) {
  const timing = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, successThreshold: 1 };
  return definition.type === 'http'
    ? { ...timing, httpGet: { path: definition.path, port: definition.port, scheme: definition.scheme } }
    : { ...timing, tcpSocket: [{ port: definition.port }] };
}

/**
 * Liveness: only that the process still accepts connections on the declared port, judged over
 * three minutes. A health endpoint that reports a dependency outage (database, Redis) takes the
 * pod out of its Service but never restarts it; only a wedged process is restarted.
 */
function livenessProbe(definition: Probe) {
  return {
    initialDelaySeconds: 30,
    periodSeconds: 30,
    timeoutSeconds: 5,
    failureThreshold: 6,
    successThreshold: 1,
    tcpSocket: [{ port: definition.port }],
  };
}

/** A slow starter's grace: liveness and readiness wait until the declared endpoint first answers. */
function startupProbe(definition: Probe, startupSeconds: number) {
  return { ...readinessProbe(definition), initialDelaySeconds: 0, failureThreshold: Math.ceil(startupSeconds / 10) };
}

interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** What every container of the pod shares: image, user, hardening, resources, mounts. */
function hardenedContainer(spec: AnyWorkloadSpec, mounts: readonly VolumeMount[]) {
  const ephemeral = mebibytes(ephemeralStorageMi(spec.writablePaths));
  return {
    image: spec.image,
    // The digest pins the content; IfNotPresent avoids a registry round trip per restart.
    imagePullPolicy: 'IfNotPresent',
    securityContext: restrictedContainerSecurityContext(spec.uid, spec.gid),
    resources: {
      requests: {
        cpu: cpu(spec.resources.cpuRequestMilli),
        memory: mebibytes(spec.resources.memoryRequestMi),
        'ephemeral-storage': ephemeral,
      },
      limits: { cpu: cpu(spec.resources.cpuLimitMilli), memory: mebibytes(spec.resources.memoryLimitMi), 'ephemeral-storage': ephemeral },
    },
    volumeMount: [...mounts],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** Size-limited scratch space, read-only files, the trust bundle, a projected token, the claim. */
function volumes(spec: AnyWorkloadSpec, persistentClaimName: string | undefined) {
  return [
    ...spec.writablePaths.map((path) => ({
      name: path.name,
      emptyDir: { medium: path.medium ?? '', sizeLimit: mebibytes(path.sizeLimitMi) },
    })),
    ...podConfigFiles(spec).map((files) => ({
      name: files.volumeName,
      configMap: { name: configMapName(spec.name, files.volumeName), defaultMode: CONFIG_FILE_MODE, optional: false },
    })),
    ...(spec.secretMounts ?? []).map((mount) => ({
      name: mount.volumeName,
      secret: { secretName: mount.secretName, defaultMode: SECRET_FILE_MODE, optional: false },
    })),
    ...(spec.trustBundle
      ? [{ name: TRUST_BUNDLE_VOLUME, configMap: { name: spec.trustBundle.configMapName, defaultMode: CONFIG_FILE_MODE, optional: false } }]
      : []),
    ...(spec.serviceAccountToken
      ? [
          {
            name: TOKEN_VOLUME,
            projected: [
              {
                defaultMode: SECRET_FILE_MODE,
                sources: [
                  {
                    serviceAccountToken: {
                      audience: spec.serviceAccountToken.audience,
                      expirationSeconds: spec.serviceAccountToken.expirationSeconds,
                      path: 'token',
                    },
                  },
                ],
              },
            ],
          },
        ]
      : []),
    ...(spec.storage && persistentClaimName
      ? [{ name: spec.storage.name, persistentVolumeClaim: { claimName: persistentClaimName, readOnly: false } }]
      : []),
    ...(spec.tlsFront
      ? [
          {
            name: TLS_FRONT.certificateVolume,
            secret: { secretName: spec.tlsFront.certificateSecret, defaultMode: SECRET_FILE_MODE, optional: false },
          },
        ]
      : []),
  ];
}

/**
 * HAProxy terminating TLS for a plain-HTTP program on loopback: the same hardening as the
 * program's container, its own small resources, only its configuration and certificate mounted.
 */
function tlsFrontContainer(spec: AnyWorkloadSpec, front: TlsFront) {
  const ephemeral = mebibytes(ephemeralStorageMi([]));
  const probe: Probe = { type: 'tcp', port: front.port.name };
  return {
    name: TLS_FRONT.container,
    image: front.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...TLS_FRONT_COMMAND],
    securityContext: restrictedContainerSecurityContext(spec.uid, spec.gid),
    resources: {
      requests: {
        cpu: cpu(front.resources.cpuRequestMilli),
        memory: mebibytes(front.resources.memoryRequestMi),
        'ephemeral-storage': ephemeral,
      },
      limits: {
        cpu: cpu(front.resources.cpuLimitMilli),
        memory: mebibytes(front.resources.memoryLimitMi),
        'ephemeral-storage': ephemeral,
      },
    },
    volumeMount: [
      { name: TLS_FRONT.configVolume, mountPath: TLS_FRONT.configDirectory, readOnly: true },
      { name: TLS_FRONT.certificateVolume, mountPath: TLS_FRONT.certificateDirectory, readOnly: true },
    ],
    terminationMessagePolicy: 'FallbackToLogsOnError',
    port: [{ name: front.port.name, containerPort: front.port.containerPort, protocol: front.port.protocol }],
    readinessProbe: readinessProbe(probe),
    livenessProbe: livenessProbe(probe),
  };
}

/** Only the writable paths and the claim are writable; everything else is mounted read-only. */
function mounts(spec: AnyWorkloadSpec): VolumeMount[] {
  return [
    ...spec.writablePaths.map((path) => ({ name: path.name, mountPath: path.mountPath, readOnly: false })),
    ...(spec.configFiles ?? []).map((files) => ({ name: files.volumeName, mountPath: files.mountPath, readOnly: true })),
    ...(spec.secretMounts ?? []).map((mount) => ({ name: mount.volumeName, mountPath: mount.mountPath, readOnly: true })),
    ...(spec.trustBundle ? [{ name: TRUST_BUNDLE_VOLUME, mountPath: spec.trustBundle.mountPath, readOnly: true }] : []),
    ...(spec.serviceAccountToken ? [{ name: TOKEN_VOLUME, mountPath: spec.serviceAccountToken.mountPath, readOnly: true }] : []),
    ...(spec.storage ? [{ name: spec.storage.name, mountPath: spec.storage.mountPath, readOnly: false }] : []),
  ];
}

/**
 * What every pod of this project states explicitly: its own service account without an API
 * token, no host namespaces or shared process namespace, no Service environment, a non-root
 * user and group, the runtime's default seccomp profile. Long-running workloads and scheduled
 * jobs alike.
 */
export function restrictedPodSettings(identity: { uid: number; gid: number; serviceAccountName: string; restartPolicy: string }) {
  const gid = String(identity.gid);
  return {
    serviceAccountName: identity.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    hostNetwork: false,
    hostPid: false,
    hostIpc: false,
    shareProcessNamespace: false,
    restartPolicy: identity.restartPolicy,
    terminationGracePeriodSeconds: 30,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: String(identity.uid),
      runAsGroup: gid,
      fsGroup: gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: RUNTIME_DEFAULT_SECCOMP,
    },
  };
}

function hardenedPodSpec(spec: AnyWorkloadSpec, options: Omit<PodTemplateOptions, 'labels'>): DeploymentV1SpecTemplateSpec {
  const mounted = mounts(spec);
  return {
    ...restrictedPodSettings({
      uid: spec.uid,
      gid: spec.gid,
      serviceAccountName: options.serviceAccountName,
      restartPolicy: options.restartPolicy,
    }),
    ...(spec.initSteps
      ? {
          initContainer: spec.initSteps.map((step) => ({
            ...hardenedContainer(spec, mounted),
            name: step.name,
            command: [...step.command],
          })),
        }
      : {}),
    container: [
      {
        ...hardenedContainer(spec, mounted),
        name: spec.name,
        ...(spec.command ? { command: [...spec.command] } : {}),
        ...(spec.args ? { args: [...spec.args] } : {}),
        ...(spec.env ? { env: Object.entries(spec.env).map(([name, value]) => ({ name, value })) } : {}),
        port: spec.ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })),
        ...(spec.probe ? { readinessProbe: readinessProbe(spec.probe), livenessProbe: livenessProbe(spec.probe) } : {}),
        ...(spec.probe?.startupSeconds ? { startupProbe: startupProbe(spec.probe, spec.probe.startupSeconds) } : {}),
      },
      ...(spec.tlsFront ? [tlsFrontContainer(spec, spec.tlsFront)] : []),
    ],
    volume: volumes(spec, options.persistentClaimName),
    ...spread(spec),
  };
}

/** Pods of a workload of several, spread over nodes and zones (model/availability.ts), counting only its own pods. */
function spread(spec: AnyWorkloadSpec) {
  const constraints = spreadConstraints(spec.replicas);
  if (constraints.length === 0) return {};
  return {
    topologySpreadConstraint: constraints.map((constraint) => ({
      ...constraint,
      labelSelector: [{ matchLabels: workloadSelector(spec) }],
      // A cordoned or tainted node is no domain to balance over: a drain cannot strand the pod it evicts.
      nodeTaintsPolicy: 'Honor',
      nodeAffinityPolicy: 'Honor',
    })),
  };
}

/** The pod template with its labels, its purpose and the checksum that rolls it on config changes. */
export function hardenedPodTemplate(spec: AnyWorkloadSpec, options: PodTemplateOptions): DeploymentV1SpecTemplate {
  const { labels, ...pod } = options;
  return {
    metadata: {
      labels: { ...labels },
      annotations: { 'matrix.sovereign/purpose': spec.purpose, 'matrix.sovereign/config-checksum': configChecksum(spec) },
    },
    spec: hardenedPodSpec(spec, pod),
  };
}
