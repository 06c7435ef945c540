/**
 * The one claim spec every workload volume uses, whether a Deployment owns the claim or a
 * StatefulSet stamps it from a template: mountable by a single pod at a time (or, for a volume
 * its backup job reads, by the pods of a single node: the owner and the job, read-only), on the
 * site's (encrypted, retaining) storage class, sized by the workload spec.
 */
import type { PersistentVolumeClaimV1Spec } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1';
import { storageClaimName, type PersistentStorage } from '../model/workload-spec';
import type { AnyWorkloadSpec } from './hardened-pod-template';

/** One pod at a time: two writers on one volume would corrupt it. */
export const CLAIM_ACCESS_MODE = 'ReadWriteOncePod';
/** One node at a time: the owner writes, its backup job reads it (read-only, on the same node). */
export const BACKED_UP_CLAIM_ACCESS_MODE = 'ReadWriteOnce';

export function claimSpec(storage: PersistentStorage, storageClassName: string): PersistentVolumeClaimV1Spec {
  return {
    accessModes: [storage.backedUpBy === undefined ? CLAIM_ACCESS_MODE : BACKED_UP_CLAIM_ACCESS_MODE],
    storageClassName,
    resources: { requests: { storage: `${storage.sizeGi}Gi` } },
  };
}

/** The name of a claim a workload owns directly (a StatefulSet's claims are named by its controller). */
export function claimName(workloadName: string, storage: PersistentStorage): string {
  return storageClaimName({ name: workloadName, kind: 'Deployment', storage }) ?? '';
}

export interface WorkloadClaim {
  readonly storage: PersistentStorage;
  readonly spec: PersistentVolumeClaimV1Spec;
}

/** The claim of a workload's storage, if it has any; storage without a storage class is refused. */
export function workloadClaim(spec: AnyWorkloadSpec, storageClassName: string | undefined): WorkloadClaim | undefined {
  if (!spec.storage) return undefined;
  if (storageClassName === undefined) throw new Error(`workload "${spec.name}" has storage but no storage class was given`);
  return { storage: spec.storage, spec: claimSpec(spec.storage, storageClassName) };
}
