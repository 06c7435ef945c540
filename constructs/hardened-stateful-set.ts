/**
 * A hardened StatefulSet: pods with a stable identity, started in order, each with its own
 * claim stamped from the shared claim spec and kept when the set is deleted or scaled down.
 * Its governing Service is a headless one of its own, which gives each pod its DNS name.
 */
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
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

/** The governing Service of a StatefulSet: `<workload>-pods`. */
export function headlessServiceName(workloadName: string): string {
  return `${workloadName}-pods`;
}

export class HardenedStatefulSet extends LongRunningWorkload {
  readonly resource: StatefulSetV1;
  /** The headless governing Service: DNS names for ready pods, no address and no port of its own. */
  readonly headlessService: ServiceV1;

  constructor(scope: Construct, id: string, props: HardenedStatefulSetProps) {
    super(scope, id, props, 'StatefulSet');
    const { spec, metadata } = this;
    const claim = workloadClaim(spec, props.storageClassName);
    // No port: it routes nothing (clients use the Service expose() creates); the network
    // policies, which select pods, decide every flow either way.
    this.headlessService = new ServiceV1(this, 'headless-service', {
      metadata: this.objectMetadata(headlessServiceName(spec.name)),
      spec: {
        type: 'ClusterIP',
        clusterIp: 'None',
        selector: { ...this.selector },
        publishNotReadyAddresses: false,
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
      },
      waitForLoadBalancer: false,
    });
    this.resource = new StatefulSetV1(this, 'workload', {
      metadata,
      spec: {
        serviceName: headlessServiceName(spec.name),
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
