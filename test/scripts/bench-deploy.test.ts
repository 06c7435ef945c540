import { parseDeployOptions, reproduceDeployCommand } from '../../scripts/bench/deploy-options';
import { renderDeployReport, stackKind } from '../../scripts/bench/deploy-report';
import type { DeployBenchResults, DeployRun } from '../../scripts/bench/deploy-results';

function run(homeservers: number, mode: DeployRun['mode'], deploy: number, replan: number, providerBytes: number): DeployRun {
  return {
    homeservers,
    mode,
    parallelism: mode === 'serial' ? 1 : 4,
    pluginCache: mode === 'parallel',
    stacks: 3 + 6 * homeservers,
    synth: 1,
    deploy,
    replan,
    perpetualDiffs: [],
    providerBytes,
    peakMemoryMiB: 900,
    perStack: [
      { stack: 'fleet-platform', init: 0.2, plan: 3, apply: 30, replan: 3 },
      { stack: 'hsaaa-homeserver', init: 0.3, plan: 12, apply: 18, replan: 10 },
      { stack: 'hsaab-homeserver', init: 0.5, plan: 14, apply: 20, replan: 12 },
    ],
  };
}

const results: DeployBenchResults = {
  date: '2026-12-07T00:00:00.000Z',
  commit: 'abc123',
  machine: { cpuModel: 'CPU', cores: 2, memoryGiB: 23.5, os: 'Linux' },
  tofuVersion: '1.10.10',
  kubernetesVersion: 'v1.37.2',
  loadAverageAtStart: [0.5, 0.4, 0.3],
  loadAverageAtEnd: [2, 2, 2],
  durationSeconds: 3600,
  runs: [
    run(1, 'serial', 200, 60, 9 * 119 * 2 ** 20),
    run(1, 'parallel', 100, 30, 119 * 2 ** 20),
    run(5, 'parallel', 300, 90, 119 * 2 ** 20),
    run(20, 'parallel', 1050, 330, 119 * 2 ** 20),
  ],
};

describe('the deploy bench options', () => {
  it('defaults to fleets 1, 5, 20, 50 side by side and 1, 5 also one stack at a time', () => {
    expect(parseDeployOptions(['--deploy'])).toEqual({
      fleets: [1, 5, 20, 50],
      serialFleets: [1, 5],
      parallelism: 4,
      renderOnly: false,
      help: false,
    });
    expect(reproduceDeployCommand(parseDeployOptions(['--deploy', '--write']))).toBe('npm run bench -- --deploy --write');
  });

  it.each([
    [['--fleets', '0'], '--fleets takes fleet sizes from 1 to 999'],
    [['--fleets', '5,x'], '--fleets takes fleet sizes from 1 to 999'],
    [['--parallelism', '0'], '--parallelism takes 1 to 64'],
    [['--fleets', '5', '--serial-fleets', '1'], '--serial-fleets 1 not in --fleets 5'],
    [['--runs', '3'], 'unknown option "--runs"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDeployOptions(['--deploy', ...argv])).toThrow(message);
  });

  it('repeats a non-default run exactly', () => {
    const options = parseDeployOptions(['--deploy', '--fleets', '20,1', '--serial-fleets', 'none', '--parallelism', '2', '--out', 'x.md']);
    expect(reproduceDeployCommand(options)).toBe('npm run bench -- --deploy --fleets 1,20 --serial-fleets none --parallelism 2 --out x.md');
  });
});

describe('the deploy report', () => {
  const report = renderDeployReport(results, 'npm run bench -- --deploy --write');

  it('names the stack kind after the homeserver or deployment name', () => {
    expect(stackKind('fleet-secret-store', 'fleet')).toBe('secret-store');
    expect(stackKind('hsaab-homeserver', 'fleet')).toBe('homeserver');
  });

  it('compares before and after for the same fleet in the same run', () => {
    expect(report).toContain('| 1 | 200.0 s → 100.0 s | 2.00× | 60.0 s → 30.0 s | 2.00× | 1,071 MiB → 119 MiB (9.00× less) |');
  });

  it('fits the growth with the fleet and states r²', () => {
    expect(report).toContain('- deploy, side by side = 50.0 s + 50.0 s × homeservers (r² = 1.0000)');
    // One serial size: no line for it; two sizes: a line, but no r².
    expect(report).not.toContain('one at a time =');
    const two = renderDeployReport({ ...results, runs: [...results.runs, run(5, 'serial', 600, 200, 1)] }, 'x');
    expect(two).toContain(
      '- deploy, one at a time = 100.0 s + 100.0 s × homeservers (two sizes only: a line through them, no fit quality)',
    );
  });

  it('shows where the time goes in the largest fleet, per kind of stack', () => {
    expect(report).toContain('### Where the time goes (fleet of 20, 4 at a time; median per stack)');
    expect(report).toContain('| homeserver | 2 | 0.4 s | 13.0 s | 19.0 s | 11.0 s |');
  });

  it('reports perpetual diffs by stack name', () => {
    const withDiff = renderDeployReport({ ...results, runs: [{ ...run(1, 'parallel', 1, 1, 1), perpetualDiffs: ['hsaaa-media'] }] }, 'x');
    expect(withDiff).toContain('| hsaaa-media |');
    expect(withDiff).toContain('No fleet size was measured both ways in this run.');
  });
});
