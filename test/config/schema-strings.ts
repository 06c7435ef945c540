/**
 * Every string a config can hold, found by walking the schema next to a config object: each
 * leaf's concrete path (`homeservers[2].media.s3.bucket`), the schema field it belongs to
 * (`homeservers[].media.s3.bucket`), and whether it is a value or a mapping key. Tests use it to
 * inject hostile text into every string field the schema accepts, new fields included.
 */
import { Document, isMap, isScalar } from 'yaml';
import type { ZodTypeAny } from 'zod';

export interface StringLeaf {
  /** Concrete path, as config issues name it. */
  readonly path: string;
  /** The same path as segments (mapping keys may contain dots). */
  readonly segments: readonly (string | number)[];
  /** Schema field: indices as `[]`, record entries as `.<key>` / `.<value>`. */
  readonly field: string;
  readonly role: 'value' | 'key';
  readonly value: string;
}

interface Definition {
  readonly typeName: string;
  readonly [key: string]: unknown;
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

/** As config issues write paths: `a.b[0].c`. */
function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : join(text, segment)), '');
}

/** The leaf's value replaced by `text` (for a key: the key renamed, keeping its place), in place; returns the path a refusal must name. */
export function replaceLeaf(config: Record<string, unknown>, leaf: StringLeaf, text: string): string {
  const parentSegments = leaf.segments.slice(0, -1);
  const last = leaf.segments[leaf.segments.length - 1] ?? '';
  const parent = parentSegments.reduce<Record<string | number, unknown>>(
    (node, segment) => node[segment] as Record<string | number, unknown>,
    config,
  );
  if (leaf.role === 'value') {
    parent[last] = text;
    return leafPath(leaf, text);
  }
  const entries = Object.entries(parent).map(([key, child]) => [key === leaf.value ? text : key, child] as const);
  for (const key of Object.keys(parent)) delete parent[key];
  Object.assign(parent, Object.fromEntries(entries));
  return leafPath(leaf, text);
}

/** The path a refusal must name once the leaf holds `text` (for a key: the renamed key's path). */
export function leafPath(leaf: StringLeaf, text: string): string {
  return leaf.role === 'value' ? leaf.path : formatPath([...leaf.segments.slice(0, -1), text]);
}

function definitionOf(schema: ZodTypeAny): Definition {
  return schema._def as Definition;
}

/** Every schema field that holds a string (values, record keys, enums and string literals). */
export function schemaStringFields(schema: ZodTypeAny, field = ''): string[] {
  const definition = definitionOf(schema);
  const inner = (key: string) => schemaStringFields(definition[key] as ZodTypeAny, field);
  switch (definition.typeName) {
    case 'ZodEffects':
      return inner('schema');
    case 'ZodOptional':
    case 'ZodNullable':
    case 'ZodDefault':
      return inner('innerType');
    case 'ZodObject':
      return Object.entries((definition.shape as () => Record<string, ZodTypeAny>)()).flatMap(([key, child]) =>
        schemaStringFields(child, join(field, key)),
      );
    case 'ZodArray':
      return schemaStringFields(definition.type as ZodTypeAny, `${field}[]`);
    case 'ZodRecord':
      return [
        ...schemaStringFields(definition.keyType as ZodTypeAny, join(field, '<key>')),
        ...schemaStringFields(definition.valueType as ZodTypeAny, join(field, '<value>')),
      ];
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion':
      return [...new Set((definition.options as ZodTypeAny[]).flatMap((option) => schemaStringFields(option, field)))];
    case 'ZodString':
    case 'ZodEnum':
      return [field];
    case 'ZodLiteral':
      return typeof definition.value === 'string' ? [field] : [];
    default:
      return [];
  }
}

/** The string leaves of `value` that the schema describes. */
export function stringLeaves(schema: ZodTypeAny, value: unknown, segments: readonly (string | number)[] = [], field = ''): StringLeaf[] {
  const definition = definitionOf(schema);
  const path = formatPath(segments);
  const again = (key: string) => stringLeaves(definition[key] as ZodTypeAny, value, segments, field);
  switch (definition.typeName) {
    case 'ZodEffects':
      return again('schema');
    case 'ZodOptional':
    case 'ZodNullable':
    case 'ZodDefault':
      return value === undefined ? [] : again('innerType');
    case 'ZodObject': {
      if (typeof value !== 'object' || value === null) return [];
      const shape = (definition.shape as () => Record<string, ZodTypeAny>)();
      return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
        shape[key] ? stringLeaves(shape[key], child, [...segments, key], join(field, key)) : [],
      );
    }
    case 'ZodArray':
      return Array.isArray(value)
        ? value.flatMap((item, index) => stringLeaves(definition.type as ZodTypeAny, item, [...segments, index], `${field}[]`))
        : [];
    case 'ZodRecord':
      if (typeof value !== 'object' || value === null) return [];
      return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
        { path: join(path, key), segments: [...segments, key], field: join(field, '<key>'), role: 'key' as const, value: key },
        ...stringLeaves(definition.valueType as ZodTypeAny, child, [...segments, key], join(field, '<value>')),
      ]);
    case 'ZodDiscriminatedUnion':
    case 'ZodUnion': {
      const options = definition.options as ZodTypeAny[];
      const matching = options.find((option) => option.safeParse(value).success);
      return matching ? stringLeaves(matching, value, segments, field) : [];
    }
    case 'ZodString':
    case 'ZodEnum':
    case 'ZodLiteral':
      return typeof value === 'string' ? [{ path, segments, field, role: 'value', value }] : [];
    default:
      return [];
  }
}

/**
 * The YAML of `config` with the leaf holding other text, and the path a refusal must name: the
 * document is built once and only the leaf's scalar changes, so each variant costs the printing
 * only. The text is what `stringify` writes for the config with `replaceLeaf` applied
 * (string-fields.test.ts compares them for the markers that print most differently).
 */
export function leafYaml(config: Record<string, unknown>, leaf: StringLeaf): (text: string) => { yaml: string; path: string } {
  const document = new Document(config);
  const parentSegments = leaf.segments.slice(0, -1);
  const parent = parentSegments.length === 0 ? document.contents : document.getIn(parentSegments, true);
  const scalar =
    leaf.role === 'value'
      ? document.getIn(leaf.segments, true)
      : isMap(parent)
        ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === leaf.value)?.key
        : undefined;
  if (!isScalar(scalar)) throw new Error(`no scalar at ${leaf.path}`);
  return (text) => {
    scalar.value = text;
    return { yaml: document.toString(), path: leafPath(leaf, text) };
  };
}
