/**
 * Where each resource starts in a stack's JSON file, for report locations (SARIF regions):
 * the line of `"<name>": {` inside `"resource": { "<type>": { ... } }`, found by parsing
 * the text with a small tokenizer that tracks the key path (any indentation works).
 */

/** Map of resource address (`type.name`) to its 1-based line. */
export function resourceLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const path: (string | undefined)[] = [];
  let line = 1;
  let pendingKey: string | undefined;
  let keyLine = 1;
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
      if (text[next] === ':') {
        pendingKey = value;
        keyLine = line;
      }
      index = end + 1;
      continue;
    }
    if (character === '{' || character === '[') {
      path.push(pendingKey);
      if (character === '{' && path.length === 4 && path[1] === 'resource' && path[2] !== undefined && pendingKey !== undefined)
        lines.set(`${path[2]}.${pendingKey}`, keyLine);
      pendingKey = undefined;
    } else if (character === '}' || character === ']') {
      path.pop();
    } else if (character === ',') {
      pendingKey = undefined;
    }
    index += 1;
  }
  return lines;
}
