/**
 * The resources and data sources a stack's expressions refer to without declaring them. Every
 * stack of the deployment stands alone (stacks share nothing but their order), so a reference to
 * anything the stack does not declare is a mistake in the code: Terraform would refuse it at
 * plan time, and cdktf would otherwise have made it a lookup of another stack's state.
 */
import type { TerraformJson } from './terraform-json';

/** `${...}` that Terraform evaluates (`$${` is literal text). */
const INTERPOLATION = /(?<!\$)\$\{([^}]*)\}/g;
/** A reference to a resource or data source of the two providers, e.g. `kubernetes_namespace_v1.homeserver.metadata`. */
const REFERENCE = /(?<![\w.])(data\.)?((?:kubernetes|helm)_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(?=[.[])/g;

function declares(json: TerraformJson, block: 'resource' | 'data', type: string, name: string): boolean {
  const table = (json[block] as Record<string, Record<string, unknown> | undefined> | undefined)?.[type];
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, name);
}

function stringsIn(value: unknown, found: string[]): string[] {
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, found);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, found);
  return found;
}

/** Each undeclared address once, in the order met (`type.name` or `data.type.name`). */
export function undeclaredReferences(json: TerraformJson): string[] {
  const missing = new Set<string>();
  for (const text of stringsIn(json, [])) {
    if (!text.includes('${')) continue;
    for (const [, expression = ''] of text.matchAll(INTERPOLATION)) {
      for (const [, data, type = '', name = ''] of expression.matchAll(REFERENCE)) {
        if (!declares(json, data ? 'data' : 'resource', type, name)) missing.add(`${data ?? ''}${type}.${name}`);
      }
    }
  }
  return [...missing];
}
