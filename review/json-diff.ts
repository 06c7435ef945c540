/** Field-level differences between two JSON values, as dotted paths a reviewer can read. */
import { isObject, type JsonValue } from '../tfjson/terraform-json';

export interface FieldChange {
  /** `spec.template.spec.container[0].image`; '' for the value itself. */
  readonly path: string;
  /** Absent when the field was added. */
  readonly before?: JsonValue;
  /** Absent when the field was removed. */
  readonly after?: JsonValue;
}

const isScalarList = (value: JsonValue[]) => value.every((item) => !isObject(item) && !Array.isArray(item));

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Every leaf that differs; lists of scalars compare as one value (`[a, b]` -> `[a, c]`). */
export function diffJson(before: JsonValue | undefined, after: JsonValue | undefined, path = ''): FieldChange[] {
  if (before === undefined && after === undefined) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], join(path, key)));
  }
  if (Array.isArray(before) && Array.isArray(after) && !(isScalarList(before) && isScalarList(after))) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => diffJson(before[index], after[index], `${path}[${index}]`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}
