/** Shell text for the programs the pods run. */

/** One shell word, taken literally: single quotes, each quote in the text closed, escaped and reopened. */
export function shellQuoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
