/**
 * A workload that keeps running and may serve connections (a Deployment or StatefulSet): it
 * needs a readiness probe, and `expose()` gives it its one Service.
 */
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { Construct } from 'constructs';
import { IN_CLUSTER, serviceConfig, servicePorts, type Exposure } from './exposure';
import type { AnyWorkloadSpec } from './hardened-pod-template';
import { HardenedWorkload, type HardenedWorkloadProps } from './hardened-workload';

/** Old ReplicaSets (or controller revisions) kept for a rollback. */
export const REVISION_HISTORY_LIMIT = 5;

export abstract class LongRunningWorkload extends HardenedWorkload {
  private exposedBy?: ServiceV1;

  protected constructor(scope: Construct, id: string, props: HardenedWorkloadProps, kind: Exclude<AnyWorkloadSpec['kind'], 'Job'>) {
    super(scope, id, props, kind);
    if (!props.spec.probe) throw new Error(`workload "${props.spec.name}": a ${kind} needs a readiness probe`);
  }

  /** The workload's Service; absent until `expose()`. */
  get service(): ServiceV1 | undefined {
    return this.exposedBy;
  }

  /**
   * Makes the workload reachable through one Service on the spec's service ports: by the
   * in-cluster peers the flow matrix allows, or, for the public entry point, from outside.
   * @param exposure who reaches it; omitted, the in-cluster peers only (IN_CLUSTER).
   */
  expose(exposure: Exposure = IN_CLUSTER): ServiceV1 {
    const { name } = this.spec;
    if (this.exposedBy) throw new Error(`workload "${name}" is already exposed; a workload has one Service`);
    const ports = servicePorts(this.spec);
    if (ports.length === 0) throw new Error(`workload "${name}" has no port with a service port: nothing to expose`);
    this.exposedBy = new ServiceV1(this, 'service', serviceConfig(this.metadata, this.selector, ports, exposure));
    return this.exposedBy;
  }
}
