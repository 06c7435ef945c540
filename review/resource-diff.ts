/**
 * Resources added, changed and removed between two synthesized deployments, by stack and
 * Terraform address, with the fields that changed and whether the change would replace the
 * resource. cdktf's `//` comment block (construct paths, suppressions) is not configuration:
 * it is left out of the comparison (suppressions are reviewed on their own).
 */
import { isObject, resources, type JsonObject, type SynthesizedStack } from '../tfjson/terraform-json';
import { diffJson, type FieldChange } from './json-diff';
import { objectLabel } from './object-identity';
import { replacementFields } from './replacement';

export type ResourceAction = 'add' | 'change' | 'remove';

export interface ResourceChange {
  readonly stack: string;
  readonly address: string;
  /** `Deployment agency-gateway/haproxy`, or the address. */
  readonly label: string;
  readonly action: ResourceAction;
  /** Field changes (for `change`; empty for add/remove). */
  readonly fields: readonly FieldChange[];
  /** Changed fields that would replace the resource. */
  readonly replacedBy: readonly string[];
  /**
   * What `lifecycle.prevent_destroy` does here. `refuses`: a replacement of a resource that keeps
   * it, which the engine will refuse. `lifted`: the protection goes away with this change (the
   * resource is removed from the configuration, which takes its lifecycle block with it, or the
   * flag is dropped), so the engine will destroy the object when it is asked to. `none` otherwise.
   */
  readonly destroyGuard: DestroyGuard;
}

export type DestroyGuard = 'refuses' | 'lifted' | 'none';

export interface StackChanges {
  readonly stack: string;
  /** `added`/`removed`: the whole stack is new or gone. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly changes: readonly ResourceChange[];
}

/** The configuration of a resource, without cdktf's comment block. */
export function configurationOf(body: JsonObject): JsonObject {
  const { ['//']: _comment, ...configuration } = body;
  return configuration;
}

interface Entry {
  readonly type: string;
  readonly body: JsonObject;
  readonly label: string;
}

/** Resources and data sources of a stack by address (`data.<type>.<name>` for data sources). */
function entries(stack: SynthesizedStack | undefined): Map<string, Entry> {
  const map = new Map<string, Entry>();
  if (!stack) return map;
  for (const resource of resources(stack))
    map.set(resource.address, { type: resource.type, body: resource.body, label: objectLabel(resource, stack) });
  const data = stack.json.data;
  if (isObject(data)) {
    for (const [type, byName] of Object.entries(data)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName))
        if (isObject(body)) map.set(`data.${type}.${name}`, { type, body, label: `data.${type}.${name}` });
    }
  }
  return map;
}

const preventsDestroy = (body: JsonObject) => isObject(body.lifecycle) && body.lifecycle.prevent_destroy === true;

/** Terraform checks prevent_destroy in the configuration being applied: the head's, not the base's. */
function destroyGuard(was: JsonObject, is: JsonObject | undefined, replaced: boolean): DestroyGuard {
  if (!preventsDestroy(was)) return 'none';
  if (!is || !preventsDestroy(is)) return 'lifted';
  return replaced ? 'refuses' : 'none';
}

function diffStack(name: string, before: SynthesizedStack | undefined, after: SynthesizedStack | undefined): StackChanges {
  const old = entries(before);
  const current = entries(after);
  const changes: ResourceChange[] = [];
  for (const address of [...new Set([...old.keys(), ...current.keys()])].sort()) {
    const was = old.get(address);
    const is = current.get(address);
    if (was && !is)
      changes.push({
        stack: name,
        address,
        label: was.label,
        action: 'remove',
        fields: [],
        replacedBy: [],
        destroyGuard: destroyGuard(was.body, undefined, true),
      });
    else if (!was && is)
      changes.push({ stack: name, address, label: is.label, action: 'add', fields: [], replacedBy: [], destroyGuard: 'none' });
    else if (was && is) {
      const fields = diffJson(configurationOf(was.body), configurationOf(is.body));
      if (fields.length === 0) continue;
      const replacedBy = replacementFields(is.type, configurationOf(was.body), fields);
      changes.push({
        stack: name,
        address,
        label: is.label,
        action: 'change',
        fields,
        replacedBy,
        destroyGuard: destroyGuard(was.body, is.body, replacedBy.length > 0),
      });
    }
  }
  const status = !before ? 'added' : !after ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
  return { stack: name, status, changes };
}

/** Every stack of either side, in name order, with its resource changes. */
export function diffStacks(base: readonly SynthesizedStack[], head: readonly SynthesizedStack[]): StackChanges[] {
  const byName = (stacks: readonly SynthesizedStack[]) => new Map(stacks.map((stack) => [stack.name, stack]));
  const old = byName(base);
  const current = byName(head);
  return [...new Set([...old.keys(), ...current.keys()])].sort().map((name) => diffStack(name, old.get(name), current.get(name)));
}
