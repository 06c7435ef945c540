/** Parses the report of GNU time's verbose mode (`/usr/bin/time -v`). */

export interface ProcessSample {
  readonly wallSeconds: number;
  /** Peak resident set size of the process (GNU time reports the largest of it and its waited-for children). */
  readonly maxRssKb: number;
  /** User + system CPU time. */
  readonly cpuSeconds: number;
  readonly exitStatus: number;
}

/** "1:02:03", "2:03.45" or "0:00.18" (h:mm:ss or m:ss[.cc]) to seconds. */
export function parseElapsed(text: string): number {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[0-9]+(\.[0-9]+)?$/.test(part))) {
    throw new Error(`not an elapsed time: "${text}"`);
  }
  return parts.reduce((seconds, part) => seconds * 60 + Number(part), 0);
}

function field(report: string, label: string): string {
  const line = report.split('\n').find((candidate) => candidate.trim().startsWith(label));
  if (line === undefined) throw new Error(`GNU time report has no "${label}" line (is /usr/bin/time GNU time?)`);
  return line
    .slice(line.indexOf(label) + label.length)
    .replace(/^[^:]*:\s*/, '')
    .trim();
}

export function parseTimeVerbose(report: string): ProcessSample {
  const number = (label: string): number => {
    const value = Number(field(report, label));
    if (!Number.isFinite(value)) throw new Error(`GNU time report: "${label}" is not a number`);
    return value;
  };
  return {
    wallSeconds: parseElapsed(field(report, 'Elapsed (wall clock) time (h:mm:ss or m:ss)')),
    maxRssKb: number('Maximum resident set size (kbytes)'),
    cpuSeconds: number('User time (seconds)') + number('System time (seconds)'),
    exitStatus: number('Exit status'),
  };
}
