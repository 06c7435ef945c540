/**
 * `npm run bench`: a reproducible benchmark of the main job, in one run on one machine.
 * Every measured thing is a separate OS process under GNU time (`/usr/bin/time -v`):
 *   - the default deployment (synthesis + audit, `node dist/main.js`) against an empty cdktf app
 *     synthesized the same way (the ratio is the headline), with a breakdown (module loading,
 *     synthesis without the policy rules);
 *   - fleets of 1, 5, 20 and 50 homeservers (generated from config/examples/fleet.yaml):
 *     per-homeserver cost and a linearity check;
 *   - the compile steps and the ways of running the app: the project's own scripts/run-ts.cjs
 *     (esbuild), and ts-node, ts-node --transpile-only, tsx, @swc-node/register (installed
 *     outside the project) and node's type stripping;
 *   - with --with-tests, `npm test` (warm).
 * Prints a Markdown report (docs/benchmarks.md with --write). Run it on a quiet machine.
 *
 * Usage: npm run bench -- [--runs N] [--fleets 1,5,20,50] [--runners LIST] [--with-tests] [--write | --out FILE]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { appCommandOf } from '../config/app-command';
import { projectRoot } from '../config/project-root';
import { loadDeploymentConfig } from '../model/load-config';
import { jestSummary, jestWorkers, type BenchResults, type HeadlineId } from './bench/analysis';
import { runDeployBench } from './bench/deploy-run';
import { fleetConfig } from './bench/fleet-config';
import { describeMachine, sourceFingerprint } from './bench/machine';
import { measureGroup, timeToolProblem, unavailable, type CommandSpec, type GroupOptions, type Measurement } from './bench/measure';
import { parseOptions, reproduceCommand, USAGE, type CliOptions } from './bench/options';
import { renderReport } from './bench/report';
import { spliceSection } from './bench/report-sections';
import { compileCommands, installRunners, runnerCommand, RUNNERS, type RunnerInstall } from './bench/runners';
import { buildSnapshot, type BuiltSnapshot } from './bench/snapshot';

const SYNTH_OUTPUT = /^synthesized ([0-9]+) stacks/m;
/** Measured runs of `npm test` after its warm-up: a median, as for every other row. */
const TEST_RUNS = 3;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function nodeScript(root: string, id: HeadlineId, label: string, script: string, args: readonly string[], display: string): CommandSpec {
  return {
    id,
    label,
    argv: [process.execPath, path.join(root, 'dist', script), ...args],
    display,
    outdirVariable: 'CDKTF_OUTDIR',
    expectStdout: /^(?:synthesized ([0-9]+) stacks|loaded)/m,
  };
}

/** "N built, M unchanged from the stack cache", as the app reports a run that reused stacks. */
const STACK_CACHE_OUTPUT = /^synthesized [0-9]+ stacks.*; ([0-9]+ built, [0-9]+ unchanged from the stack cache)\)$/m;

/** A stack cache holding the entries of one synthesis of `configPath` (and no output cache entry), for runs to start from. */
function primedStackCache(root: string, scratch: string, configPath: string, name: string): string {
  const directory = path.join(scratch, `primed-${name}`);
  fs.mkdirSync(path.join(scratch, `prime-${name}`));
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'main.js'), configPath], {
    cwd: root,
    env: { ...process.env, MATRIX_SYNTH_CACHE: directory, CDKTF_OUTDIR: path.join(scratch, `prime-${name}`, 'cdktf.out') },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`priming the stack cache with ${configPath} failed: ${run.stderr}`);
  for (const file of fs.readdirSync(directory)) if (file.endsWith('.json')) fs.rmSync(path.join(directory, file));
  return directory;
}

/** A run of the app on `configPath` that starts from a copy of the primed stack cache every time. */
function stackCacheRun(
  root: string,
  primed: string,
  configPath: string,
): Pick<CommandSpec, 'argv' | 'env' | 'prepare' | 'expectStdout' | 'fingerprint' | 'outdirVariable'> {
  const directory = `${primed}-run`;
  return {
    argv: [process.execPath, path.join(root, 'dist', 'main.js'), configPath],
    env: { MATRIX_SYNTH_CACHE: directory },
    prepare: () => {
      fs.rmSync(directory, { recursive: true, force: true });
      fs.cpSync(primed, directory, { recursive: true });
    },
    expectStdout: STACK_CACHE_OUTPUT,
    fingerprint: 'stacks',
    outdirVariable: 'CDKTF_OUTDIR',
  };
}

/** `configPath`'s text with the YAML value at `at` replaced, written into `file`. */
function editedConfigFile(configPath: string, at: readonly (string | number)[], value: unknown, file: string): string {
  const document = parseDocument(fs.readFileSync(configPath, 'utf8'));
  document.setIn(at, value);
  fs.writeFileSync(file, document.toString());
  return file;
}

