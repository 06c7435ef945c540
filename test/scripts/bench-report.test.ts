import {
  appCommandOptions,
  costOptions,
  fleetScaling,
  headlineOf,
  jestSummary,
  jestWorkers,
  recommend,
  type BenchResults,
} from '../../scripts/bench/analysis';
import { cpuModelFromCpuinfo, osNameFromOsRelease, type MachineDescription } from '../../scripts/bench/machine';
import type { Measurement } from '../../scripts/bench/measure';
import { DEFAULT_FLEETS, DEFAULT_REPORT, DEFAULT_RUNS, parseOptions, reproduceCommand } from '../../scripts/bench/options';
import { renderReport } from '../../scripts/bench/report';
import { RUNNER_IDS } from '../../scripts/bench/runners';

/** A measurement whose runs took `walls` seconds (the first is the warm-up) with `rssMiB` peak memory. */
function ok(id: string, walls: readonly number[], rssMiB = 100, detail?: string): Measurement {
  const sample = (wallSeconds: number) => ({ wallSeconds, maxRssKb: rssMiB * 1024, cpuSeconds: wallSeconds, exitStatus: 0 });
  const [warmup, ...rest] = walls.map(sample);
  if (!warmup) throw new Error('needs runs');
  return { id, label: id, display: `run ${id}`, status: 'ok', warmup, samples: rest, ...(detail !== undefined ? { detail } : {}) };
}

function fingerprinted(measurement: Measurement, fingerprint: string): Measurement {
  return { ...measurement, fingerprint } as Measurement;
}

describe('headline and fleet analysis', () => {
  it('divides the default deployment by the baseline, medians against medians', () => {
    const headline = headlineOf([ok('baseline', [9, 0.2, 0.2, 0.3], 60), ok('default', [9, 1.2, 1.0, 1.3], 150)]);
    expect(headline?.wallRatio).toBeCloseTo(6, 10);
    expect(headline?.rssRatio).toBeCloseTo(2.5, 10);
    expect(headline?.met).toBe(false);
    expect(headlineOf([ok('baseline', [1, 1], 100), ok('default', [1, 1.4], 140)])?.met).toBe(true);
    expect(headlineOf([ok('baseline', [1, 1])])).toBeUndefined();
  });

  it('calls a fleet linear when the per-homeserver cost does not grow', () => {
    const scaling = fleetScaling([
      { size: 1, wall: 1.5, rssMiB: 150 },
      { size: 5, wall: 3.1, rssMiB: 170 },
      { size: 20, wall: 8.0, rssMiB: 245 },
      { size: 50, wall: 17.5, rssMiB: 395 },
    ]);
    expect(scaling.marginalWall).toBeCloseTo(16 / 49, 10);
    expect(scaling.marginalRssMiB).toBeCloseTo(245 / 49, 10);
    expect(scaling.verdict).toBe('linear or better');
    expect(scaling.wallFit?.r2).toBeGreaterThan(0.99);
  });

  it('calls a fleet superlinear when the last step costs clearly more per homeserver', () => {
    const quadratic = [1, 5, 20, 50].map((size) => ({ size, wall: 1 + 0.01 * size * size, rssMiB: 100 }));
    expect(fleetScaling(quadratic).verdict).toBe('superlinear');
  });

  it('does not judge linearity from fewer than three sizes', () => {
    const two = fleetScaling([
      { size: 1, wall: 1, rssMiB: 100 },
      { size: 5, wall: 3, rssMiB: 120 },
    ]);
    expect(two.verdict).toBe('not enough fleet sizes');
    expect(two.marginalWall).toBeCloseTo(0.5, 10);
    expect(fleetScaling([{ size: 1, wall: 1, rssMiB: 100 }]).marginalWall).toBeUndefined();
  });
});

