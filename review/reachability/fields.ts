/** Field access: Terraform resources use snake_case, kubernetes_manifest objects camelCase. */
import type { JsonObject } from '../../policies/terraform-json';

function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** A field by its snake_case name, or its camelCase spelling; null counts as absent. */
export function field(object: JsonObject | undefined, snake: string): unknown {
  if (!object) return undefined;
  const value = object[snake];
  if (value !== undefined && value !== null) return value;
  return object[camelCase(snake)] ?? undefined;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return undefined;
}
