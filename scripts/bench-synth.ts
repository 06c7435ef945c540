/**
 * Measures synthesis time (config load + compose + synth + audit, as `npm run synth` does)
 * for the default deployment and the 3-homeserver fleet, against a baseline measured in the
 * same run: a cdktf App with one empty stack and the same provider. Reports medians and ratios.
 *
 * Usage: npm run bench [-- <runs>]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { DEFAULT_CONFIG_PATH } from '../config/load-config';
import { projectRoot } from '../config/project-root';
import { synthesizeDeployment } from '../stacks/synthesize-deployment';

const runs = Number(process.argv[2] ?? 5);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function time(action: () => void): number[] {
  action(); // warm-up: module loading and JIT are not what we measure
  return Array.from({ length: runs }, () => {
    const start = process.hrtime.bigint();
    action();
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
}

let counter = 0;
const baseline = time(() => {
  const app = new App({ outdir: path.join(scratch, `baseline-${counter++}`) });
  const stack = new TerraformStack(app, 'empty');
  new KubernetesProvider(stack, 'kubernetes', {});
  app.synth();
});

const stackCounts = new Map<string, number>();

function deployment(configPath: string): number[] {
  return time(() => {
    const outcome = synthesizeDeployment({ configPath, outdir: path.join(scratch, `out-${counter++}`) });
    if (!outcome.ok) throw new Error(`synthesis failed for ${configPath}`);
    stackCounts.set(configPath, outcome.stacks.length);
  });
}

/** Whole process, as `node dist/main.js <config>` runs after the build step. */
function processRun(args: string[]): number[] {
  return time(() => {
    const result = spawnSync(process.execPath, args, { cwd: projectRoot(), env: { ...process.env, CDKTF_OUTDIR: path.join(scratch, `proc-${counter++}`) }, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`process failed: ${args.join(' ')}`);
  });
}

const mainJs = path.join(projectRoot(), 'dist', 'main.js');
const fleetConfig = path.join(projectRoot(), 'config', 'examples', 'fleet.yaml');

const results = {
  runs,
  node: process.version,
  cpus: os.cpus().length,
  baselineMs: median(baseline),
  defaultMs: median(deployment(DEFAULT_CONFIG_PATH)),
  fleetMs: median(deployment(fleetConfig)),
  processBaselineMs: median(processRun(['-e', "require('cdktf')"])),
  processDefaultMs: median(processRun([mainJs, DEFAULT_CONFIG_PATH])),
  processFleetMs: median(processRun([mainJs, fleetConfig])),
};
fs.rmSync(scratch, { recursive: true, force: true });

const ratio = (value: number) => (value / results.baselineMs).toFixed(1);
process.stdout.write(
  [
    `synthesis benchmark (median of ${runs} runs, node ${results.node}, ${results.cpus} CPUs)`,
    `  baseline (1 empty stack):          ${results.baselineMs.toFixed(0)} ms`,
    `  default deployment (${stackCounts.get(DEFAULT_CONFIG_PATH)} stacks):     ${results.defaultMs.toFixed(0)} ms  (${ratio(results.defaultMs)}x baseline)`,
    `  3-homeserver fleet (${stackCounts.get(fleetConfig)} stacks):    ${results.fleetMs.toFixed(0)} ms  (${ratio(results.fleetMs)}x baseline)`,
    'whole process (node dist/main.js, excluding the tsc build step)',
    `  baseline (node loading cdktf): ${results.processBaselineMs.toFixed(0)} ms`,
    `  default deployment: ${results.processDefaultMs.toFixed(0)} ms  (${(results.processDefaultMs / results.processBaselineMs).toFixed(2)}x baseline)`,
    `  3-homeserver fleet: ${results.processFleetMs.toFixed(0)} ms  (${(results.processFleetMs / results.processBaselineMs).toFixed(2)}x baseline)`,
    '',
  ].join('\n'),
);