describe('runner choice', () => {
  const measurements = [
    ok('tsc-full', [9, 8], 400),
    ok('tsc-noemit', [8, 7], 380),
    ok('tsc-app', [6, 5], 320),
    ok('tsc-incremental', [12, 2.5], 260),
    ok('node-dist', [1.3, 1.2], 150),
    ok('tsx', [2.6, 1.8], 260),
    ok('ts-node', [12, 10], 520),
  ];

  it('costs each app command as the sum of its parts, and adds the type check to CI where needed', () => {
    const costed = costOptions(appCommandOptions(RUNNER_IDS), measurements);
    const byId = new Map(costed.map((option) => [option.id, option]));
    expect(byId.get('tsc-full')).toMatchObject({ warm: 9.2, cold: 10.3, ci: 10.3 });
    expect(byId.get('incremental')?.warm).toBeCloseTo(3.7, 10);
    expect(byId.get('tsx')).toMatchObject({ warm: 1.8, cold: 2.6, ci: 9.6, newDevDependencies: ['tsx'] });
    // Runners without a measurement (swc-node, strip-types here) are left out, not costed at zero.
    expect(byId.has('swc-node')).toBe(false);
  });

  it('recommends the fastest warm command, and names the fastest without a new dependency', () => {
    const { fastest, fastestWithoutNewDependency } = recommend(costOptions(appCommandOptions(RUNNER_IDS), measurements));
    expect(fastest?.id).toBe('tsx');
    expect(fastestWithoutNewDependency?.id).toBe('incremental');
  });
});

