/**
 * A minimal writer for the HCL (version 1) that OpenBao's server configuration is parsed
 * with: labelled blocks, `key = value` attributes, strings, numbers, booleans, lists and
 * nested objects. Strings are JSON-quoted (HCL accepts JSON escapes); interpolation
 * sequences are refused rather than escaped, since no value of ours needs one.
 */

export type HclValue = string | number | boolean | readonly HclValue[] | { readonly [key: string]: HclValue };

export interface HclBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: readonly HclEntry[];
}

export type HclEntry = HclBlock | { readonly attribute: string; readonly value: HclValue };

export function block(type: string, labels: readonly string[], body: readonly HclEntry[]): HclBlock {
  return { type, labels, body };
}

export function attribute(name: string, value: HclValue): HclEntry {
  return { attribute: name, value };
}

function quoted(text: string): string {
  if (/\$\{|%\{/.test(text)) throw new Error(`HCL string ${JSON.stringify(text)} contains an interpolation sequence`);
  return JSON.stringify(text);
}

function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new Error(`"${name}" is not an HCL identifier`);
  return name;
}

function value(item: HclValue, indent: string): string {
  if (typeof item === 'string') return quoted(item);
  if (typeof item === 'number' || typeof item === 'boolean') return String(item);
  if (Array.isArray(item)) return `[${(item as readonly HclValue[]).map((element) => value(element, indent)).join(', ')}]`;
  const entries = Object.entries(item as { readonly [key: string]: HclValue });
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${entries.map(([key, element]) => `${inner}${identifier(key)} = ${value(element, inner)}`).join('\n')}\n${indent}}`;
}

function entry(item: HclEntry, indent: string): string {
  if ('attribute' in item) return `${indent}${identifier(item.attribute)} = ${value(item.value, indent)}`;
  const labels = item.labels.map((label) => ` ${quoted(label)}`).join('');
  const body = item.body.map((child) => entry(child, `${indent}  `)).join('\n');
  return `${indent}${identifier(item.type)}${labels} {\n${body}\n${indent}}`;
}

/** A `#` comment: it ends at the line break, so line breaks (and other controls) in the text become spaces. */
export function hclComment(text: string): string {
  return `# ${text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')}`;
}

export function renderHcl(entries: readonly HclEntry[]): string {
  return `${entries.map((item) => entry(item, '')).join('\n\n')}\n`;
}
