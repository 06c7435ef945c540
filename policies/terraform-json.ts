/**
 * Read-only views over synthesized Terraform JSON (`cdk.tf.json`), independent of cdktf:
 * the same functions work on any Terraform JSON configuration. Nested blocks may be
 * written as an object or as a list of objects; both are accepted.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface TerraformJson {
  readonly terraform?: JsonObject;
  readonly provider?: JsonObject;
  readonly resource?: Record<string, Record<string, JsonObject>>;
  readonly [key: string]: unknown;
}

export interface SynthesizedStack {
  readonly name: string;
  readonly json: TerraformJson;
  /** The file it was read from, when it was read from one. */
  readonly source?: string;
}

export interface ResourceView {
  /** Terraform address, e.g. kubernetes_namespace_v1.compartment_namespace_1234. */
  readonly address: string;
  readonly type: string;
  readonly body: JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value under nested keys, or undefined where the path leaves the objects. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The value at a dotted path (`password_config.localdb_enabled`, `server.standalone.config`). */
export function valueAt(value: unknown, path: string): JsonValue | undefined {
  return at(value, ...path.split('.')) as JsonValue | undefined;
}

/** A nested block as a list, whichever way it was written. */
export function blocks(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** The first (single) nested block, or undefined. */
export function block(value: unknown): JsonObject | undefined {
  return blocks(value)[0];
}

/**
 * Every resource block (of the given types). A body written as a list of objects (JSON syntax for
 * repeated blocks) gives one view per object; a body that is no object is not a resource block
 * (Terraform refuses it) and gives none.
 */
export function resources(stack: SynthesizedStack, ...types: string[]): ResourceView[] {
  const views: ResourceView[] = [];
  const all: unknown = stack.json.resource;
  if (!isObject(all)) return views;
  for (const [type, byName] of Object.entries(all)) {
    if ((types.length > 0 && !types.includes(type)) || !isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      for (const block of Array.isArray(body) ? body : [body]) if (isObject(block)) views.push({ address: `${type}.${name}`, type, body: block });
    }
  }
  return views;
}

export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isObject(value)) return result;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') result[key] = entry;
  return result;
}

export function metadataOf(resource: ResourceView): JsonObject {
  return block(resource.body.metadata) ?? {};
}

/** Namespace as written; cdktf references (`${...}`) are resolved to the referenced namespace name when possible. */
export function namespaceOf(resource: ResourceView, stack: SynthesizedStack): string | undefined {
  const value = metadataOf(resource).namespace;
  if (typeof value !== 'string') return undefined;
  const reference = /^\$\{(kubernetes_namespace(?:_v1)?)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/.exec(value);
  if (!reference) return value;
  const target = stack.json.resource?.[reference[1] ?? '']?.[reference[2] ?? ''];
  const name = target ? block(target.metadata)?.name : undefined;
  return typeof name === 'string' ? name : value;
}

/** Workload kinds whose pod template the POD rules inspect. */
export const POD_CONTROLLER_TYPES = [
  'kubernetes_deployment_v1',
  'kubernetes_stateful_set_v1',
  'kubernetes_daemon_set_v1',
  'kubernetes_daemonset',
  'kubernetes_deployment',
  'kubernetes_stateful_set',
  'kubernetes_job_v1',
  'kubernetes_job',
  'kubernetes_cron_job_v1',
  'kubernetes_cron_job',
  'kubernetes_pod_v1',
  'kubernetes_pod',
] as const;

export interface PodSpecView {
  readonly resource: ResourceView;
  readonly podSpec: JsonObject;
  readonly containers: JsonObject[];
}

/** The pod spec of any controller (pods, deployments, stateful sets, jobs, cron jobs). */
export function podSpecs(stack: SynthesizedStack): PodSpecView[] {
  const views: PodSpecView[] = [];
  for (const resource of resources(stack, ...POD_CONTROLLER_TYPES)) {
    let podSpec: JsonObject | undefined;
    const spec = block(resource.body.spec);
    if (resource.type.startsWith('kubernetes_pod')) podSpec = spec;
    else if (resource.type.startsWith('kubernetes_cron_job')) {
      const jobSpec = block(block(block(spec?.job_template)?.spec)?.template);
      podSpec = block(jobSpec?.spec);
    } else podSpec = block(block(spec?.template)?.spec);
    const found = podSpec ?? {};
    views.push({ resource, podSpec: found, containers: [...blocks(found.container), ...blocks(found.init_container)] });
  }
  return views;
}