describe('parsers', () => {
  it('reads jest summaries and worker counts', () => {
    const output =
      'PASS test/a.test.ts\nTest Suites: 1 skipped, 60 passed, 61 total\nTests:       3 skipped, 812 passed, 815 total\nTime: 80 s\n';
    expect(jestSummary(output)).toBe('Test Suites: 1 skipped, 60 passed, 61 total; Tests: 3 skipped, 812 passed, 815 total');
    expect(jestSummary('nothing')).toBeUndefined();
    expect(jestWorkers(JSON.stringify({ globalConfig: { maxWorkers: 1 } }))).toBe(1);
    expect(jestWorkers('not json')).toBeUndefined();
  });

  it('reads the CPU model and the OS name', () => {
    expect(cpuModelFromCpuinfo('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n')).toBe(
      'AMD EPYC 7B13',
    );
    expect(cpuModelFromCpuinfo('processor : 0\nHardware : BCM2835\n')).toBe('BCM2835');
    expect(cpuModelFromCpuinfo('')).toBeUndefined();
    expect(osNameFromOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
  });
});

describe('options', () => {
  it('defaults to 5 runs, fleets 1, 5, 20, 50, every runner, no tests, printing only', () => {
    const options = parseOptions([]);
    expect(options).toEqual({ runs: DEFAULT_RUNS, fleets: DEFAULT_FLEETS, runners: RUNNER_IDS, withTests: false, help: false });
    expect(reproduceCommand(options)).toBe('npm run bench -- --runs 5');
  });

  it('parses every option, keeps node-dist among the runners, and reproduces the command', () => {
    const options = parseOptions(['--runs', '2', '--fleets', '5,1,5', '--runners', 'tsx', '--with-tests', '--write']);
    expect(options).toMatchObject({ runs: 2, fleets: [1, 5], runners: ['node-dist', 'tsx'], withTests: true, out: DEFAULT_REPORT });
    expect(reproduceCommand(options)).toBe('npm run bench -- --runs 2 --fleets 1,5 --runners node-dist,tsx --with-tests --write');
    expect(parseOptions(['--fleets', 'none']).fleets).toEqual([]);
    expect(() => parseOptions(['--fleets', '5,0'])).toThrow(/--fleets takes fleet sizes from 1 to 999/);
    expect(parseOptions(['3']).runs).toBe(3);
  });

  it('refuses bad values with a message', () => {
    expect(() => parseOptions(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parseOptions(['--runs'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--runners', 'bun'])).toThrow(/unknown runner/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(/unknown option/);
  });
});

describe('renderReport', () => {
  const machine: MachineDescription = {
    cpuModel: 'AMD EPYC 7B13',
    cores: 2,
    memoryGiB: 23.5,
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: 'Linux 6.1 x64',
    node: 'v20.20.2',
    npm: '11.19.1',
    typescript: '5.9.3',
    timeTool: 'GNU time 1.9',
    commit: 'abc123',
    date: '2026-01-01T00:00:00.000Z',
    loadAverageAtStart: [0.05, 0.1, 0.2],
  };
  const results: BenchResults = {
    machine,
    loadAverageAtEnd: [1, 1, 1],
    options: { runs: 2, fleets: [1, 5, 20], runners: RUNNER_IDS, withTests: false },
    command: 'npm run bench -- --runs 2 --fleets 1,5,20',
    headline: [
      ok('baseline', [0.3, 0.2, 0.2], 60),
      ok('load-only', [0.5, 0.45, 0.45], 100),
      ok('synth-no-rules', [1.2, 1.1, 1.1], 150),
      ok('default', [1.5, 1.2, 1.2], 150, '7'),
    ],
    fleets: [
      { size: 1, measurement: ok('fleet-1', [1.6, 1.5, 1.5], 150, '7') },
      { size: 5, measurement: ok('fleet-5', [3.2, 3.0, 3.0], 170, '23') },
      { size: 20, measurement: ok('fleet-20', [8.1, 7.5, 7.5], 245, '83') },
    ],
    compile: [
      ok('tsc-full', [9, 8, 8], 400),
      ok('tsc-noemit', [8, 7, 7], 380),
      ok('tsc-app', [6, 5, 5], 320),
      ok('tsc-incremental', [12, 2.5, 2.5], 260),
    ],
    runners: [
      { ...ok('node-dist', [1.5, 1.2, 1.2], 150), fingerprint: 'f1' } as Measurement,
      { ...ok('tsx', [2.6, 1.8, 1.8], 260), fingerprint: 'f1' } as Measurement,
      { ...ok('swc-node', [3, 2.9, 2.9], 300), fingerprint: 'f2' } as Measurement,
      {
        id: 'ts-node',
        label: 'ts-node',
        display: 'node -r ts-node/register main.ts',
        status: 'failed',
        reason: 'exit 1: TSError: boom\nstack line',
      },
      { id: 'strip-types', label: 'strip', display: '–', status: 'unavailable', reason: 'node v20.20.2 does not support it' },
    ],
    runnerVersions: { tsx: '4.23.15' },
    durationSeconds: 600,
  };

  it('describes the machine and the command, and states the headline with its verdict', () => {
    const report = renderReport(results);
    expect(report).toContain('Generated by `npm run bench -- --runs 2 --fleets 1,5,20`');
    expect(report).toContain('| CPU | AMD EPYC 7B13, 2 cores available |');
    expect(report).toContain('0.05 / 0.10 / 0.20 at the start');
    expect(report).toContain('takes 6.00× the wall time and 2.50× the peak memory of an empty cdktf app');
    expect(report).toContain('Target ≤ 1.5× on both: **not met**');
  });

  it('reports fleets with the per-homeserver cost and the linearity verdict', () => {
    const report = renderReport(results);
    expect(report).toContain('| 20 | 83 | 7.50 s (7.50–7.50) | 245 MiB (245–245) | 0.38 s | 0.30 s |');
    expect(report).toContain('(t(20) − t(1)) / 19: **0.32 s** wall');
    expect(report).toContain('**Scaling: linear or better**');
  });

  it('ranks the app commands, shows failures and unavailable runners, and says when tests were not measured', () => {
    const report = renderReport(results);
    expect(report).toContain('**Fastest:** `node --import tsx main.ts`, 1.80 s warm');
    expect(report).toContain(
      '**Fastest without a new dependency:** `tsc -p tsconfig.json --incremental && node dist/main.js`, 3.70 s warm',
    );
    expect(report).toContain('failed: exit 1: TSError: boom');
    expect(report).toContain('unavailable: node v20.20.2 does not support it');
    expect(report).toMatch(/## Failures[\s\S]*\*\*ts-node\*\*[\s\S]*stack line/);
    expect(report).toContain('Not measured in this run (`--with-tests`');
  });

  it('compares each stack cache run with the fresh synthesis of the same config, and reports the edited fleet', () => {
    const withStackCache: BenchResults = {
      ...results,
      headline: [
        ...results.headline.map((measurement) => (measurement.id === 'default' ? fingerprinted(measurement, 'd') : measurement)),
        fingerprinted(ok('stacks-unaffected', [0.4, 0.3, 0.3], 90, '0 built, 7 unchanged from the stack cache'), 'd'),
        fingerprinted(ok('edit-fresh', [1.5, 1.2, 1.2], 150), 'e'),
        fingerprinted(ok('stacks-edit', [0.8, 0.6, 0.6], 140, '2 built, 5 unchanged from the stack cache'), 'e'),
      ],
      fleetEdit: {
        size: 20,
        fresh: fingerprinted(ok('fleet-edit-fresh', [8, 7.5, 7.5], 245), 'f'),
        stacks: fingerprinted(ok('fleet-edit-stacks', [2, 1.5, 1.5], 240, '1 built, 82 unchanged from the stack cache'), 'g'),
      },
    };
    const report = renderReport(withStackCache);
    const rows = report.split('\n');
    expect(rows.find((row) => row.startsWith('| stacks-unaffected'))).toMatch(/\| yes \|$/);
    expect(rows.find((row) => row.startsWith('| edit-fresh'))).toMatch(/\| reference \|$/);
    expect(rows.find((row) => row.startsWith('| stacks-edit'))).toMatch(/\| yes \|$/);
    expect(report).toContain('(2.00× faster than the same edit synthesized fresh, 2 built, 5 unchanged from the stack cache)');
    expect(report).toContain('**One homeserver edited in the fleet of 20**');
    expect(report).toContain(
      '- With the stack cache: 5.00× faster than fresh (1 built, 82 unchanged from the stack cache); same stacks as fresh: **no**.',
    );
  });

  it('says whether each runner synthesized the same stacks as precompiled JS', () => {
    const rows = renderReport(results).split('\n');
    expect(rows.find((row) => row.startsWith('| precompiled JS'))).toMatch(/\| reference \|$/);
    expect(rows.find((row) => row.startsWith('| tsx'))).toMatch(/\| no \| yes \|$/);
    expect(rows.find((row) => row.startsWith('| @swc-node'))).toMatch(/\| \*\*no\*\* \|$/);
  });

  it('renders a run without fleets or runner alternatives', () => {
    const report = renderReport({
      ...results,
      fleets: [],
      runners: [results.runners[0] as Measurement],
      options: { ...results.options, fleets: [], runners: ['node-dist'] },
    });
    expect(report).toContain('Not measured (`--fleets` was empty).');
    expect(report).toContain('**Fastest:** `tsc -p tsconfig.json --incremental && node dist/main.js`, 3.70 s warm');
  });

  it('warns when the sources changed during the run, and only then', () => {
    expect(renderReport(results)).not.toContain('the sources changed');
    expect(renderReport({ ...results, sourcesChanged: true })).toContain('**Warning: the sources changed while this run was measuring.**');
  });

  it('reports the median of the warm npm test runs against the 60 s target with the worker count', () => {
    const report = renderReport({
      ...results,
      tests: { measurement: ok('npm-test', [95, 58, 70, 61], 900), workers: 1, summary: 'Tests: 815 passed, 815 total' },
    });
    expect(report).toContain('**61.00 s** warm (58.00–70.00; target under 60 s: **not met**)');
    expect(report).toContain('| first run (warm-up) | 95.00 s |');
    expect(report).toContain('| jest workers | 1 |');
    expect(report).toContain('Tests: 815 passed, 815 total');
    const met = renderReport({ ...results, tests: { measurement: ok('npm-test', [95, 58, 59.5, 64], 900), workers: 2 } });
    expect(met).toContain('**59.50 s** warm (58.00–64.00; target under 60 s: **met**)');
  });
});
