/**
 * Where each resource starts in a stack's JSON file, for report locations (SARIF regions):
 * the line of `"<name>": {` inside `"resource": { "<type>": { ... } }`, found by parsing
 * the text's tokens (tfjson/json-tokens.ts) while tracking the key path (any indentation works).
 */
import { jsonTokens } from '../../tfjson/json-tokens';

/** Map of resource address (`type.name`) to its 1-based line. */
export function resourceLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const path: (string | undefined)[] = [];
  let pendingKey: string | undefined;
  let keyLine = 1;
  for (const token of jsonTokens(text)) {
    if (token.kind === 'key') {
      pendingKey = token.value;
      keyLine = token.line;
    } else if (token.kind === 'open') {
      path.push(pendingKey);
      if (!token.list && path.length === 4 && path[1] === 'resource' && path[2] !== undefined && pendingKey !== undefined)
        lines.set(`${path[2]}.${pendingKey}`, keyLine);
      pendingKey = undefined;
    } else if (token.kind === 'close') path.pop();
    else if (token.kind === 'comma') pendingKey = undefined;
  }
  return lines;
}
