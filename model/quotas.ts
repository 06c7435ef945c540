/**
 * ResourceQuota and LimitRange of a compartment, derived from its workloads so a
 * compromised workload cannot start extra pods, claim storage or expose a Service.
 */
import { cpu, mebibytes, type ComputeResources } from './quantities';

/** What a quota counts of a workload (a WorkloadSpec, or a pod a third-party chart runs). */
export interface QuotaInput {
  readonly replicas: number;
  readonly resources: ComputeResources;
  readonly storage?: { readonly sizeGi: number };
}

export interface QuotaModel {
  readonly hard: Readonly<Record<string, string>>;
}

export interface LimitRangeModel {
  readonly container: {
    readonly defaultLimit: { readonly cpu: string; readonly memory: string };
    readonly defaultRequest: { readonly cpu: string; readonly memory: string };
    readonly max: { readonly cpu: string; readonly memory: string };
  };
  readonly persistentVolumeClaimMaxStorage: string;
}

/** Room for one extra pod of each workload during a rolling update. */
const ROLLOUT_FACTOR = 2;
/** Applied to containers that declare nothing (there should be none: RES-01 fails them). */
const FALLBACK = { cpuMilli: 100, memoryMi: 128 };

export interface ExposureAllowance {
  readonly loadBalancers: number;
  readonly nodePorts: number;
  /** Services the compartment may have; default one per workload. */
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
  const maxStorageGi = Math.max(1, ...workloads.map((w) => w.storage?.sizeGi ?? 0));
  return {
    container: {
      defaultLimit: { cpu: cpu(FALLBACK.cpuMilli), memory: mebibytes(FALLBACK.memoryMi) },
      defaultRequest: { cpu: cpu(FALLBACK.cpuMilli / 2), memory: mebibytes(FALLBACK.memoryMi / 2) },
      max: { cpu: cpu(maxCpu), memory: mebibytes(maxMemory) },
    },
    persistentVolumeClaimMaxStorage: `${maxStorageGi}Gi`,
  };
}
