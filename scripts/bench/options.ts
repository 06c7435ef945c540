/** Command-line options of `npm run bench` (pure parsing). */
import type { BenchOptions } from './analysis';
import { RUNNER_IDS, type RunnerId } from './runners';

export const DEFAULT_RUNS = 5;
export const DEFAULT_FLEETS: readonly number[] = [1, 5, 20, 50];
export const DEFAULT_REPORT = 'docs/benchmarks.md';

export interface CliOptions extends BenchOptions {
  /** Where to write the Markdown report (undefined: print only). */
  readonly out?: string;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --runs N           measured runs per command after one warm-up run (default ${DEFAULT_RUNS})
  --fleets LIST      fleet sizes in homeservers, comma-separated, or "none" (default ${DEFAULT_FLEETS.join(',')})
  --runners LIST     ways of running the app, comma-separated (default: all):
                     ${RUNNER_IDS.join(', ')}
  --with-tests       also measure \`npm test\` (a warm-up, then the median of three runs; about four full test runs)
  --write            write the report to ${DEFAULT_REPORT} (default: print it only)
  --out FILE         write the report to FILE
  --help             this text

The report is printed on stdout; progress goes to stderr. Needs GNU time (/usr/bin/time; Debian: apt-get install time).`;

function positiveInteger(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (text === undefined || !/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new Error(`${flag} needs a positive integer, got "${text ?? ''}"`);
  return value;
}

/** A comma-separated list of fleet sizes (homeservers, 1 to 999), sorted without repeats; "none" or nothing is the empty list. */
export function fleetSizes(text: string, flag: string): number[] {
  if (text === 'none' || text === '') return [];
  const sizes = text.split(',').map((item) => {
    const trimmed = item.trim();
    const value = Number(trimmed);
    if (!/^[0-9]+$/.test(trimmed) || value < 1 || value > 999) throw new Error(`${flag} takes fleet sizes from 1 to 999, got "${item}"`);
    return value;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

export function parseOptions(argv: readonly string[]): CliOptions {
  let runs = DEFAULT_RUNS;
  let fleets: readonly number[] = DEFAULT_FLEETS;
  let runners: readonly RunnerId[] = RUNNER_IDS;
  let withTests = false;
  let out: string | undefined;
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    switch (argument) {
      case '--runs':
        runs = positiveInteger(value(), '--runs');
        break;
      case '--fleets':
        fleets = fleetSizes(value(), '--fleets');
        break;
      case '--runners': {
        const requested = value()
          .split(',')
          .map((item) => item.trim());
        const unknown = requested.filter((item) => !(RUNNER_IDS as readonly string[]).includes(item));
        if (unknown.length) throw new Error(`unknown runner(s) ${unknown.join(', ')}; known: ${RUNNER_IDS.join(', ')}`);
        // node-dist is the headline measurement and every end-to-end option's reference: always kept.
        runners = RUNNER_IDS.filter((id) => id === 'node-dist' || requested.includes(id));
        break;
      }
      case '--with-tests':
        withTests = true;
        break;
      case '--write':
        out = DEFAULT_REPORT;
        break;
      case '--out':
        out = value();
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        // `npm run bench -- 3`, the former usage: the number of runs.
        if (/^[0-9]+$/.test(argument)) runs = positiveInteger(argument, 'runs');
        else throw new Error(`unknown option "${argument}"\n\n${USAGE}`);
    }
  }
  return { runs, fleets, runners, withTests, help, ...(out !== undefined ? { out } : {}) };
}

/** The `npm run bench` command line that repeats a run with these options. */
export function reproduceCommand(options: CliOptions): string {
  const parts = ['npm run bench --', '--runs', String(options.runs)];
  if (options.fleets.join(',') !== DEFAULT_FLEETS.join(','))
    parts.push('--fleets', options.fleets.length ? options.fleets.join(',') : 'none');
  if (options.runners.join(',') !== RUNNER_IDS.join(',')) parts.push('--runners', options.runners.join(','));
  if (options.withTests) parts.push('--with-tests');
  if (options.out === DEFAULT_REPORT) parts.push('--write');
  else if (options.out !== undefined) parts.push('--out', options.out);
  return parts.join(' ');
}
