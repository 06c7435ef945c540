/**
 * Go text/template, as External Secrets (engine v2) renders Secret files and Prometheus renders
 * alert annotations: literal text is written so that nothing in it is ever evaluated (every
 * `{{` is printed by an action), and values are inserted only by the actions declared here.
 */

/** A value of the secret, printed as is (letters and digits of a generated value) or JSON-quoted (a YAML double-quoted scalar). */
export interface TemplateValue {
  readonly value: string;
  readonly format?: 'json';
}

export type TemplatePart = string | TemplateValue;

const OPEN = '{{';
/** The action that prints `{{`: Go's template syntax has no other escape. */
const PRINT_OPEN = '{{ "{{" }}';
const PRINT_BRACE = '{{ "{" }}';

/**
 * Literal text: each `{{` becomes an action printing it, and a trailing `{` too (it would
 * otherwise open an action together with whatever follows).
 */
export function goTemplateLiteral(text: string): string {
  return text.split(OPEN).join(PRINT_OPEN).replace(/\{$/, PRINT_BRACE);
}

export function goTemplateAction(part: TemplateValue): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(part.value)) throw new Error(`"${part.value}" is not a template value name`);
  return part.format === 'json' ? `{{ .${part.value} | toJson }}` : `{{ .${part.value} }}`;
}

/** A template of literal text and value actions. */
export function goTemplate(...parts: readonly TemplatePart[]): string {
  return parts.map((part) => (typeof part === 'string' ? goTemplateLiteral(part) : goTemplateAction(part))).join('');
}

/**
 * A YAML file as a template: `render` writes the document with the yaml library, putting
 * `slot(name)` where a value goes; the text stays literal and each slot, written as a quoted
 * YAML string, becomes an action printing the value JSON-quoted (a JSON string is a valid YAML
 * double-quoted scalar, so no value can end the string or add a key). Slots are spelled so that
 * no text of the document contains them: each must appear exactly once.
 */
export function yamlTemplate(names: readonly string[], render: (slot: (name: string) => string) => string): string {
  for (let attempt = 0; ; attempt += 1) {
    const placeholder = (name: string) => `value-slot-${name}-${attempt}`;
    const text = render(placeholder);
    const quoted = names.map((name) => `"${placeholder(name)}"`);
    if (!names.every((name, index) => text.split(quoted[index] ?? '').length === 2 && text.split(placeholder(name)).length === 2)) continue;
    const parts: TemplatePart[] = [];
    let rest = text;
    const order = names
      .map((name, index) => ({ name, quoted: quoted[index] ?? '', at: text.indexOf(quoted[index] ?? '') }))
      .sort((a, b) => a.at - b.at);
    for (const slot of order) {
      const [before = '', after = ''] = rest.split(slot.quoted);
      parts.push(before, { value: slot.name, format: 'json' });
      rest = after;
    }
    parts.push(rest);
    return goTemplate(...parts);
  }
}
