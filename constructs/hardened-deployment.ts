/**
 * A hardened Deployment: replicas of the shared hardened pod, rolled one at a time with no
 * capacity lost, or recreated when it owns a volume (a ReadWriteOncePod claim cannot be held
 * by the old and the new pod at once) or is a singleton (two copies must never run at once).
 */
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { PersistentVolumeClaimV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1';
import type { Construct } from 'constructs';
import type { HardenedWorkloadProps } from './hardened-workload';
import { LongRunningWorkload, REVISION_HISTORY_LIMIT } from './long-running-workload';
import { claimName, workloadClaim } from './persistent-claim';

export interface HardenedDeploymentProps extends HardenedWorkloadProps {
  /**
   * The site's storage class for the claim of the spec's storage.
   * @default none: a spec with storage is refused
   */
  readonly storageClassName?: string;
}

export class HardenedDeployment extends LongRunningWorkload {
  readonly resource: DeploymentV1;
  /** The claim the Deployment mounts; absent when the spec has no storage. */
  readonly claim?: PersistentVolumeClaimV1;

  constructor(scope: Construct, id: string, props: HardenedDeploymentProps) {
    super(scope, id, props, 'Deployment');
    const { spec, metadata } = this;
    const claim = workloadClaim(spec, props.storageClassName);
    const persistentClaimName = claim ? claimName(spec.name, claim.storage) : undefined;
    if (claim) {
      this.claim = new PersistentVolumeClaimV1(this, 'claim', {
        metadata: { name: persistentClaimName, namespace: metadata.namespace, labels: metadata.labels },
        spec: claim.spec,
        waitUntilBound: false,
      });
    }
    this.resource = new DeploymentV1(this, 'workload', {
      metadata,
      spec: {
        replicas: String(spec.replicas),
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        selector: { matchLabels: { ...this.selector } },
        // A ReadWriteOncePod claim cannot be held by the old and the new pod at once, and a singleton
        // (one Synapse instance name, the one Redis) must never run twice, not even during a rollout.
        strategy:
          claim || spec.singletonReason
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: this.podTemplate({ restartPolicy: 'Always', persistentClaimName }),
      },
      // Readiness is observed by probes and monitoring; one slow compartment must not hold the others' state locks.
      waitForRollout: false,
      ...this.dependencies,
    });
  }
}
