/**
 * Which strings of a Terraform JSON document the engine reads as templates, following the
 * JSON syntax's expression mapping and its block-type exceptions: every string value and every
 * key of an object given as an expression is a template; block labels, the `terraform` block,
 * `//` comments, `variable` type/default/description, `output` and `module` literals, provider
 * `alias`/`version`, and the references of `depends_on`, `provider`, `lifecycle.ignore_changes` /
 * `replace_triggered_by`, `moved`, `removed` and `import.to` are taken literally. One walk
 * serves the stacks (escaping literal text) and the audit (parsing every template).
 * Anything else, including plain objects of unknown blocks, is treated as a template: for
 * safety, an unknown place is escaped rather than left open. Without the providers' schemas a
 * nested block looks like an object attribute, so its argument names are passed as keys too:
 * they are identifiers, which no escape changes.
 */

/** Where a template string sits: block keys and labels, then attribute names and list indexes. */
export type TemplatePath = readonly (string | number)[];

/** Receives each template string (a value, or an object key written as an expression) and returns what to write instead. */
export type TemplateTransform = (text: string, path: TemplatePath, role: 'value' | 'key') => string;

const COMMENT = '//';

/** Arguments of a block body taken literally (per top-level block type). */
const LITERAL_ARGUMENTS: Readonly<Record<string, ReadonlySet<string>>> = {
  resource: new Set(['depends_on', 'provider']),
  data: new Set(['depends_on', 'provider']),
  provider: new Set(['alias', 'version']),
  module: new Set(['source', 'version', 'providers', 'depends_on']),
  output: new Set(['description', 'depends_on']),
  variable: new Set(['type', 'default', 'description']),
};
const LITERAL_LIFECYCLE = new Set(['ignore_changes', 'replace_triggered_by']);
const LITERAL_IMPORT = new Set(['to', 'provider']);

/**
 * A JSON object as the walk sees it: a plain object, of any realm (cdktf's unresolved tokens and
 * other class instances are passed through).
 */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function mapObject(value: Record<string, unknown>, entry: (key: string, child: unknown) => [string, unknown]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const [newKey, newChild] = entry(key, child);
    result[newKey] = newChild;
  }
  return result;
}

/** An expression: strings, keys and nested values are all templates. */
function expression(value: unknown, path: TemplatePath, transform: TemplateTransform): unknown {
  if (typeof value === 'string') return transform(value, path, 'value');
  if (Array.isArray(value)) return value.map((item, index) => expression(item, [...path, index], transform));
  if (!isPlain(value)) return value;
  return mapObject(value, (key, child) => [transform(key, [...path, key], 'key'), expression(child, [...path, key], transform)]);
}

/** One block or a list of blocks of the same type. */
function eachBlock(value: unknown, body: (block: Record<string, unknown>, path: TemplatePath) => unknown, path: TemplatePath): unknown {
  if (Array.isArray(value)) return value.map((item: unknown, index) => (isPlain(item) ? body(item, [...path, index]) : item));
  return isPlain(value) ? body(value, path) : value;
}

/** A block body: argument names are identifiers (never templates), their values expressions, except the literal ones. */
function blockBody(
  value: Record<string, unknown>,
  path: TemplatePath,
  literal: ReadonlySet<string>,
  transform: TemplateTransform,
): unknown {
  return mapObject(value, (key, child) => {
    const at = [...path, key];
    if (key === COMMENT || literal.has(key)) return [key, child];
    if (key === 'lifecycle')
      return [key, eachBlock(child, (lifecycle, where) => blockBody(lifecycle, where, LITERAL_LIFECYCLE, transform), at)];
    if (key === 'connection')
      return [key, eachBlock(child, (connection, where) => blockBody(connection, where, new Set(['type']), transform), at)];
    if (key === 'provisioner') return [key, labelled(child, at, 1, (body, where) => blockBody(body, where, new Set(), transform))];
    return [key, expression(child, at, transform)];
  });
}

/** Blocks with `depth` levels of labels above their bodies (an object per level, or a list of them). */
function labelled(
  value: unknown,
  path: TemplatePath,
  depth: number,
  body: (block: Record<string, unknown>, path: TemplatePath) => unknown,
): unknown {
  if (depth === 0) return eachBlock(value, body, path);
  if (Array.isArray(value)) return value.map((item, index) => labelled(item, [...path, index], depth, body));
  if (!isPlain(value)) return value;
  return mapObject(value, (label, child) => [label, label === COMMENT ? child : labelled(child, [...path, label], depth - 1, body)]);
}

/**
 * A copy of `document` with every template string replaced by `transform(text)`; literal
 * places, `//` comments and non-plain values are kept as they are (the same objects).
 */
export function mapTemplateStrings(document: unknown, transform: TemplateTransform): unknown {
  if (!isPlain(document)) return document;
  return mapObject(document, (key, value) => {
    const path = [key];
    const literal = LITERAL_ARGUMENTS[key] ?? new Set<string>();
    switch (key) {
      case COMMENT:
      case 'terraform':
      case 'moved':
      case 'removed':
        return [key, value];
      case 'resource':
      case 'data':
        return [key, labelled(value, path, 2, (body, where) => blockBody(body, where, literal, transform))];
      case 'provider':
      case 'module':
      case 'output':
      case 'variable':
        return [key, labelled(value, path, 1, (body, where) => blockBody(body, where, literal, transform))];
      case 'import':
        return [key, eachBlock(value, (body, where) => blockBody(body, where, LITERAL_IMPORT, transform), path)];
      case 'locals':
        // Local names are identifiers; their values are expressions.
        return [
          key,
          eachBlock(
            value,
            (locals, where) =>
              mapObject(locals, (name, child) => [name, name === COMMENT ? child : expression(child, [...where, name], transform)]),
            path,
          ),
        ];
      default:
        return [key, expression(value, path, transform)];
    }
  });
}

export interface TemplateString {
  readonly text: string;
  readonly path: TemplatePath;
  readonly role: 'value' | 'key';
}

/** Every template string of a document, in document order. */
export function templateStrings(document: unknown): TemplateString[] {
  const found: TemplateString[] = [];
  mapTemplateStrings(document, (text, path, role) => {
    found.push({ text, path, role });
    return text;
  });
  return found;
}
