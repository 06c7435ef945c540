/**
 * A scheduled job as plain data: a pod whose steps may run different images (an export from the
 * store's own image, then an upload), each with its own environment and mounts, run by a
 * Kubernetes CronJob. Every container runs as the same non-root user, with the same hardening
 * as every other workload (constructs/hardened-cron-job.ts writes it); what differs per
 * container is only what it runs and what it sees.
 */
import type { CompartmentKind } from './compartments';
import type { ComputeResources } from './quantities';
import type { QuotaInput } from './quotas';

/** A plain environment value (never a secret: SEC-05). */
export interface JobEnvValue {
  readonly name: string;
  readonly value: string;
}

/** An environment value read from a key of a delivered Secret (secretKeyRef), never written into the spec. */
export interface JobSecretEnv {
  readonly name: string;
  readonly secretName: string;
  readonly key: string;
}

export interface JobMount {
  readonly volume: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

export type JobVolume =
  /** A size-limited emptyDir (staging, scratch). */
  | { readonly kind: 'scratch'; readonly name: string; readonly sizeLimitMi: number }
  /** A delivered Secret, as files. */
  | { readonly kind: 'secret'; readonly name: string; readonly secretName: string }
  /** A ConfigMap, as files (the store's own rendered configuration, the CA bundle). */
  | { readonly kind: 'configMap'; readonly name: string; readonly configMapName: string }
  /**
   * Another workload's claim (the job runs on that workload's node). `exportWritable`: an
   * export step (an init container) must mount it writable although it only reads, because its
   * tool refuses a read-only directory (slapcat: back-mdb probes the directory by creating a
   * file; it opens the database read-only and leaves data.mdb untouched). The job's main
   * container never mounts a claim writable.
   */
  | { readonly kind: 'claim'; readonly name: string; readonly claimName: string; readonly exportWritable: boolean }
  /** A short-lived, audience-bound service account token as the file `token`. */
  | { readonly kind: 'token'; readonly name: string; readonly audience: string; readonly expirationSeconds: number };

export interface JobContainer {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly env: readonly JobEnvValue[];
  readonly secretEnv: readonly JobSecretEnv[];
  readonly mounts: readonly JobMount[];
  readonly resources: ComputeResources;
  /** Local disk the container may use (its logs and writable layer; the staging emptyDir counts against the pod's sum). */
  readonly ephemeralStorageMi: number;
}

export interface ScheduledJobSpec {
  readonly name: string;
  readonly compartment: CompartmentKind;
  readonly purpose: string;
  /** Five cron fields, evaluated in UTC (the CronJob's time zone is written explicitly). */
  readonly schedule: string;
  /** Non-zero user and group every container runs as. */
  readonly uid: number;
  readonly gid: number;
  /** Run in order before `container`; each must succeed. */
  readonly initContainers: readonly JobContainer[];
  readonly container: JobContainer;
  readonly volumes: readonly JobVolume[];
  /** The pods (by labels, in the job's namespace) the job must run next to: their claim is mounted on that node only. */
  readonly colocateWith?: Readonly<Record<string, string>>;
  /** The longest a run may take before it is stopped. */
  readonly activeDeadlineSeconds: number;
  /** Annotations on the CronJob saying what it keeps and where (read by rules and reviewers). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** A run's pod counts as its largest step against the quota (init containers run one at a time, before the main one); its local disk too. */
export function scheduledJobQuota(spec: ScheduledJobSpec): QuotaInput {
  const steps = [...spec.initContainers, spec.container].map((container) => container.resources);
  const largest = (pick: (resources: ComputeResources) => number) => Math.max(...steps.map(pick));
  return {
    replicas: 1,
    resources: {
      cpuRequestMilli: largest((r) => r.cpuRequestMilli),
      cpuLimitMilli: largest((r) => r.cpuLimitMilli),
      memoryRequestMi: largest((r) => r.memoryRequestMi),
      memoryLimitMi: largest((r) => r.memoryLimitMi),
    },
    ephemeralStorageMi: Math.max(...[...spec.initContainers, spec.container].map((container) => container.ephemeralStorageMi)),
  };
}
