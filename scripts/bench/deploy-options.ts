/** Command-line options of `npm run bench -- --deploy` (pure parsing). */
import { DEFAULT_FLEETS, DEFAULT_REPORT, fleetSizes } from './options';

export const DEFAULT_SERIAL_FLEETS: readonly number[] = [1, 5];
/** Stacks side by side by default (docs/benchmarks.md measures it against one at a time). */
export const DEFAULT_PARALLELISM = 4;

export interface DeployOptions {
  readonly fleets: readonly number[];
  /** Fleet sizes also deployed the old way (one stack at a time, no plugin cache), for before/after. */
  readonly serialFleets: readonly number[];
  readonly parallelism: number;
  readonly out?: string;
  /** Render the last run's results (reports/bench/deploy.json) without deploying anything. */
  readonly renderOnly: boolean;
  readonly help: boolean;
}

export const DEPLOY_USAGE = `Usage: npm run bench -- --deploy [options]   (as root; the engine tier's tools are built on first use)

  --fleets LIST         fleet sizes deployed side by side, comma-separated (default ${DEFAULT_FLEETS.join(',')})
  --serial-fleets LIST  sizes also deployed one stack at a time without a plugin cache, for before/after,
                        or "none" (default ${DEFAULT_SERIAL_FLEETS.join(',')}; each must be in --fleets)
  --parallelism N       stacks at a time side by side (default ${DEFAULT_PARALLELISM})
  --render              render the last run's results (reports/bench/deploy.json) again, deploying nothing
  --write               write the report's deploy section into ${DEFAULT_REPORT} (default: print it only)
  --out FILE            write it into FILE
  --help                this text

Each fleet size runs in a fresh cluster: minutes for a fleet of one, hours for fifty on two cores.`;

export function parseDeployOptions(argv: readonly string[]): DeployOptions {
  let fleets: readonly number[] = DEFAULT_FLEETS;
  let serialFleets: readonly number[] = DEFAULT_SERIAL_FLEETS;
  let parallelism = DEFAULT_PARALLELISM;
  let out: string | undefined;
  let renderOnly = false;
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    switch (argument) {
      case '--deploy':
        break;
      case '--fleets':
        fleets = fleetSizes(value(), '--fleets');
        break;
      case '--serial-fleets':
        serialFleets = fleetSizes(value(), '--serial-fleets');
        break;
      case '--parallelism': {
        const text = value();
        parallelism = Number(text);
        if (!/^[0-9]+$/.test(text) || parallelism < 1 || parallelism > 64) throw new Error(`--parallelism takes 1 to 64, got "${text}"`);
        break;
      }
      case '--render':
        renderOnly = true;
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
        throw new Error(`unknown option "${argument}"\n\n${DEPLOY_USAGE}`);
    }
  }
  const stray = serialFleets.filter((size) => !fleets.includes(size));
  if (stray.length > 0) throw new Error(`--serial-fleets ${stray.join(',')} not in --fleets ${fleets.join(',')}`);
  if (fleets.length === 0) throw new Error('--fleets needs at least one size');
  return { fleets, serialFleets, parallelism, renderOnly, help, ...(out !== undefined ? { out } : {}) };
}

/** The command line that repeats a run with these options. */
export function reproduceDeployCommand(options: DeployOptions): string {
  const parts = ['npm run bench -- --deploy'];
  if (options.fleets.join(',') !== DEFAULT_FLEETS.join(',')) parts.push('--fleets', options.fleets.join(','));
  if (options.serialFleets.join(',') !== DEFAULT_SERIAL_FLEETS.join(','))
    parts.push('--serial-fleets', options.serialFleets.length ? options.serialFleets.join(',') : 'none');
  if (options.parallelism !== DEFAULT_PARALLELISM) parts.push('--parallelism', String(options.parallelism));
  if (options.out === DEFAULT_REPORT) parts.push('--write');
  else if (options.out !== undefined) parts.push('--out', options.out);
  return parts.join(' ');
}
