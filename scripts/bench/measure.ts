/**
 * Runs commands as separate OS processes under GNU time (`/usr/bin/time -v -o <file>`), one
 * warm-up run first (kept apart: it fills OS and transpiler caches), then the measured runs.
 * A group of commands is measured round-robin (A B C, A B C, ...) so that drift in the
 * machine's load affects every member of the group, and so their ratios, alike.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTimeVerbose, type ProcessSample } from './time-output';

export const TIME_BINARY = '/usr/bin/time';

export interface CommandSpec {
  readonly id: string;
  readonly label: string;
  /** The program and its arguments (run without a shell). */
  readonly argv: readonly string[];
  /** How the command reads for a person (relative paths, placeholders). */
  readonly display: string;
  readonly env?: Readonly<Record<string, string>>;
  /** When set, every run gets a fresh, empty output directory in this variable (removed afterwards). */
  readonly outdirVariable?: string;
  /** Checked on each run's stdout; a mismatch fails the measurement (e.g. the synthesis summary line). */
  readonly expectStdout?: RegExp;
  /** Checked instead of expectStdout on the warm-up run (e.g. the run that fills a cache the measured runs hit). */
  readonly warmupStdout?: RegExp;
  /** Derives the measurement's detail from the last run's stdout + stderr (overrides the capture group). */
  readonly describeOutput?: (output: string) => string | undefined;
  /** Keep a run that exits non-zero (its sample records the exit status), e.g. a test suite with a failing test. */
  readonly allowFailure?: boolean;
  /** A subdirectory of the output directory whose content is hashed after each run (to compare runners' outputs). */
  readonly fingerprint?: string;
  /** Runs before each run of the command, outside the measurement (e.g. puts a cache back in its starting state). */
  readonly prepare?: () => void;
}

export type Measurement =
  | {
      readonly id: string;
      readonly label: string;
      readonly display: string;
      readonly status: 'ok';
      readonly warmup: ProcessSample;
      readonly samples: readonly ProcessSample[];
      /** From the last run: describeOutput's result, else expectStdout's first capture group (e.g. the number of stacks). */
      readonly detail?: string;
      /** sha256 over the paths and contents of the fingerprinted output (last run). */
      readonly fingerprint?: string;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly display: string;
      readonly status: 'failed' | 'unavailable';
      readonly reason: string;
    };

export function unavailable(spec: Pick<CommandSpec, 'id' | 'label' | 'display'>, reason: string): Measurement {
  return { id: spec.id, label: spec.label, display: spec.display, status: 'unavailable', reason };
}

