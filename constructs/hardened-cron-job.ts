/**
 * A hardened CronJob: a scheduled job (model/scheduled-job.ts) as a `kubernetes_cron_job_v1`,
 * every hardening field written explicitly like the shared pod template's (non-root user and
 * group, read-only root filesystem, no privilege escalation, every capability dropped,
 * RuntimeDefault seccomp, requests, limits and ephemeral storage, no API token), and every
 * scheduling field too: the schedule in UTC, never two runs at once, a bounded start delay and
 * run time, retries and history. A job that reads another workload's volume runs on that
 * workload's node (required pod affinity) and mounts the claim read-only, but for an export
 * step whose tool refuses a read-only directory (slapcat), which alone may mount it writable.
 */
import { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { parseImageReference } from '../config/image-reference';
import { LABEL_WORKLOAD } from '../model/compartments';
import { cpu, mebibytes } from '../model/quantities';
import type { JobContainer, JobVolume, ScheduledJobSpec } from '../model/scheduled-job';
import { CONFIG_FILE_MODE, restrictedContainerSecurityContext, restrictedPodSettings, SECRET_FILE_MODE } from './hardened-pod-template';

export interface HardenedCronJobProps {
  readonly namespace: string;
  readonly compartmentLabels: Readonly<Record<string, string>>;
  readonly spec: ScheduledJobSpec;
  readonly allowedRegistries: readonly string[];
  /**
   * Created before the CronJob: the compartment baseline, delivered secrets, the workload whose volume it reads.
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Every run is in UTC, whatever the controller's local zone. */
export const CRON_TIME_ZONE = 'Etc/UTC';
/** A run that could not start within an hour of its time is skipped (and the backup-age alert sees it). */
export const STARTING_DEADLINE_SECONDS = 3600;
export const BACKOFF_LIMIT = 2;
/** Finished Jobs are kept for a day (their logs show what the last runs did), within the history limits. */
export const TTL_AFTER_FINISHED_SECONDS = 86_400;

function checkedImages(spec: ScheduledJobSpec, allowedRegistries: readonly string[]): void {
  for (const container of [...spec.initContainers, spec.container]) {
    const reference = parseImageReference(container.image);
    if (typeof reference === 'string') throw new Error(`job "${spec.name}" container "${container.name}": image ${reference}`);
    if (!allowedRegistries.includes(reference.registry))
      throw new Error(`job "${spec.name}" container "${container.name}": image registry "${reference.registry}" is not allowlisted`);
  }
}

function checkedMounts(spec: ScheduledJobSpec): void {
  const volumes = new Map(spec.volumes.map((volume) => [volume.name, volume]));
  const steps = [...spec.initContainers.map((container) => ({ container, init: true })), { container: spec.container, init: false }];
  for (const { container, init } of steps) {
    for (const mount of container.mounts) {
      const volume = volumes.get(mount.volume);
      if (!volume) throw new Error(`job "${spec.name}" container "${container.name}" mounts an undeclared volume "${mount.volume}"`);
      // Only scratch space is writable (and a claim an export step's tool insists on opening writable): secrets, config and tokens never are.
      const writable = volume.kind === 'scratch' || (volume.kind === 'claim' && volume.exportWritable && init);
      if (!mount.readOnly && !writable)
        throw new Error(`job "${spec.name}" container "${container.name}" mounts the ${volume.kind} volume "${volume.name}" writable`);
    }
  }
  if (spec.volumes.some((volume) => volume.kind === 'claim') && !spec.colocateWith)
    throw new Error(`job "${spec.name}" reads a claim but names no pods to run next to`);
}

function volume(definition: JobVolume) {
  switch (definition.kind) {
    case 'scratch':
      return { name: definition.name, emptyDir: { medium: '', sizeLimit: mebibytes(definition.sizeLimitMi) } };
    case 'secret':
      return { name: definition.name, secret: { secretName: definition.secretName, defaultMode: SECRET_FILE_MODE, optional: false } };
    case 'configMap':
      return { name: definition.name, configMap: { name: definition.configMapName, defaultMode: CONFIG_FILE_MODE, optional: false } };
    case 'claim':
      return { name: definition.name, persistentVolumeClaim: { claimName: definition.claimName, readOnly: !definition.exportWritable } };
    case 'token':
      return {
        name: definition.name,
        projected: [
          {
            defaultMode: SECRET_FILE_MODE,
            sources: [
              {
                serviceAccountToken: { audience: definition.audience, expirationSeconds: definition.expirationSeconds, path: 'token' },
              },
            ],
          },
        ],
      };
  }
}

function container(spec: ScheduledJobSpec, definition: JobContainer) {
  const { resources } = definition;
  const ephemeral = mebibytes(definition.ephemeralStorageMi);
  return {
    name: definition.name,
    image: definition.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...definition.command],
    env: [
      ...definition.env.map(({ name, value }) => ({ name, value })),
      ...definition.secretEnv.map((variable) => ({
        name: variable.name,
        valueFrom: { secretKeyRef: { name: variable.secretName, key: variable.key, optional: false } },
      })),
    ],
    securityContext: restrictedContainerSecurityContext(spec.uid, spec.gid),
    resources: {
      requests: { cpu: cpu(resources.cpuRequestMilli), memory: mebibytes(resources.memoryRequestMi), 'ephemeral-storage': ephemeral },
      limits: { cpu: cpu(resources.cpuLimitMilli), memory: mebibytes(resources.memoryLimitMi), 'ephemeral-storage': ephemeral },
    },
    volumeMount: definition.mounts.map((mount) => ({ name: mount.volume, mountPath: mount.mountPath, readOnly: mount.readOnly })),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

export class HardenedCronJob extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  /** The escape hatch to every field this construct does not set. */
  readonly resource: CronJobV1;
  readonly selector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: HardenedCronJobProps) {
    super(scope, id);
    const { spec, namespace } = props;
    checkedImages(spec, props.allowedRegistries);
    checkedMounts(spec);
    this.selector = { [LABEL_WORKLOAD]: spec.name };
    const labels = { ...props.compartmentLabels, ...this.selector, 'app.kubernetes.io/name': spec.name };
    const dependencies = props.dependsOn && props.dependsOn.length > 0 ? { dependsOn: [...props.dependsOn] } : {};
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: spec.name, namespace, labels },
      automountServiceAccountToken: false,
      ...dependencies,
    });
    this.resource = new CronJobV1(this, 'workload', {
      metadata: { name: spec.name, namespace, labels, annotations: { 'matrix.sovereign/purpose': spec.purpose, ...spec.annotations } },
      spec: {
        schedule: spec.schedule,
        timezone: CRON_TIME_ZONE,
        suspend: false,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: BACKOFF_LIMIT,
            activeDeadlineSeconds: spec.activeDeadlineSeconds,
            completions: 1,
            parallelism: 1,
            completionMode: 'NonIndexed',
            ttlSecondsAfterFinished: String(TTL_AFTER_FINISHED_SECONDS),
            template: {
              metadata: { labels, annotations: { 'matrix.sovereign/purpose': spec.purpose } },
              spec: {
                // Retried by the Job controller (backoffLimit), never restarted in place.
                ...restrictedPodSettings({
                  uid: spec.uid,
                  gid: spec.gid,
                  serviceAccountName: this.serviceAccount.metadata.name,
                  restartPolicy: 'Never',
                }),
                ...(spec.colocateWith
                  ? {
                      affinity: {
                        podAffinity: {
                          requiredDuringSchedulingIgnoredDuringExecution: [
                            { labelSelector: [{ matchLabels: { ...spec.colocateWith } }], topologyKey: 'kubernetes.io/hostname' },
                          ],
                        },
                      },
                    }
                  : {}),
                initContainer: spec.initContainers.map((step) => container(spec, step)),
                container: [container(spec, spec.container)],
                volume: spec.volumes.map(volume),
              },
            },
          },
        },
      },
      ...dependencies,
    });
  }
}
