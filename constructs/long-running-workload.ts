/**
 * A workload that keeps running and may serve connections (a Deployment or StatefulSet): it
 * needs a readiness probe, has a disruption budget so a node drain takes at most one of its
 * pods at a time, and `expose()` gives it its one Service.
 */
import type { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { Construct } from 'constructs';
import { disruptionBudget } from './disruption-budget';
import { IN_CLUSTER, mediaEntryPorts, serviceConfig, servicePorts, type Exposure } from './exposure';
import type { AnyWorkloadSpec } from './hardened-pod-template';
import { HardenedWorkload, type HardenedWorkloadProps, type WorkloadMetadata } from './hardened-workload';

/** Old ReplicaSets (or controller revisions) kept for a rollback. */
export const REVISION_HISTORY_LIMIT = 5;

export abstract class LongRunningWorkload extends HardenedWorkload {
  /** Voluntary disruptions (evictions by a drain) take at most one pod at a time (model/availability.ts). */
  readonly disruptionBudget: PodDisruptionBudgetV1;
  private exposedBy?: ServiceV1;

  protected constructor(scope: Construct, id: string, props: HardenedWorkloadProps, kind: Exclude<AnyWorkloadSpec['kind'], 'Job'>) {
    super(scope, id, props, kind);
    if (!props.spec.probe) throw new Error(`workload "${props.spec.name}": a ${kind} needs a readiness probe`);
    this.disruptionBudget = disruptionBudget(this, 'disruption-budget', {
      metadata: this.objectMetadata(this.metadata.name),
      podLabels: this.selector,
    });
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
    this.exposedBy = new ServiceV1(this, 'service', serviceConfig(this.objectMetadata(name), this.selector, ports, exposure));
    return this.exposedBy;
  }

  /**
   * Publishes the spec's media ports (UDP and TCP) through the workload's own load balancer,
   * `<name>-media`, from the given client ranges: media cannot pass the HTTP gateway.
   */
  exposeMedia(exposure: Extract<Exposure, { reachableFrom: 'outside' }>): ServiceV1 {
    const { name } = this.spec;
    const ports = mediaEntryPorts(this.spec);
    if (ports.length === 0) throw new Error(`workload "${name}" has no media port to publish`);
    return new ServiceV1(this, 'media-service', serviceConfig(this.objectMetadata(`${name}-media`), this.selector, ports, exposure));
  }

  /** Metadata of an object beside the controller: its labels and purpose (the singleton reason stays on the controller). */
  protected objectMetadata(name: string): WorkloadMetadata {
    const { namespace, labels, annotations } = this.metadata;
    return { name, namespace, labels, annotations: { 'matrix.sovereign/purpose': annotations['matrix.sovereign/purpose'] ?? '' } };
  }
}