export function timeToolProblem(): string | null {
  if (!fs.existsSync(TIME_BINARY)) {
    return `${TIME_BINARY} is missing: install GNU time (Debian/Ubuntu: \`apt-get install time\`; it is not the shell's \`time\` keyword)`;
  }
  const probe = spawnSync(TIME_BINARY, ['-v', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0 || !probe.stderr.includes('Maximum resident set size')) {
    return `${TIME_BINARY} is not GNU time (no -v report): install GNU time (Debian/Ubuntu: \`apt-get install time\`)`;
  }
  return null;
}

interface RunResult {
  readonly sample?: ProcessSample;
  readonly detail?: string;
  readonly fingerprint?: string;
  readonly failure?: string;
}

/** sha256 over every file below `directory`: relative path and content, in sorted order. */
export function fingerprintDirectory(directory: string): string {
  const hash = createHash('sha256');
  const walk = (relative: string): void => {
    const entries = fs
      .readdirSync(path.join(directory, relative), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else
        hash
          .update(`${child}\0`)
          .update(fs.readFileSync(path.join(directory, child)))
          .update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** First line: the gist (the output's first error line, else its last line); then the output's tail. */
function failure(gist: string, output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const telling = lines.find((line) => /error|failed|invalid|cannot|not found/i.test(line)) ?? lines[lines.length - 1] ?? '';
  return `${gist}: ${telling.slice(0, 200)}\n${tail(output)}`;
}

function runOnce(spec: CommandSpec, cwd: string, scratch: string, runIndex: number): RunResult {
  const report = path.join(scratch, `${spec.id}-${runIndex}.time`);
  const env: Record<string, string | undefined> = { ...process.env, CHECKPOINT_DISABLE: '1', ...spec.env };
  // Always named cdktf.out (in a directory of its own per run), as the app's default: the audit report names it.
  const outdirParent = spec.outdirVariable ? path.join(scratch, `${spec.id}-${runIndex}`) : undefined;
  const outdir = outdirParent ? path.join(outdirParent, 'cdktf.out') : undefined;
  if (outdirParent) fs.mkdirSync(outdirParent, { recursive: true });
  if (outdir && spec.outdirVariable) env[spec.outdirVariable] = outdir;
  const [program, ...args] = spec.argv;
  if (program === undefined) throw new Error(`empty command for ${spec.id}`);
  spec.prepare?.();
  try {
    const run = spawnSync(TIME_BINARY, ['-v', '-o', report, program, ...args], {
      cwd,
      env,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (run.error) return { failure: `could not start: ${run.error.message}` };
    let sample: ProcessSample;
    try {
      sample = parseTimeVerbose(fs.readFileSync(report, 'utf8'));
    } catch (error) {
      return { failure: failure((error as Error).message, run.stderr) };
    }
    if ((sample.exitStatus !== 0 || run.status !== 0) && !(spec.allowFailure && run.status !== null)) {
      return { failure: failure(`exit ${sample.exitStatus}${run.signal ? ` (${run.signal})` : ''}`, `${run.stdout}\n${run.stderr}`) };
    }
    const expected = runIndex === 0 && spec.warmupStdout ? spec.warmupStdout : spec.expectStdout;
    const match = expected?.exec(run.stdout);
    if (expected && !match) return { failure: failure(`unexpected output (wanted ${expected})`, `${run.stdout}\n${run.stderr}`) };
    const detail = spec.describeOutput ? spec.describeOutput(`${run.stdout}\n${run.stderr}`) : match?.[1];
    const fingerprinted = spec.fingerprint && outdir ? path.join(outdir, spec.fingerprint) : undefined;
    const fingerprint = fingerprinted && fs.existsSync(fingerprinted) ? fingerprintDirectory(fingerprinted) : undefined;
    return { sample, ...(detail !== undefined ? { detail } : {}), ...(fingerprint !== undefined ? { fingerprint } : {}) };
  } finally {
    fs.rmSync(report, { force: true });
    if (outdirParent) fs.rmSync(outdirParent, { recursive: true, force: true });
  }
}

export interface GroupOptions {
  readonly cwd: string;
  readonly scratch: string;
  /** Measured runs after the warm-up. */
  readonly runs: number;
  readonly log?: (line: string) => void;
}

/** Measures every command of the group round-robin; a command that fails once is dropped from the group. */
export function measureGroup(specs: readonly CommandSpec[], options: GroupOptions): Measurement[] {
  const samples = new Map<string, ProcessSample[]>(specs.map((spec) => [spec.id, []]));
  const details = new Map<string, string>();
  const fingerprints = new Map<string, string>();
  const failures = new Map<string, string>();
  for (let round = 0; round <= options.runs; round++) {
    for (const spec of specs) {
      if (failures.has(spec.id)) continue;
      options.log?.(`  ${round === 0 ? 'warm-up' : `run ${round}/${options.runs}`}: ${spec.label}`);
      const result = runOnce(spec, options.cwd, options.scratch, round);
      if (result.failure !== undefined || result.sample === undefined) {
        failures.set(spec.id, result.failure ?? 'no sample');
        options.log?.(`    FAILED: ${result.failure ?? ''}`);
        continue;
      }
      options.log?.(`    ${result.sample.wallSeconds.toFixed(2)} s, ${(result.sample.maxRssKb / 1024).toFixed(0)} MiB`);
      samples.get(spec.id)?.push(result.sample);
      if (result.detail !== undefined) details.set(spec.id, result.detail);
      if (result.fingerprint !== undefined) fingerprints.set(spec.id, result.fingerprint);
    }
  }
  return specs.map((spec): Measurement => {
    const failure = failures.get(spec.id);
    const base = { id: spec.id, label: spec.label, display: spec.display };
    if (failure !== undefined) return { ...base, status: 'failed', reason: failure };
    const [warmup, ...measured] = samples.get(spec.id) ?? [];
    if (warmup === undefined) return { ...base, status: 'failed', reason: 'no run' };
    const detail = details.get(spec.id);
    const fingerprint = fingerprints.get(spec.id);
    return {
      ...base,
      status: 'ok',
      warmup,
      samples: measured,
      ...(detail !== undefined ? { detail } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    };
  });
}
