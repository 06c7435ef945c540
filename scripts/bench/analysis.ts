/** Pure derivations from the measurements: the headline ratio, fleet scaling, the runner choice. */
import type { MachineDescription } from './machine';
import type { Measurement } from './measure';
import { type CompileId, type RunnerId, RUNNERS } from './runners';
import { linearFit, segmentSlopes, summarize, type LinearFit, type Summary } from './stats';

export const HEADLINE_TARGET = 1.5;
/** A fleet scales "linearly or better" when its last step costs at most this much more per homeserver than the average step. */
export const LINEARITY_TOLERANCE = 0.15;
export const TEST_TARGET_SECONDS = 60;

export type HeadlineId =
  | 'baseline'
  | 'load-only'
  | 'load-index'
  | 'synth-no-rules'
  | 'default'
  | 'snapshot'
  | 'cached'
  | 'cached-app'
  | 'stacks-unaffected'
  | 'edit-fresh'
  | 'stacks-edit';

/** The fresh synthesis whose stacks a row must equal ("same stacks as fresh"): the default deployment's, unless named here. */
export const SAME_STACKS_AS: Partial<Record<string, HeadlineId>> = { 'stacks-edit': 'edit-fresh', 'edit-fresh': 'edit-fresh' };

/** How the benchmark's V8 startup snapshot was built (scripts/bench/snapshot.ts), or why it could not be. */
export interface SnapshotBuild {
  readonly bundleSeconds?: number;
  readonly snapshotSeconds?: number;
  readonly bundleBytes?: number;
  readonly blobBytes?: number;
  readonly error?: string;
}

export interface BenchOptions {
  readonly runs: number;
  readonly fleets: readonly number[];
  readonly runners: readonly RunnerId[];
  readonly withTests: boolean;
}

export interface BenchResults {
  readonly machine: MachineDescription;
  readonly loadAverageAtEnd: readonly number[];
  readonly options: BenchOptions;
  /** The command that reproduces this run. */
  readonly command: string;
  /** cdktf.json's `app` (also `npm run synth`): the option it names is marked in the report. */
  readonly appCommand?: string;
  readonly headline: readonly Measurement[];
  readonly snapshot?: SnapshotBuild;
  readonly fleets: readonly { readonly size: number; readonly measurement: Measurement }[];
  /** The largest fleet with one homeserver's value changed: synthesized fresh, then with the other stacks from the stack cache. */
  readonly fleetEdit?: { readonly size: number; readonly fresh: Measurement; readonly stacks: Measurement };
  readonly compile: readonly Measurement[];
  /** One per runner of the options; 'node-dist' is the headline's default measurement. */
  readonly runners: readonly Measurement[];
  readonly runnerVersions: Readonly<Record<string, string>>;
  readonly runnerInstallError?: string;
  readonly tests?: { readonly measurement: Measurement; readonly workers?: number; readonly summary?: string };
  readonly durationSeconds: number;
  /** The app's sources changed between the start and the end of the run (someone edited them meanwhile). */
  readonly sourcesChanged?: boolean;
}

export type OkMeasurement = Extract<Measurement, { status: 'ok' }>;

export function isOk(measurement: Measurement | undefined): measurement is OkMeasurement {
  return measurement?.status === 'ok' && measurement.samples.length > 0;
}

export interface Stats {
  readonly wall: Summary;
  readonly rssMiB: Summary;
  readonly cpu: Summary;
  readonly firstWall: number;
}

export function statsOf(measurement: Measurement | undefined): Stats | undefined {
  if (!isOk(measurement)) return undefined;
  return {
    wall: summarize(measurement.samples.map((sample) => sample.wallSeconds)),
    rssMiB: summarize(measurement.samples.map((sample) => sample.maxRssKb / 1024)),
    cpu: summarize(measurement.samples.map((sample) => sample.cpuSeconds)),
    firstWall: measurement.warmup.wallSeconds,
  };
}

export function byId<T extends { readonly id: string }>(items: readonly T[], id: string): T | undefined {
  return items.find((item) => item.id === id);
}

export interface Headline {
  readonly wallRatio: number;
  readonly rssRatio: number;
  readonly cpuRatio: number;
  readonly met: boolean;
}

