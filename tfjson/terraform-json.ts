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
      for (const block of Array.isArray(body) ? body : [body])
        if (isObject(block)) views.push({ address: `${type}.${name}`, type, body: block });
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

const NAMESPACE_REFERENCE = /^\$\{(kubernetes_namespace(?:_v1)?)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/;

/**
 * Namespace as written; a cdktf reference to a namespace resource (`${kubernetes_namespace_v1.x.metadata[0].name}`)
 * is resolved to that namespace's name, looked up in the resource's own stack first, then in `others`.
 */
export function namespaceOf(resource: ResourceView, stack: SynthesizedStack, others: readonly SynthesizedStack[] = []): string | undefined {
  const value = metadataOf(resource).namespace;
  if (typeof value !== 'string') return undefined;
  const reference = NAMESPACE_REFERENCE.exec(value);
  if (!reference) return value;
  for (const candidate of [stack, ...others]) {
    const target = candidate.json.resource?.[reference[1] ?? '']?.[reference[2] ?? ''];
    const name = target ? block(target.metadata)?.name : undefined;
    if (typeof name === 'string') return name;
  }
  return value;
}

/** The strings of a list (anything else is left out). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}
