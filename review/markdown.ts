/** Markdown building blocks for the review: table cells, inline code, redaction, and cutting to a budget. */
import { scanJson } from '../policies/secrets/secret-scan';

export const MAX_VALUE_LENGTH = 160;

/** A table cell: pipes escaped, one line. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ⏎ ');
}

/** Inline code that survives backticks in the text, cut to `max` characters. */
export function code(text: string, max = MAX_VALUE_LENGTH): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  const fence = shown.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ` ${shown} ` : shown}${fence}`;
}

/**
 * A value as the review may show it: anything that looks like a secret literal (the same
 * scanner as SEC-01) is replaced by why it was withheld. The plans carry no secrets, so this
 * should never fire; if it does, the review must not be the place the value leaks.
 */
export function safeValue(setting: string, value: string): string {
  const key = setting.split(/[ .]/).pop() ?? setting;
  const hits = scanJson({ [key]: value });
  return hits.length > 0 ? `[withheld: ${hits[0]?.reason ?? 'looks like a secret'}]` : value;
}

/**
 * The first lines of a block that fit in `budget` characters, with any open code fence or
 * `<details>` closed, so a cut never breaks the rest of the page. Returns the lines kept and
 * how many were left out.
 */
export function cutLines(lines: readonly string[], budget: number): { readonly kept: string[]; readonly omitted: number } {
  const kept: string[] = [];
  let used = 0;
  let fenceOpen = false;
  let detailsOpen = 0;
  const closing = () => (fenceOpen ? 4 : 0) + detailsOpen * 11 + 80;
  for (const line of lines) {
    if (used + line.length + 1 + closing() > budget) break;
    kept.push(line);
    used += line.length + 1;
    if (line.startsWith('```')) fenceOpen = !fenceOpen;
    if (line.startsWith('<details')) detailsOpen += 1;
    if (line.startsWith('</details>')) detailsOpen -= 1;
  }
  const omitted = lines.length - kept.length;
  if (omitted === 0) return { kept, omitted };
  if (fenceOpen) kept.push('```');
  kept.push('', `*… ${omitted} more lines not shown here (see the full review).*`);
  for (let index = 0; index < detailsOpen; index += 1) kept.push('', '</details>');
  return { kept, omitted };
}