/** The ratio of measurement `id` (default: the fresh synthesis + audit) to the baseline, and whether it meets the target. */
export function headlineOf(measurements: readonly Measurement[], id: HeadlineId = 'default'): Headline | undefined {
  const baseline = statsOf(byId(measurements, 'baseline'));
  const deployment = statsOf(byId(measurements, id));
  if (!baseline || !deployment) return undefined;
  const wallRatio = deployment.wall.median / baseline.wall.median;
  const rssRatio = deployment.rssMiB.median / baseline.rssMiB.median;
  return {
    wallRatio,
    rssRatio,
    cpuRatio: deployment.cpu.median / baseline.cpu.median,
    met: wallRatio <= HEADLINE_TARGET && rssRatio <= HEADLINE_TARGET,
  };
}

export interface FleetPoint {
  readonly size: number;
  readonly stacks?: number;
  readonly wall: number;
  readonly rssMiB: number;
}

export type FleetVerdict = 'linear or better' | 'superlinear' | 'not enough fleet sizes';

export interface FleetScaling {
  readonly points: readonly FleetPoint[];
  readonly wallFit?: LinearFit;
  readonly rssFit?: LinearFit;
  /** (t(largest) − t(smallest)) / (largest − smallest): the cost of one more homeserver. */
  readonly marginalWall?: number;
  readonly marginalRssMiB?: number;
  readonly segments: readonly { readonly from: number; readonly to: number; readonly slope: number }[];
  readonly verdict: FleetVerdict;
  readonly explanation: string;
}

export function fleetScaling(points: readonly FleetPoint[]): FleetScaling {
  const sorted = [...points].sort((a, b) => a.size - b.size);
  const segments = segmentSlopes(sorted.map((point) => [point.size, point.wall] as const));
  if (sorted.length < 2)
    return {
      points: sorted,
      segments,
      verdict: 'not enough fleet sizes',
      explanation: 'at least two fleet sizes are needed for a per-homeserver cost, three for a linearity check',
    };
  const first = sorted[0] as FleetPoint;
  const last = sorted[sorted.length - 1] as FleetPoint;
  const span = last.size - first.size;
  const marginalWall = (last.wall - first.wall) / span;
  const marginalRssMiB = (last.rssMiB - first.rssMiB) / span;
  const wallFit = linearFit(sorted.map((point) => [point.size, point.wall] as const));
  const rssFit = linearFit(sorted.map((point) => [point.size, point.rssMiB] as const));
  const base = { points: sorted, wallFit, rssFit, marginalWall, marginalRssMiB, segments };
  if (sorted.length < 3)
    return {
      ...base,
      verdict: 'not enough fleet sizes',
      explanation: 'three or more fleet sizes are needed to tell linear from superlinear',
    };
  const lastStep = segments[segments.length - 1]?.slope ?? marginalWall;
  const growth = lastStep / marginalWall;
  const text = `the last step (${segments[segments.length - 1]?.from}→${last.size}) costs ${lastStep.toFixed(3)} s per homeserver against ${marginalWall.toFixed(3)} s on average from ${first.size} to ${last.size} (${(growth * 100).toFixed(0)}%)`;
  return growth <= 1 + LINEARITY_TOLERANCE
    ? {
        ...base,
        verdict: 'linear or better',
        explanation: `${text}: within ${LINEARITY_TOLERANCE * 100}% of the average, so the cost per homeserver does not grow with the fleet`,
      }
    : {
        ...base,
        verdict: 'superlinear',
        explanation: `${text}: more than ${LINEARITY_TOLERANCE * 100}% above the average, so each homeserver costs more in a larger fleet`,
      };
}

export function fleetPoints(fleets: BenchResults['fleets']): FleetPoint[] {
  return fleets.flatMap(({ size, measurement }) => {
    const stats = statsOf(measurement);
    if (!stats || !isOk(measurement)) return [];
    const stacks = measurement.detail !== undefined ? Number(measurement.detail) : undefined;
    return [
      {
        size,
        wall: stats.wall.median,
        rssMiB: stats.rssMiB.median,
        ...(stacks !== undefined && Number.isFinite(stacks) ? { stacks } : {}),
      },
    ];
  });
}

/** One way of running `synth` end to end: a compile step (or none) and a runner. */
export interface AppCommandOption {
  readonly id: string;
  readonly command: string;
  /** Measurements whose medians add up to the warm time (and whose first runs, to the cold time). */
  readonly parts: readonly (RunnerId | CompileId)[];
  readonly typeSafety: string;
  /** Extra step CI needs for type safety (the whole project's `tsc --noEmit`), if any. */
  readonly ciTypeCheck: boolean;
  readonly newDevDependencies: readonly string[];
}

