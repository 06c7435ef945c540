/**
 * What keeps a workload available, as written: the long-running controllers (Deployments and
 * StatefulSets) with their replicas, selector, pods' labels, storage and singleton reason; the
 * PodDisruptionBudgets and the Services of each namespace with their selectors. Nothing is
 * inferred: an unset replica count is reported as unset.
 */
import { SINGLETON_ANNOTATION } from '../model/availability';
import { integerOf } from './fields';
import { selectorOf, selects, type LabelSelector, type Labels } from './label-selectors';
import { podLabelsOf, podSpecs, type PodSpecView } from './pod-specs';
import { DEPLOYMENT_TYPES, POD_DISRUPTION_BUDGET_TYPES, SERVICE_TYPES, STATEFUL_SET_TYPES } from './resource-types';
import { block, blocks, metadataOf, namespaceOf, resources, stringMap, type ResourceView, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface ControllerView {
  readonly view: PodSpecView;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string | undefined;
  /** As written; undefined when unset or not a whole number. */
  readonly replicas: number | undefined;
  readonly selector: LabelSelector | undefined;
  readonly podLabels: Labels;
  /** A claim mounted by the pods or stamped from a claim template: state one pod owns. */
  readonly hasStorage: boolean;
  /** The controller's `matrix.sovereign/singleton` annotation, if written. */
  readonly singletonReason: string | undefined;
}

/** Every Deployment and StatefulSet of the stack. */
export const longRunningControllers = cachedView(
  'stack',
  function longRunningControllers(stack: SynthesizedStack): readonly ControllerView[] {
    return podSpecs(stack).flatMap((view): ControllerView[] => {
      const kind = DEPLOYMENT_TYPES.includes(view.resource.type)
        ? 'Deployment'
        : STATEFUL_SET_TYPES.includes(view.resource.type)
          ? 'StatefulSet'
          : undefined;
      if (!kind) return [];
      const spec = block(view.resource.body.spec);
      const claims = blocks(view.podSpec.volume).some((volume) => block(volume.persistent_volume_claim) !== undefined);
      return [
        {
          view,
          kind,
          namespace: namespaceOf(view.resource, stack),
          replicas: integerOf(spec?.replicas),
          selector: selectorOf(spec?.selector),
          podLabels: podLabelsOf(view.resource),
          hasStorage: claims || blocks(spec?.volume_claim_template).length > 0,
          singletonReason: stringMap(metadataOf(view.resource).annotations)[SINGLETON_ANNOTATION],
        },
      ];
    });
  },
);

export interface SelectingObject {
  readonly resource: ResourceView;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly selector: LabelSelector | undefined;
}

export interface DisruptionBudgetView extends SelectingObject {
  readonly maxUnavailable: string | undefined;
  readonly minAvailable: string | undefined;
}

function quantity(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function selecting(resource: ResourceView, stack: SynthesizedStack, selector: LabelSelector | undefined): SelectingObject {
  const name = metadataOf(resource).name;
  return { resource, namespace: namespaceOf(resource, stack), name: typeof name === 'string' ? name : undefined, selector };
}

export function disruptionBudgets(stack: SynthesizedStack): DisruptionBudgetView[] {
  return resources(stack, ...POD_DISRUPTION_BUDGET_TYPES).map((resource) => {
    const spec = block(resource.body.spec);
    return {
      ...selecting(resource, stack, selectorOf(spec?.selector)),
      maxUnavailable: quantity(spec?.max_unavailable),
      minAvailable: quantity(spec?.min_available),
    };
  });
}

export interface ServiceView extends SelectingObject {
  /** `None` for a headless Service. */
  readonly clusterIp: string | undefined;
}

/** Typed Services; a Service's selector is a plain label map (no expressions). */
export function services(stack: SynthesizedStack): ServiceView[] {
  return resources(stack, ...SERVICE_TYPES).map((resource) => {
    const spec = block(resource.body.spec);
    const labels = stringMap(spec?.selector);
    const selector = Object.keys(labels).length > 0 ? { matchLabels: labels, requirements: [] } : undefined;
    const clusterIp = spec?.cluster_ip;
    return { ...selecting(resource, stack, selector), clusterIp: typeof clusterIp === 'string' ? clusterIp : undefined };
  });
}

/** Whether an object in the controller's namespace selects its pods (an absent selector selects nothing here). */
export function selectsPodsOf(object: SelectingObject, controller: ControllerView): boolean {
  return object.namespace === controller.namespace && object.selector !== undefined && selects(object.selector, controller.podLabels);
}
