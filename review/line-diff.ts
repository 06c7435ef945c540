/**
 * A unified line diff of two texts (embedded files: Synapse, HAProxy and slapd configs, chart
 * values), from a longest-common-subsequence table: exact, and cheap at the sizes of config
 * files. Beyond MAX_CELLS it falls back to lines removed and added, in order.
 */

const CONTEXT = 2;
const MAX_CELLS = 4_000_000;

type Edit = { readonly kind: ' ' | '-' | '+'; readonly text: string };

function edits(before: readonly string[], after: readonly string[]): Edit[] {
  if (before.length * after.length > MAX_CELLS) {
    const kept = new Set(after);
    const had = new Set(before);
    return [
      ...before.filter((line) => !kept.has(line)).map((text) => ({ kind: '-' as const, text })),
      ...after.filter((line) => !had.has(line)).map((text) => ({ kind: '+' as const, text })),
    ];
  }
  const rows = before.length + 1;
  const columns = after.length + 1;
  const common = new Uint32Array(rows * columns);
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      common[i * columns + j] =
        before[i] === after[j]
          ? (common[(i + 1) * columns + j + 1] ?? 0) + 1
          : Math.max(common[(i + 1) * columns + j] ?? 0, common[i * columns + j + 1] ?? 0);
    }
  }
  const result: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      result.push({ kind: ' ', text: before[i] ?? '' });
      i += 1;
      j += 1;
    } else if (i < before.length && (j === after.length || (common[(i + 1) * columns + j] ?? 0) >= (common[i * columns + j + 1] ?? 0))) {
      // Removals before additions, as unified diffs show a replaced line.
      result.push({ kind: '-', text: before[i] ?? '' });
      i += 1;
    } else {
      result.push({ kind: '+', text: after[j] ?? '' });
      j += 1;
    }
  }
  return result;
}

/** Changed lines with two lines of context; `...` between distant changes. Empty when equal. */
export function lineDiff(before: string, after: string): string[] {
  const all = edits(before.split('\n'), after.split('\n'));
  const changed = all.map((edit, index) => (edit.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return [];
  const shown = new Set<number>();
  for (const index of changed) for (let k = index - CONTEXT; k <= index + CONTEXT; k += 1) if (k >= 0 && k < all.length) shown.add(k);
  const lines: string[] = [];
  let previous = -1;
  for (const index of [...shown].sort((a, b) => a - b)) {
    if (previous >= 0 && index > previous + 1) lines.push('...');
    const edit = all[index] as Edit;
    lines.push(`${edit.kind}${edit.text}`);
    previous = index;
  }
  return lines;
}