function headlineSpecs(root: string, scratch: string, snapshot: BuiltSnapshot): { specs: CommandSpec[]; skipped: Measurement[] } {
  const defaultConfig = path.join(root, 'config', 'default.yaml');
  // The stack cache rows: a comment added (no stack reads it), and the gateway's replicas changed (the stacks that read them are built).
  const primed = primedStackCache(root, scratch, defaultConfig, 'default');
  const commented = path.join(scratch, 'default-commented.yaml');
  fs.writeFileSync(commented, `# A comment: no stack reads it.\n${fs.readFileSync(defaultConfig, 'utf8')}`);
  const edited = editedConfigFile(defaultConfig, ['homeservers', 0, 'gateway', 'replicas'], 3, path.join(scratch, 'default-edited.yaml'));
  const synthesis = { expectStdout: SYNTH_OUTPUT, fingerprint: 'stacks' } as const;
  // Unchanged input: the warm-up run fills a cache of the bench's own, the measured runs reuse it.
  const cached = {
    env: { MATRIX_SYNTH_CACHE: path.join(scratch, 'synth-cache'), RUN_TS_CACHE: path.join(scratch, 'run-ts-cache') },
    fingerprint: 'stacks',
    warmupStdout: SYNTH_OUTPUT,
    expectStdout: /^synthesized ([0-9]+) stacks.*reused byte for byte/m,
  } as const;
  const snapshotLabel = 'default deployment from a V8 startup snapshot of the loaded modules (not adopted)';
  const snapshotDisplay = 'node --snapshot-blob <app-snapshot.blob> config/default.yaml';
  const snapshotSpec: CommandSpec[] = snapshot.blob
    ? [
        {
          id: 'snapshot',
          label: snapshotLabel,
          argv: [process.execPath, '--snapshot-blob', snapshot.blob, defaultConfig],
          display: snapshotDisplay,
          outdirVariable: 'CDKTF_OUTDIR',
          ...synthesis,
        },
      ]
    : [];
  const skipped = snapshot.blob
    ? []
    : [unavailable({ id: 'snapshot', label: snapshotLabel, display: snapshotDisplay }, snapshot.error ?? 'not built')];
  const specs = [
    nodeScript(
      root,
      'baseline',
      'baseline: empty cdktf app (1 stack, kubernetes provider)',
      'scripts/bench/empty-app.js',
      [],
      'node dist/scripts/bench/empty-app.js',
    ),
    nodeScript(
      root,
      'load-only',
      "the app's modules loaded, nothing synthesized",
      'scripts/bench/load-only.js',
      [],
      'node dist/scripts/bench/load-only.js',
    ),
    nodeScript(
      root,
      'load-index',
      "the app's modules with the providers' index modules (what the deep imports avoid)",
      'scripts/bench/load-index.js',
      [],
      'node dist/scripts/bench/load-index.js',
    ),
    nodeScript(
      root,
      'synth-no-rules',
      'default deployment, synthesis without policy rules',
      'scripts/bench/synth-no-rules.js',
      [defaultConfig],
      'node dist/scripts/bench/synth-no-rules.js config/default.yaml',
    ),
    {
      ...nodeScript(
        root,
        'default',
        'default deployment: synthesis + audit (fresh: output cache off)',
        'main.js',
        [defaultConfig],
        'node dist/main.js config/default.yaml',
      ),
      ...synthesis,
    },
    ...snapshotSpec,
    {
      ...nodeScript(
        root,
        'cached',
        'default deployment, unchanged input: output cache hit',
        'main.js',
        [defaultConfig],
        'node dist/main.js config/default.yaml (cache filled)',
      ),
      ...cached,
    },
    {
      id: 'cached-app',
      label: 'the app command, unchanged input: output cache hit',
      argv: [process.execPath, path.join(root, 'scripts', 'run-ts.cjs'), path.join(root, 'main.ts'), defaultConfig],
      display: 'node scripts/run-ts.cjs main.ts config/default.yaml (caches filled)',
      outdirVariable: 'CDKTF_OUTDIR',
      ...cached,
    },
    {
      id: 'stacks-unaffected',
      label: 'default deployment, a comment added to the config: every stack from the stack cache (output cache miss)',
      display: 'node dist/main.js default-commented.yaml (stack cache primed by config/default.yaml)',
      ...stackCacheRun(root, primed, commented),
    },
    {
      ...nodeScript(
        root,
        'edit-fresh',
        "default deployment, one value changed (the gateway's replicas 2 → 3), fresh",
        'main.js',
        [edited],
        'node dist/main.js default-edited.yaml',
      ),
      ...synthesis,
    },
    {
      id: 'stacks-edit',
      label: 'the same edit, the stacks that did not read the value from the stack cache',
      display: 'node dist/main.js default-edited.yaml (stack cache primed by config/default.yaml)',
      ...stackCacheRun(root, primed, edited),
    },
  ];
  return { specs, skipped };
}

