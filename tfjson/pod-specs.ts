/**
 * The pods the typed workload resources create: each controller's pod spec (pods, deployments,
 * stateful sets, daemon sets, jobs, cron jobs), its containers, the labels its pods carry, and
 * their security contexts as written (nothing inferred).
 */
import { POD_CONTROLLER_TYPES } from './resource-types';
import { block, blocks, resources, stringMap, type JsonObject, type ResourceView, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface PodSpecView {
  readonly resource: ResourceView;
  readonly podSpec: JsonObject;
  /** Containers, then init containers. */
  readonly containers: JsonObject[];
}

/** The pod template of a controller (a bare pod is its own template). */
function podTemplate(resource: ResourceView): JsonObject | undefined {
  const spec = block(resource.body.spec);
  if (resource.type.startsWith('kubernetes_pod')) return resource.body;
  if (resource.type.startsWith('kubernetes_cron_job')) return block(block(block(spec?.job_template)?.spec)?.template);
  return block(spec?.template);
}

/** The pod spec of every controller of the stack. */
export const podSpecs = cachedView('stack', function podSpecs(stack: SynthesizedStack): readonly PodSpecView[] {
  return resources(stack, ...POD_CONTROLLER_TYPES).map((resource) => {
    const podSpec = block(podTemplate(resource)?.spec) ?? {};
    return { resource, podSpec, containers: [...blocks(podSpec.container), ...blocks(podSpec.init_container)] };
  });
});

/** The labels of the pods a controller creates (its template's; a bare pod's own). */
export function podLabelsOf(resource: ResourceView): Record<string, string> {
  return stringMap(block(podTemplate(resource)?.metadata)?.labels);
}

/** How findings name a container: `<resource address> container "<name>"`. */
export function containerAddress(view: PodSpecView, container: JsonObject): string {
  return `${view.resource.address} container "${String(container.name ?? '?')}"`;
}

export function podSecurityContext(view: PodSpecView): JsonObject {
  return block(view.podSpec.security_context) ?? {};
}

export function containerSecurityContext(container: JsonObject): JsonObject {
  return block(container.security_context) ?? {};
}

export function seccompType(context: JsonObject): unknown {
  return block(context.seccomp_profile)?.type;
}

export function capabilities(context: JsonObject): { drop: unknown[]; add: unknown[] } {
  const caps = block(context.capabilities);
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  return { drop: list(caps?.drop), add: list(caps?.add) };
}
