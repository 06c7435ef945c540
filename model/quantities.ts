/** CPU in millicores and memory/storage in MiB, kept numeric so quotas can be summed. */

export interface ComputeResources {
  readonly cpuRequestMilli: number;
  readonly cpuLimitMilli: number;
  readonly memoryRequestMi: number;
  readonly memoryLimitMi: number;
}

export function cpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function mebibytes(mi: number): string {
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}
