/**
 * docs/benchmarks.md holds the reports of separate bench runs (synthesis, deploy), each between
 * its own markers, so one run rewrites its section and keeps the others' numbers as measured.
 */

const begin = (name: string): string => `<!-- bench:${name} -->`;
const end = (name: string): string => `<!-- /bench:${name} -->`;

/** `document` with section `name` replaced by `body` (appended when absent; order of first appearance kept). */
export function spliceSection(document: string, name: string, body: string): string {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`bench section names are lower-case words, got "${name}"`);
  const block = `${begin(name)}\n${body.trimEnd()}\n${end(name)}\n`;
  const start = document.indexOf(begin(name));
  const stop = document.indexOf(end(name));
  if (start === -1 || stop === -1 || stop < start) return document.trim() === '' ? block : `${document.trimEnd()}\n\n${block}`;
  return `${document.slice(0, start)}${block}${document.slice(stop + end(name).length).replace(/^\n/, '')}`;
}
