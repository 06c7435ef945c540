/**
 * `npm run bench -- --deploy`: runs the engine scenario test/engine/deploy.bench.ts (jest,
 * jest.bench.config.js) with the options in its environment, then renders what it measured,
 * also when a later fleet size failed, and writes the report's `deploy` section.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOY_USAGE, parseDeployOptions, reproduceDeployCommand, type DeployOptions } from './deploy-options';
import { renderDeployReport } from './deploy-report';
import type { DeployBenchResults } from './deploy-results';
import { spliceSection } from './report-sections';

export function runDeployBench(root: string, argv: readonly string[]): number {
  const options = parseDeployOptions(argv);
  if (options.help) {
    process.stdout.write(`${DEPLOY_USAGE}\n`);
    return 0;
  }
  const resultsFile = path.join(root, 'reports', 'bench', 'deploy.json');
  if (options.renderOnly) return render(root, resultsFile, options, 0);
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run bench -- --deploy needs root: the engine tier runs its cluster in its own network namespace\n');
    return 2;
  }
  fs.rmSync(resultsFile, { force: true });
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '-c', 'jest.bench.config.js', '--runInBand'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      BENCH_DEPLOY_FLEETS: options.fleets.join(','),
      BENCH_DEPLOY_SERIAL_FLEETS: options.serialFleets.length ? options.serialFleets.join(',') : 'none',
      BENCH_DEPLOY_PARALLELISM: String(options.parallelism),
      BENCH_DEPLOY_RESULTS: resultsFile,
    },
  });
  return render(root, resultsFile, options, jest.status === 0 ? 0 : 1);
}

/** Renders the measured runs (also after a failed later size) and writes the section when asked. */
function render(root: string, resultsFile: string, options: DeployOptions, status: number): number {
  if (!fs.existsSync(resultsFile)) {
    process.stderr.write(`no deploy bench results in ${path.relative(root, resultsFile)} (see the output above)\n`);
    return 1;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as DeployBenchResults;
  const report = renderDeployReport(results, reproduceDeployCommand({ ...options, renderOnly: false }));
  process.stdout.write(report);
  if (options.out !== undefined) {
    const target = path.resolve(root, options.out);
    const existing = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    fs.writeFileSync(target, spliceSection(existing, 'deploy', report));
    process.stderr.write(`deploy section written to ${path.relative(root, target)}\n`);
  }
  return status;
}
