/**
 * A hardened StatefulSet: pods with a stable identity, started in order, each with its own
 * claim stamped from the shared claim spec and kept when the set is deleted or scaled down.
 */
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { Construct } from 'constructs';
import type { HardenedWorkloadProps } from './hardened-workload';
import { LongRunningWorkload, REVISION_HISTORY_LIMIT } from './long-running-workload';
import { workloadClaim } from './persistent-claim';

export interface HardenedStatefulSetProps extends HardenedWorkloadProps {
  /**
   * The site's storage class for the claims of the spec's storage.
   * @default none: a spec with storage is refused
   */
  readonly storageClassName?: string;
}

export class HardenedStatefulSet extends LongRunningWorkload {
  readonly resource: StatefulSetV1;

  constructor(scope: Construct, id: string, props: HardenedStatefulSetProps) {
    super(scope, id, props, 'StatefulSet');
    const { spec, metadata } = this;
    const claim = workloadClaim(spec, props.storageClassName);
    this.resource = new StatefulSetV1(this, 'workload', {
      metadata,
      spec: {
        // The governing Service is the one expose() creates: it carries the workload's name.
        serviceName: spec.name,
        replicas: String(spec.replicas),
        podManagementPolicy: 'OrderedReady',
        revisionHistoryLimit: REVISION_HISTORY_LIMIT,
        selector: { matchLabels: { ...this.selector } },
        template: this.podTemplate({ restartPolicy: 'Always' }),
        updateStrategy: [{ type: 'RollingUpdate' }],
        persistentVolumeClaimRetentionPolicy: [{ whenDeleted: 'Retain', whenScaled: 'Retain' }],
        volumeClaimTemplate: claim ? [{ metadata: { name: claim.storage.name, labels: metadata.labels }, spec: claim.spec }] : [],
      },
      waitForRollout: false,
      ...this.dependencies,
    });
  }
}
