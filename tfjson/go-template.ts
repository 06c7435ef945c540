/**
 * A reader for the subset of Go's text/template that this project writes into External Secrets
 * templates (render/go-template.ts): literal text, the actions printing `{{` or `{` (how literal
 * braces are written), and value actions `{{ .name }}` / `{{ .name | toJson }}`. Anything else
 * (functions, pipelines, trim markers, comments, variables, control structures) is reported as an
 * unknown action rather than interpreted: a rule cannot judge what it does not evaluate.
 */

export type GoTemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly name: string; readonly format: 'raw' | 'json' }
  | { readonly kind: 'unknown'; readonly action: string };

/** Where the action opened at `start` closes: the first `}}` outside a quoted or raw string. */
function actionEnd(template: string, start: number): number {
  let quote: '"' | '`' | "'" | undefined;
  for (let index = start + 2; index < template.length; index += 1) {
    const character = template[index];
    if (quote) {
      if (character === '\\' && quote !== '`') index += 1;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === '`' || character === "'") quote = character;
    else if (template.startsWith('}}', index)) return index;
  }
  return -1;
}

const LITERAL_ACTIONS: Readonly<Record<string, string>> = { '"{{"': '{{', '"{"': '{' };

function classify(action: string): GoTemplatePart {
  const inner = action.slice(2, -2);
  // A trim marker is "{{- " or " -}}": it changes the text around the action.
  if (/^-\s/.test(inner) || /\s-$/.test(inner)) return { kind: 'unknown', action };
  const body = inner.trim();
  const literal = LITERAL_ACTIONS[body];
  if (literal !== undefined) return { kind: 'text', text: literal };
  const value = /^\.([A-Za-z_][A-Za-z0-9_]*)(?:\s*\|\s*(toJson))?$/.exec(body);
  if (value) return { kind: 'value', name: value[1] ?? '', format: value[2] ? 'json' : 'raw' };
  return { kind: 'unknown', action };
}

/** The parts of a template, adjacent text merged; an unclosed action is one unknown part. */
export function readGoTemplate(template: string): GoTemplatePart[] {
  const parts: GoTemplatePart[] = [];
  const pushText = (text: string) => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + text };
    else if (text) parts.push({ kind: 'text', text });
  };
  let index = 0;
  while (index < template.length) {
    const open = template.indexOf('{{', index);
    if (open < 0) {
      pushText(template.slice(index));
      break;
    }
    pushText(template.slice(index, open));
    const close = actionEnd(template, open);
    if (close < 0) {
      parts.push({ kind: 'unknown', action: template.slice(open) });
      break;
    }
    const part = classify(template.slice(open, close + 2));
    if (part.kind === 'text') pushText(part.text);
    else parts.push(part);
    index = close + 2;
  }
  return parts;
}