function fleetSpecs(root: string, scratch: string, sizes: readonly number[]): CommandSpec[] {
  return sizes.map((size) => {
    const file = path.join(scratch, `fleet-${size}.yaml`);
    fs.writeFileSync(file, fleetConfig(size));
    const config = loadDeploymentConfig(file); // throws, naming every problem, if the generator produced an invalid config
    if (config.homeservers.length !== size) throw new Error(`fleet-${size}.yaml has ${config.homeservers.length} homeservers`);
    return {
      id: `fleet-${size}`,
      label: `fleet of ${size}`,
      argv: [process.execPath, path.join(root, 'dist', 'main.js'), file],
      display: `node dist/main.js fleet-${size}.yaml`,
      outdirVariable: 'CDKTF_OUTDIR',
      expectStdout: SYNTH_OUTPUT,
    };
  });
}

/** The largest fleet with one homeserver's gateway replicas changed: fresh, and from a stack cache primed by the unedited fleet. */
function fleetEditMeasurements(root: string, scratch: string, size: number, group: GroupOptions): BenchResults['fleetEdit'] {
  const fleet = path.join(scratch, `fleet-${size}.yaml`);
  const edited = editedConfigFile(
    fleet,
    ['homeservers', Math.floor(size / 2), 'gateway', 'replicas'],
    3,
    path.join(scratch, `fleet-${size}-edited.yaml`),
  );
  const primed = primedStackCache(root, scratch, fleet, `fleet-${size}`);
  const [fresh, stacks] = measureGroup(
    [
      {
        id: 'fleet-edit-fresh',
        label: 'fresh',
        argv: [process.execPath, path.join(root, 'dist', 'main.js'), edited],
        display: `node dist/main.js fleet-${size}-edited.yaml`,
        outdirVariable: 'CDKTF_OUTDIR',
        expectStdout: SYNTH_OUTPUT,
        fingerprint: 'stacks',
      },
      {
        id: 'fleet-edit-stacks',
        label: 'the other stacks from the stack cache',
        display: `node dist/main.js fleet-${size}-edited.yaml (stack cache primed by fleet-${size}.yaml)`,
        ...stackCacheRun(root, primed, edited),
      },
    ],
    group,
  );
  return fresh && stacks ? { size, fresh, stacks } : undefined;
}

function runnerMeasurements(
  root: string,
  scratch: string,
  options: CliOptions,
  install: RunnerInstall | undefined,
  defaultMeasurement: Measurement | undefined,
  logLine: (line: string) => void,
): Measurement[] {
  const specs: CommandSpec[] = [];
  const skipped: Measurement[] = [];
  for (const id of options.runners) {
    if (id === 'node-dist') continue;
    const command = runnerCommand(id, root, scratch, install, 'main.ts', ['config/default.yaml']);
    const base = { id, label: RUNNERS[id].label };
    if (typeof command === 'string')
      skipped.push(unavailable({ ...base, display: `${RUNNERS[id].appCommand} config/default.yaml` }, command));
    else specs.push({ ...base, ...command, outdirVariable: 'CDKTF_OUTDIR', expectStdout: SYNTH_OUTPUT, fingerprint: 'stacks' });
  }
  const measured = measureGroup(specs, { cwd: root, scratch, runs: options.runs, log: logLine });
  const reference = defaultMeasurement ? [{ ...defaultMeasurement, id: 'node-dist', label: RUNNERS['node-dist'].label }] : [];
  const all = [...reference, ...measured, ...skipped];
  return options.runners.flatMap((id) => all.filter((measurement) => measurement.id === id));
}

