/**
 * A PodDisruptionBudget that lets voluntary disruptions (a node drain, an upgrade) take at most
 * one of the selected pods at a time (model/availability.ts says why one, whatever the count).
 * Our workloads get one from LongRunningWorkload; the platform stack gives one to each chart's
 * replicated pods.
 */
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import type { Construct } from 'constructs';
import { MAX_UNAVAILABLE } from '../model/availability';

export interface DisruptionBudgetProps {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** Labels selecting exactly the pods it protects. */
  readonly podLabels: Readonly<Record<string, string>>;
}

export function disruptionBudget(scope: Construct, id: string, props: DisruptionBudgetProps): PodDisruptionBudgetV1 {
  const { name, namespace, labels, annotations } = props.metadata;
  return new PodDisruptionBudgetV1(scope, id, {
    metadata: { name, namespace, labels: { ...labels }, ...(annotations ? { annotations: { ...annotations } } : {}) },
    spec: { maxUnavailable: String(MAX_UNAVAILABLE), selector: { matchLabels: { ...props.podLabels } } },
  });
}
