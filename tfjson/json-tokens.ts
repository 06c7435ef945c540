/**
 * The tokens of a JSON text with the line each starts on, for readers that report where in a
 * file something is (SARIF regions, secret findings): a parsed document has no lines. The text
 * must be valid JSON; `true`, `false` and `null` are skipped (no reader needs them).
 */

export type JsonToken =
  /** A string followed by `:` (an object key). */
  | { readonly kind: 'key'; readonly value: string; readonly line: number }
  | { readonly kind: 'string' | 'number'; readonly value: string; readonly line: number }
  | { readonly kind: 'open'; readonly list: boolean; readonly line: number }
  | { readonly kind: 'close' | 'comma'; readonly line: number };

export function* jsonTokens(text: string): Generator<JsonToken> {
  let line = 1;
  let index = 0;
  while (index < text.length) {
    const character = text[index] ?? '';
    if (character === '\n') line += 1;
    if (character === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(index, end + 1)) as string;
      let next = end + 1;
      while (/\s/.test(text[next] ?? '')) next += 1;
      yield { kind: text[next] === ':' ? 'key' : 'string', value, line };
      index = end + 1;
      continue;
    }
    if (character === '{' || character === '[') yield { kind: 'open', list: character === '[', line };
    else if (character === '}' || character === ']') yield { kind: 'close', line };
    else if (character === ',') yield { kind: 'comma', line };
    else if (/[-0-9]/.test(character)) {
      const number = /^-?[0-9][0-9.eE+-]*/.exec(text.slice(index))?.[0] ?? character;
      yield { kind: 'number', value: number, line };
      index += number.length;
      continue;
    }
    index += 1;
  }
}