function measureTests(root: string, scratch: string): NonNullable<BenchResults['tests']> {
  const showConfig = spawnSync('npx', ['--no-install', 'jest', '--showConfig'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const workers = jestWorkers(showConfig.stdout);
  const [measurement] = measureGroup(
    [{ id: 'npm-test', label: '`npm test`', argv: ['npm', 'test'], display: 'npm test', allowFailure: true, describeOutput: jestSummary }],
    { cwd: root, scratch, runs: TEST_RUNS, log },
  );
  if (!measurement) throw new Error('unreachable: one spec, one measurement');
  return {
    measurement,
    ...(workers !== undefined ? { workers } : {}),
    ...(measurement.status === 'ok' && measurement.detail ? { summary: measurement.detail } : {}),
  };
}

function main(): number {
  let options: CliOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeProblem = timeToolProblem();
  if (timeProblem) {
    log(timeProblem);
    return 2;
  }
  const root = projectRoot();
  const appCommand = appCommandOf(root);
  for (const compiled of [
    'main.js',
    'scripts/bench/empty-app.js',
    'scripts/bench/load-only.js',
    'scripts/bench/load-index.js',
    'scripts/bench/synth-no-rules.js',
  ]) {
    if (!fs.existsSync(path.join(root, 'dist', compiled))) {
      log(`dist/${compiled} is missing: run the benchmark with \`npm run bench\` (it compiles first)`);
      return 2;
    }
  }
  // Every synthesis below is measured fresh unless its row says otherwise (the cache rows name a cache of their own).
  process.env.MATRIX_SYNTH_CACHE = 'off';
  const started = process.hrtime.bigint();
  const machine = describeMachine(root);
  const sourcesAtStart = sourceFingerprint(root);
  if (machine.loadAverageAtStart[0] !== undefined && machine.loadAverageAtStart[0] > 0.5) {
    log(`warning: load average ${machine.loadAverageAtStart[0].toFixed(2)}: the machine is busy, numbers will be noisy`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-bench-'));
  try {
    const group = { cwd: root, scratch, runs: options.runs, log };
    log('building the V8 startup snapshot');
    const snapshot = buildSnapshot(root, scratch);
    log(snapshot.error ?? `  ${((snapshot.blobBytes ?? 0) / 2 ** 20).toFixed(1)} MiB blob`);
    log(`headline: default deployment and baseline (${options.runs} runs + 1 warm-up each)`);
    const { specs: headlineList, skipped: headlineSkipped } = headlineSpecs(root, scratch, snapshot);
    const measuredHeadline = measureGroup(headlineList, group);
    const headline = [...measuredHeadline, ...headlineSkipped];
    const { blob: _blob, ...snapshotBuild } = snapshot;
    log(`fleets: ${options.fleets.join(', ') || 'none'}`);
    const fleetSpecsList = fleetSpecs(root, scratch, options.fleets);
    const fleetMeasurements = measureGroup(fleetSpecsList, group);
    const fleets = options.fleets.map((size, index) => ({ size, measurement: fleetMeasurements[index] as Measurement }));
    const largestFleet = Math.max(...options.fleets);
    log(`fleet of ${largestFleet}, one homeserver edited: fresh and from the stack cache`);
    const fleetEdit = options.fleets.length > 0 ? fleetEditMeasurements(root, scratch, largestFleet, group) : undefined;
    log('compile steps');
    const compile = measureGroup(compileCommands(root, scratch), group);
    const needsInstall = options.runners.some((id) => RUNNERS[id].packages.length > 0);
    const install = needsInstall ? installRunners(log) : undefined;
    if (install?.error) log(`runner install failed: ${install.error}`);
    log('runners');
    const runners = runnerMeasurements(
      root,
      scratch,
      options,
      install,
      headline.find((measurement) => measurement.id === 'default'),
      log,
    );
    const tests = options.withTests ? (log(`npm test (${TEST_RUNS + 1} times)`), measureTests(root, scratch)) : undefined;
    const results: BenchResults = {
      machine,
      loadAverageAtEnd: os.loadavg(),
      options,
      command: reproduceCommand(options),
      ...(appCommand !== undefined ? { appCommand } : {}),
      headline,
      snapshot: snapshotBuild,
      fleets,
      ...(fleetEdit ? { fleetEdit } : {}),
      compile,
      runners,
      runnerVersions: install?.versions ?? {},
      ...(install?.error ? { runnerInstallError: install.error } : {}),
      ...(tests ? { tests } : {}),
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      ...(sourceFingerprint(root) !== sourcesAtStart ? { sourcesChanged: true } : {}),
    };
    if (results.sourcesChanged) log('warning: the sources changed during the run; the numbers mix two versions of the app');
    const report = renderReport(results);
    process.stdout.write(report);
    if (options.out !== undefined) {
      const target = path.resolve(root, options.out);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const existing = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      fs.writeFileSync(target, spliceSection(existing, 'synthesis', report));
      log(`report written to ${path.relative(root, target)}`);
    }
    const failed = [
      ...headline,
      ...fleetMeasurements,
      ...(fleetEdit ? [fleetEdit.fresh, fleetEdit.stacks] : []),
      ...compile,
      ...runners,
      ...(tests ? [tests.measurement] : []),
    ].filter((measurement) => measurement.status === 'failed');
    if (failed.length > 0) {
      log(`failed: ${failed.map((measurement) => measurement.id).join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// `--deploy`: the deploy benchmark on the engine tier (scripts/bench/deploy-run.ts), a separate run.
process.exitCode = process.argv.includes('--deploy') ? runDeployBench(projectRoot(), process.argv.slice(2)) : main();