export function appCommandOptions(runners: readonly RunnerId[]): AppCommandOption[] {
  const options: AppCommandOption[] = [
    {
      id: 'tsc-full',
      command: 'tsc -p tsconfig.json && node dist/main.js',
      parts: ['tsc-full', 'node-dist'],
      typeSafety: 'whole project checked on every run',
      ciTypeCheck: false,
      newDevDependencies: [],
    },
    {
      id: 'incremental',
      command: 'tsc -p tsconfig.json --incremental && node dist/main.js',
      parts: ['tsc-incremental', 'node-dist'],
      typeSafety: 'whole project checked on every run (only changed files re-checked)',
      ciTypeCheck: false,
      newDevDependencies: [],
    },
    {
      id: 'app-only',
      command: 'tsc -p <app-only tsconfig> && node dist/main.js',
      parts: ['tsc-app', 'node-dist'],
      typeSafety: 'app checked on every run; tests and scripts by `tsc --noEmit` in CI',
      ciTypeCheck: true,
      newDevDependencies: [],
    },
    {
      id: 'app-only-incremental',
      command: 'tsc -p <app-only tsconfig> --incremental && node dist/main.js',
      parts: ['tsc-app-incremental', 'node-dist'],
      typeSafety: 'app checked on every run (only changed files re-checked); tests and scripts by `tsc --noEmit` in CI',
      ciTypeCheck: true,
      newDevDependencies: [],
    },
  ];
  for (const id of runners) {
    if (id === 'node-dist') continue;
    const runner = RUNNERS[id];
    options.push({
      id,
      command: runner.appCommand,
      parts: [id],
      typeSafety: runner.typeChecks
        ? 'app checked on every run; tests and scripts by `tsc --noEmit` in CI'
        : 'none at run time: `tsc --noEmit` in CI',
      ciTypeCheck: true,
      newDevDependencies: runner.packages,
    });
  }
  return options;
}

export interface CostedOption extends AppCommandOption {
  readonly warm: number;
  readonly cold: number;
  /** What CI pays: the cold app command plus the type check when the option needs it. */
  readonly ci: number;
}

export function costOptions(options: readonly AppCommandOption[], measurements: readonly Measurement[]): CostedOption[] {
  const typeCheck = statsOf(byId(measurements, 'tsc-noemit'));
  return options.flatMap((option) => {
    const stats = option.parts.map((part) => statsOf(byId(measurements, part)));
    if (stats.some((entry) => entry === undefined) || (option.ciTypeCheck && !typeCheck)) return [];
    const defined = stats as Stats[];
    const warm = defined.reduce((sum, entry) => sum + entry.wall.median, 0);
    const cold = defined.reduce((sum, entry) => sum + entry.firstWall, 0);
    return [{ ...option, warm, cold, ci: cold + (option.ciTypeCheck && typeCheck ? typeCheck.wall.median : 0) }];
  });
}

export interface Recommendation {
  readonly fastest?: CostedOption;
  readonly fastestWithoutNewDependency?: CostedOption;
}

/** Every option keeps type safety in CI (a runner that does not check is paired with `tsc --noEmit`): the fastest warm one wins. */
export function recommend(costed: readonly CostedOption[]): Recommendation {
  const byWarm = [...costed].sort((a, b) => a.warm - b.warm);
  const fastest = byWarm[0];
  const fastestWithoutNewDependency = byWarm.find((option) => option.newDevDependencies.length === 0);
  return { ...(fastest ? { fastest } : {}), ...(fastestWithoutNewDependency ? { fastestWithoutNewDependency } : {}) };
}

/** "Tests: 3 skipped, 812 passed, 815 total" from jest's summary. */
export function jestSummary(output: string): string | undefined {
  const lines = output.split('\n').map((line) => line.trim());
  const suites = lines.find((line) => line.startsWith('Test Suites:'));
  const tests = lines.find((line) => line.startsWith('Tests:'));
  return suites || tests ? [suites, tests].filter(Boolean).join('; ').replace(/\s+/g, ' ') : undefined;
}

/** maxWorkers from `jest --showConfig` (JSON). */
export function jestWorkers(showConfigOutput: string): number | undefined {
  try {
    const parsed = JSON.parse(showConfigOutput) as { globalConfig?: { maxWorkers?: unknown } };
    const workers = parsed.globalConfig?.maxWorkers;
    return typeof workers === 'number' ? workers : undefined;
  } catch {
    return undefined;
  }
}
