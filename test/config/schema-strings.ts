/**
 * Every string a config can hold, found by walking the schema next to a config object: each
 * leaf's concrete path (`homeservers[2].media.s3.bucket`), the schema field it belongs to
 * (`homeservers[].media.s3.bucket`), and whether it is a value or a mapping key. Tests use it to
 * inject hostile text into every string field the schema accepts, new fields included.
 */
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

/** The object holding the leaf (for a key: the mapping whose key it is), found in `root` by the leaf's segments. */
function parentOf(root: unknown, leaf: StringLeaf): Record<string | number, unknown> {
  return leaf.segments
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>(
      (node, segment) => node[segment] as Record<string | number, unknown>,
      root as Record<string | number, unknown>,
    );
}

/**
 * One copy of `config` whose leaf takes each text in turn (a key is renamed in its place): each
 * call returns that copy and the path a refusal must name. The copy is reused, so a caller keeps
 * no result past the next call.
 */
export function leafVariants(
  config: Record<string, unknown>,
  leaf: StringLeaf,
): (text: string) => { config: Record<string, unknown>; path: string } {
  const copy = structuredClone(config);
  const parent = parentOf(copy, leaf);
  const last = leaf.segments[leaf.segments.length - 1] ?? '';
  const entries = Object.entries(parent);
  return (text) => {
    if (leaf.role === 'value') parent[last] = text;
    else {
      for (const key of Object.keys(parent)) delete parent[key];
      for (const [key, child] of entries) parent[key === leaf.value ? text : key] = child;
    }
    return { config: copy, path: leafPath(leaf, text) };
  };
}

/**
 * The leaf alone under the same nesting as in `config`: a mapping per key and a one-item sequence
 * per index on its path (a key keeps its value). YAML prints a scalar from its place only (its
 * indentation, whether it is a key, a mapping value or a sequence item), so the text reads back
 * from this outline exactly when it reads back from the whole config; `readBack` says whether it did.
 */
export function leafOutline(
  config: Record<string, unknown>,
  leaf: StringLeaf,
  text: string,
): { outline: unknown; readBack: (parsed: unknown) => boolean } {
  const last = leaf.segments[leaf.segments.length - 1] ?? '';
  const above = leaf.segments.slice(0, -1);
  const holding = leaf.role === 'value' ? wrap(last, text) : { [text]: parentOf(config, leaf)[leaf.value] };
  const outline = above.reduceRight<unknown>((inner, segment) => wrap(segment, inner), holding);
  const readBack = (parsed: unknown): boolean => {
    const holder = above.reduce<unknown>((node, segment) => child(node, segment), parsed);
    if (leaf.role === 'value') return child(holder, last) === text;
    return typeof holder === 'object' && holder !== null && Object.keys(holder).length === 1 && Object.hasOwn(holder, text);
  };
  return { outline, readBack };
}

function wrap(segment: string | number, inner: unknown): unknown {
  return typeof segment === 'number' ? [inner] : { [segment]: inner };
}

/** The outline's child for a segment: a sequence holds its one item at 0. */
function child(node: unknown, segment: string | number): unknown {
  return (node as Record<string | number, unknown> | undefined)?.[typeof segment === 'number' ? 0 : segment];
}
