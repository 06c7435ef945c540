/** Field access in both spellings: Terraform resources use snake_case, kubernetes_manifest objects camelCase. */
import type { JsonObject } from './terraform-json';

/** Field names are the code's own constants: a few hundred at most, each converted once. */
const camelCases = new Map<string, string>();

function camelCase(snake: string): string {
  let camel = camelCases.get(snake);
  if (camel === undefined) {
    camel = snake.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    if (camelCases.size < 10_000) camelCases.set(snake, camel);
  }
  return camel;
}

/** A field by its snake_case name, or its camelCase spelling; null counts as absent. */
export function field(object: JsonObject | undefined, snake: string): unknown {
  if (!object) return undefined;
  const value = object[snake];
  if (value !== undefined && value !== null) return value;
  return object[camelCase(snake)] ?? undefined;
}

/** A whole number, written as a number or as a string of digits. */
export function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return undefined;
}
