/** Shared lookups for the POD rules: security contexts as written, nothing inferred. */
import { block, blocks, type JsonObject, type PodSpecView } from '../../terraform-json';

export function podSecurityContext(view: PodSpecView): JsonObject {
  return block(view.podSpec.security_context) ?? {};
}

export function containerSecurityContext(container: JsonObject): JsonObject {
  return block(container.security_context) ?? {};
}

export function containerLabel(view: PodSpecView, container: JsonObject): string {
  return `${view.resource.address} container "${String(container.name ?? '?')}"`;
}

export function seccompType(context: JsonObject): unknown {
  return block(context.seccomp_profile)?.type;
}

export function capabilities(context: JsonObject): { drop: unknown[]; add: unknown[] } {
  const caps = block(context.capabilities);
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  return { drop: list(caps?.drop), add: list(caps?.add) };
}

export { blocks };
