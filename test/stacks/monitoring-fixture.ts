/** The monitoring objects of a synthesized deployment, shared by the pure and the real-tool monitoring tests. */
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { resources, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { KubeObject } from '../support/kube-tools';
import { sharedSynthesis, type SharedDeployment } from '../support/shared-synthesis';

/** The stacks of the run's shared synthesis of `deployment`. */
export function synthesize(deployment: SharedDeployment): SynthesizedStack[] {
  return readSynthesizedStacks(sharedSynthesis(deployment));
}

/** Every Prometheus Operator object (PodMonitor, PrometheusRule) with the stack that holds it. */
export const monitoringObjects = (stacks: readonly SynthesizedStack[]): { stack: string; object: KubeObject }[] =>
  stacks
    .flatMap((stack) =>
      resources(stack, 'kubernetes_manifest').map((resource) => ({
        stack: stack.name,
        object: resource.body.manifest as unknown as KubeObject,
      })),
    )
    .filter(({ object }) => object.apiVersion === 'monitoring.coreos.com/v1');
