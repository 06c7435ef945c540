/**
 * The node-local disk a workload's pod may use: its disk-backed scratch directories plus a
 * margin for container logs and writable layers. Memory-backed scratch counts against the
 * container's memory limit instead, which must hold it.
 */
import type { WritablePath } from './workload-spec';

/** Container logs the kubelet keeps before rotating (5 files of 10 MiB by default), and a little more. */
export const LOG_MARGIN_MI = 64;

/** Disk-backed (non-Memory) scratch directories, summed. */
export function diskScratchMi(paths: readonly WritablePath[]): number {
  return paths.filter((path) => path.medium !== 'Memory').reduce((total, path) => total + path.sizeLimitMi, 0);
}

/** Memory-backed scratch directories, summed: they are part of the memory a container uses. */
export function memoryScratchMi(paths: readonly WritablePath[]): number {
  return paths.filter((path) => path.medium === 'Memory').reduce((total, path) => total + path.sizeLimitMi, 0);
}

/**
 * Request and limit of each container of the pod (init steps included). The kubelet evicts a pod
 * whose scratch directories and containers together exceed the sum of its containers' limits, so
 * the one main container's limit covers every directory; an init step runs alone before it.
 */
export function ephemeralStorageMi(paths: readonly WritablePath[]): number {
  return diskScratchMi(paths) + LOG_MARGIN_MI;
}

/** Refuses memory-backed scratch that the memory limit could not hold beside the process itself. */
export function assertMemoryHoldsScratch(spec: {
  readonly name: string;
  readonly writablePaths: readonly WritablePath[];
  readonly resources: { readonly memoryLimitMi: number };
}): void {
  const scratch = memoryScratchMi(spec.writablePaths);
  if (scratch * 2 > spec.resources.memoryLimitMi)
    throw new Error(
      `workload "${spec.name}": ${scratch}Mi of memory-backed scratch is more than half its ${spec.resources.memoryLimitMi}Mi memory limit`,
    );
}
