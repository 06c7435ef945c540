/**
 * Terraform's string templates: in Terraform JSON every string value is one (HCL's template
 * grammar), made of literal text, the escapes `$${` and `%%{`, `${ ... }` interpolations and
 * `%{ ... }` directives, each with optional `~` strip markers. Pure: the stacks escape literal
 * text with it, SEC-06 parses every string with it, and the policy views read literal values
 * through it. HashiCorp's own parser is the reference, in the tests.
 */

export type TemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  /** `${ ... }`; `expression` without the strip markers, trimmed. */
  | { readonly kind: 'interpolation'; readonly expression: string }
  /** `%{ ... }` (if, for, else, endif, endfor). */
  | { readonly kind: 'directive'; readonly expression: string };

export type ParsedTemplate =
  { readonly ok: true; readonly parts: readonly TemplatePart[] } | { readonly ok: false; readonly error: string };

/** The template that evaluates to exactly `text`: every `${` becomes `$${`, every `%{` becomes `%%{`. */
export function escapeTemplateText(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}

/**
 * The index of the `}` that closes a sequence whose expression starts at `start`, or -1.
 * Braces nest; quoted strings may hold `}` and templates of their own.
 */
function sequenceEnd(text: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const character = text[index];
    if (character === '"') {
      index = quotedEnd(text, index + 1);
      if (index < 0) return -1;
      continue;
    }
    if (character === '{') depth += 1;
    else if (character === '}') {
      if (depth === 0) return index;
      depth -= 1;
    }
    index += 1;
  }
  return -1;
}

/** The index after the `"` that closes a quoted string whose content starts at `start`, or -1. */
function quotedEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const character = text[index];
    if (character === '\\') index += 2;
    else if (character === '"') return index + 1;
    else if (character === '\n') return -1;
    else if (text.startsWith('$${', index) || text.startsWith('%%{', index)) index += 3;
    else if (text.startsWith('${', index) || text.startsWith('%{', index)) {
      const end = sequenceEnd(text, index + 2);
      if (end < 0) return -1;
      index = end + 1;
    } else index += 1;
  }
  return -1;
}

function stripped(expression: string): string {
  return expression.replace(/^~/, '').replace(/~$/, '').trim();
}

/** The index of `character` at or after `from`, or the text's length when there is none. */
function nextIndex(text: string, character: string, from: number): number {
  const found = text.indexOf(character, from);
  return found < 0 ? text.length : found;
}

/** Splits a template into its parts, as HCL's scanner does; malformed sequences are errors. */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;
  // The next `$` and `%` (the only characters that can open a sequence or an escape), found once each.
  let dollar = -1;
  let percent = -1;
  while (index < template.length) {
    if (dollar < index) dollar = nextIndex(template, '$', index);
    if (percent < index) percent = nextIndex(template, '%', index);
    // Literal text up to the next of them is copied in one piece.
    const next = Math.min(dollar, percent);
    if (next > index) {
      literal += template.slice(index, next);
      index = next;
      continue;
    }
    if (template.startsWith('$${', index) || template.startsWith('%%{', index)) {
      literal += template.slice(index + 1, index + 3);
      index += 3;
      continue;
    }
    const opener = template.startsWith('${', index) ? 'interpolation' : template.startsWith('%{', index) ? 'directive' : undefined;
    if (!opener) {
      literal += template.charAt(index);
      index += 1;
      continue;
    }
    const end = sequenceEnd(template, index + 2);
    if (end < 0) return { ok: false, error: `unterminated ${template.slice(index, index + 2)} at offset ${index}` };
    const expression = stripped(template.slice(index + 2, end));
    if (expression === '') return { ok: false, error: `empty ${template.slice(index, index + 2)} } at offset ${index}` };
    if (literal) parts.push({ kind: 'literal', text: literal });
    literal = '';
    parts.push({ kind: opener, expression });
    index = end + 1;
  }
  if (literal || parts.length === 0) parts.push({ kind: 'literal', text: literal });
  return { ok: true, parts };
}

/** The value of a template made of literal text only (escapes undone); undefined when it interpolates or is malformed. */
export function templateLiteral(template: string): string | undefined {
  // Fast path: no sequence and no escape (both begin with `${` or `%{`), so nothing to undo.
  if (!template.includes('${') && !template.includes('%{')) return template;
  const parsed = parseTemplate(template);
  if (!parsed.ok) return undefined;
  let text = '';
  for (const part of parsed.parts) {
    if (part.kind !== 'literal') return undefined;
    text += part.text;
  }
  return text;
}

/** A reference as Terraform JSON writes it: `type.name` or `data.type.name`, then attributes, indexes and keys. */
export interface TemplateReference {
  /** `kubernetes_namespace_v1.compartment_namespace_1234` or `data.terraform_remote_state.x`. */
  readonly target: string;
  readonly mode: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
}

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_-]*';
const STEP = `(?:\\.${IDENTIFIER}|\\[[0-9]+\\]|\\["[^"\\\\$%{}]*"\\])`;
const TRAVERSAL = new RegExp(`^(data\\.)?(${IDENTIFIER})\\.(${IDENTIFIER})${STEP}*$`);

/** The resource or data source a plain traversal names; undefined for anything else (calls, operators, variables, ...). */
export function referenceOf(expression: string): TemplateReference | undefined {
  const match = TRAVERSAL.exec(expression);
  if (!match) return undefined;
  const mode = match[1] ? 'data' : 'resource';
  const type = match[2] ?? '';
  const name = match[3] ?? '';
  // A bare root other than a resource type: var., local., module., path., terraform., self., count., each.
  if (mode === 'resource' && ['var', 'local', 'module', 'path', 'terraform', 'self', 'count', 'each', 'data'].includes(type))
    return undefined;
  return { target: `${mode === 'data' ? 'data.' : ''}${type}.${name}`, mode, type, name };
}
