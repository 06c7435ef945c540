/**
 * ResourceQuota and LimitRange of a compartment, derived from its workloads so a
 * compromised workload cannot start extra pods, claim storage or expose a Service.
 */
import { ephemeralStorageMi } from './ephemeral-storage';
import { cpu, mebibytes, type ComputeResources } from './quantities';
import type { WorkloadSpec } from './workload-spec';

/** What a quota counts of a workload (a WorkloadSpec, or a pod a third-party chart runs). */
export interface QuotaInput {
  readonly replicas: number;
  readonly resources: ComputeResources;
  readonly storage?: { readonly sizeGi: number };
  /**
   * Local disk one pod declares (request and limit alike, its containers together).
   * @default undeclared: the limit range's default for each of `containers`
   */
  readonly ephemeralStorageMi?: number;
  /**
   * Containers of a pod whose ephemeral storage is undeclared (each gets the limit range's default).
   * @default 1
   */
  readonly containers?: number;
}

export interface QuotaModel {
  readonly hard: Readonly<Record<string, string>>;
}

interface ContainerQuantities {
  readonly cpu: string;
  readonly memory: string;
  readonly 'ephemeral-storage': string;
}

export interface LimitRangeModel {
  readonly container: {
    readonly defaultLimit: ContainerQuantities;
    readonly defaultRequest: ContainerQuantities;
    readonly max: ContainerQuantities;
  };
  readonly persistentVolumeClaimMaxStorage: string;
}

/** Room for one extra pod of each workload during a rolling update. */
const ROLLOUT_FACTOR = 2;
/**
 * Local disk of a chart's or operator's container: the charts' values and the database Cluster
 * declare exactly this, and the limit range gives it to any container that declares nothing, so
 * the quota counts every such container at this size either way.
 */
export const PLATFORM_CONTAINER_EPHEMERAL_STORAGE = { requestMi: 256, limitMi: 512 } as const;

/** Applied to containers that declare nothing (there should be none of this project's: RES-01 and RES-03 fail them). */
const FALLBACK = {
  cpuMilli: 100,
  memoryMi: 128,
  ephemeralRequestMi: PLATFORM_CONTAINER_EPHEMERAL_STORAGE.requestMi,
  ephemeralLimitMi: PLATFORM_CONTAINER_EPHEMERAL_STORAGE.limitMi,
};

/** A workload spec as the quota counts it: its pods' local disk from its scratch directories. */
export function workloadQuota(spec: Pick<WorkloadSpec, 'replicas' | 'resources' | 'storage' | 'writablePaths' | 'tlsFront'>): QuotaInput {
  const front = spec.tlsFront?.resources;
  return {
    replicas: spec.replicas,
    // A TLS front is a second container of every pod.
    resources: front
      ? {
          cpuRequestMilli: spec.resources.cpuRequestMilli + front.cpuRequestMilli,
          cpuLimitMilli: spec.resources.cpuLimitMilli + front.cpuLimitMilli,
          memoryRequestMi: spec.resources.memoryRequestMi + front.memoryRequestMi,
          memoryLimitMi: spec.resources.memoryLimitMi + front.memoryLimitMi,
        }
      : spec.resources,
    ...(spec.storage ? { storage: spec.storage } : {}),
    ephemeralStorageMi: ephemeralStorageMi(spec.writablePaths) + (spec.tlsFront ? ephemeralStorageMi([]) : 0),
  };
}

/** Local disk one pod of the workload may request and use. */
function podEphemeralMi(workload: QuotaInput): { request: number; limit: number } {
  if (workload.ephemeralStorageMi !== undefined) return { request: workload.ephemeralStorageMi, limit: workload.ephemeralStorageMi };
  const containers = workload.containers ?? 1;
  return { request: FALLBACK.ephemeralRequestMi * containers, limit: FALLBACK.ephemeralLimitMi * containers };
}

export interface ExposureAllowance {
  readonly loadBalancers: number;
  readonly nodePorts: number;
  /** Services the compartment may have; default one per workload (workloadServices counts them exactly). */
  readonly services?: number;
}

export function deriveQuota(workloads: readonly QuotaInput[], exposure: ExposureAllowance): QuotaModel {
  const sum = (pick: (workload: QuotaInput) => number) =>
    workloads.reduce((total, workload) => total + pick(workload) * workload.replicas, 0);
  const claims = workloads.filter((workload) => workload.storage);
  const storageGi = claims.reduce((total, workload) => total + (workload.storage?.sizeGi ?? 0) * workload.replicas, 0);
  return {
    hard: {
      pods: String(sum(() => 1) * ROLLOUT_FACTOR),
      'requests.cpu': cpu(sum((w) => w.resources.cpuRequestMilli) * ROLLOUT_FACTOR),
      'limits.cpu': cpu(sum((w) => w.resources.cpuLimitMilli) * ROLLOUT_FACTOR),
      'requests.memory': mebibytes(sum((w) => w.resources.memoryRequestMi) * ROLLOUT_FACTOR),
      'limits.memory': mebibytes(sum((w) => w.resources.memoryLimitMi) * ROLLOUT_FACTOR),
      'requests.ephemeral-storage': mebibytes(sum((w) => podEphemeralMi(w).request) * ROLLOUT_FACTOR),
      'limits.ephemeral-storage': mebibytes(sum((w) => podEphemeralMi(w).limit) * ROLLOUT_FACTOR),
      persistentvolumeclaims: String(claims.reduce((total, workload) => total + workload.replicas, 0)),
      'requests.storage': `${storageGi}Gi`,
      services: String(exposure.services ?? workloads.length),
      'services.loadbalancers': String(exposure.loadBalancers),
      'services.nodeports': String(exposure.nodePorts),
    },
  };
}

export function deriveLimitRange(workloads: readonly QuotaInput[]): LimitRangeModel {
  const maxCpu = Math.max(FALLBACK.cpuMilli, ...workloads.map((w) => w.resources.cpuLimitMilli));
  const maxMemory = Math.max(FALLBACK.memoryMi, ...workloads.map((w) => w.resources.memoryLimitMi));
  const maxEphemeral = Math.max(FALLBACK.ephemeralLimitMi, ...workloads.map((w) => w.ephemeralStorageMi ?? 0));
  const maxStorageGi = Math.max(1, ...workloads.map((w) => w.storage?.sizeGi ?? 0));
  return {
    container: {
      defaultLimit: {
        cpu: cpu(FALLBACK.cpuMilli),
        memory: mebibytes(FALLBACK.memoryMi),
        'ephemeral-storage': mebibytes(FALLBACK.ephemeralLimitMi),
      },
      defaultRequest: {
        cpu: cpu(FALLBACK.cpuMilli / 2),
        memory: mebibytes(FALLBACK.memoryMi / 2),
        'ephemeral-storage': mebibytes(FALLBACK.ephemeralRequestMi),
      },
      max: { cpu: cpu(maxCpu), memory: mebibytes(maxMemory), 'ephemeral-storage': mebibytes(maxEphemeral) },
    },
    persistentVolumeClaimMaxStorage: `${maxStorageGi}Gi`,
  };
}

/** The Services of long-running workloads: each one's own (expose()), a StatefulSet's headless governing Service, the SFU's media load balancer. */
export function workloadServices(workloads: readonly Pick<WorkloadSpec, 'kind' | 'mediaEntryPoint'>[]): number {
  return workloads.reduce(
    (total, workload) => total + (workload.kind === 'StatefulSet' ? 2 : 1) + (workload.mediaEntryPoint?.length ? 1 : 0),
    0,
  );
}
