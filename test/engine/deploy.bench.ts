/**
 * The deploy benchmark (`npm run bench -- --deploy`): generated fleets deployed by OpenTofu on
 * the engine tier's control plane, each size in a fresh cluster, timed per stack and command.
 * `serial` is one stack at a time with every stack unpacking its own providers; `parallel`
 * runs independent stacks side by side (at most `parallelism`, dependencies first) with one
 * shared plugin cache. Both take the providers from a packed mirror (the zip archives `tofu
 * providers mirror` writes). After the deploy every stack is planned again and must be empty.
 * Results are appended to BENCH_DEPLOY_RESULTS after each run, so a long run keeps what it
 * measured.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeployBenchResults, DeployMode, DeployRun, StackTiming } from '../../scripts/bench/deploy-results';
import { fleetConfig } from '../../scripts/bench/fleet-config';
import { describeMachine } from '../../scripts/bench/machine';
import { requireRoot } from '../support/sandbox';
import { DeploymentUnderTest } from './support/deployment-under-test';
import { ensureProviderMirror, KUBERNETES_VERSION, providerMirror, TOFU_VERSION } from './support/engine-tools';
import { startWorld } from './support/engine-world';
import { createSiteIssuer } from './support/site';
import { tierConfig } from './support/tier-config';
import { TofuRunner, type Timing } from './support/tofu-runner';

const DEPLOYMENT = 'fleet';

function sizes(variable: string, fallback: string): number[] {
  const text = process.env[variable] ?? fallback;
  return text === 'none' ? [] : text.split(',').map((item) => Number(item));
}

const fleets = sizes('BENCH_DEPLOY_FLEETS', '1,5,20,50');
const serialFleets = sizes('BENCH_DEPLOY_SERIAL_FLEETS', '1,5');
const parallelism = Number(process.env.BENCH_DEPLOY_PARALLELISM ?? '4');
const resultsFile = process.env.BENCH_DEPLOY_RESULTS ?? path.join(os.tmpdir(), 'deploy-bench.json');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-bench-'));
const started = Date.now();
const machine = describeMachine(process.cwd());
const runs: DeployRun[] = [];

/** The unpacked mirror repacked as `tofu providers mirror` lays it out: `<host>/<ns>/<type>/terraform-provider-<type>_<version>_<platform>.zip`. */
function packedMirror(unpacked: string, target: string): string {
  for (const host of fs.readdirSync(unpacked))
    for (const namespace of fs.readdirSync(path.join(unpacked, host)))
      for (const type of fs.readdirSync(path.join(unpacked, host, namespace)))
        for (const version of fs.readdirSync(path.join(unpacked, host, namespace, type)))
          for (const platform of fs.readdirSync(path.join(unpacked, host, namespace, type, version))) {
            const source = path.join(unpacked, host, namespace, type, version, platform);
            const directory = path.join(target, host, namespace, type);
            fs.mkdirSync(directory, { recursive: true });
            const archive = path.join(directory, `terraform-provider-${type}_${version}_${platform}.zip`);
            execFileSync('python3', ['-m', 'zipfile', '-c', archive, ...fs.readdirSync(source)], { cwd: source });
          }
  return target;
}

/** Bytes under `directory`, symbolic links counted as links (du without -L). */
function diskBytes(directories: readonly string[]): number {
  const existing = directories.filter((directory) => fs.existsSync(directory));
  if (existing.length === 0) return 0;
  const result = spawnSync('du', ['-s', '-B1', '-c', ...existing], { encoding: 'utf8' });
  const total = result.stdout.trim().split('\n').at(-1)?.split('\t')[0];
  return Number(total ?? 0);
}

const PAGE_SIZE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());

/** Resident memory (MiB) of every OpenTofu process and provider plugin on the machine (comm is cut at 15 characters). */
function engineMemoryMiB(): number {
  let pages = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'tofu' && !comm.startsWith('terraform-provi')) continue;
      pages += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1] ?? 0);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return (pages * PAGE_SIZE) / 2 ** 20;
}

/** Samples the engine's memory (OpenTofu and its providers) every second; returns the peak (MiB). */
function memorySampler(): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, engineMemoryMiB());
  }, 1000);
  return () => {
    clearInterval(timer);
    return Math.round(peak);
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function perStack(stacks: readonly string[], deploy: readonly Timing[], replan: readonly Timing[]): StackTiming[] {
  const sum = (timings: readonly Timing[], stack: string, command: string) =>
    seconds(
      timings.filter((timing) => timing.stack === stack && timing.command === command).reduce((total, timing) => total + timing.ms, 0),
    );
  return stacks.map((stack) => ({
    stack,
    init: sum(deploy, stack, 'init'),
    plan: sum(deploy, stack, 'plan'),
    apply: sum(deploy, stack, 'apply'),
    replan: sum(replan, stack, 'plan'),
  }));
}

function writeResults(): void {
  const results: DeployBenchResults = {
    date: new Date(started).toISOString(),
    commit: machine.commit,
    machine: { cpuModel: machine.cpuModel, cores: machine.cores, memoryGiB: machine.memoryGiB, os: machine.os },
    tofuVersion: TOFU_VERSION,
    kubernetesVersion: KUBERNETES_VERSION,
    loadAverageAtStart: machine.loadAverageAtStart,
    loadAverageAtEnd: os.loadavg(),
    durationSeconds: seconds(Date.now() - started),
    runs,
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(`${resultsFile}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(`${resultsFile}.tmp`, resultsFile);
}

let packed: string;

beforeAll(() => {
  requireRoot();
  packed = packedMirror(ensureProviderMirror(), path.join(root, 'packed-mirror'));
}, 60 * 60_000);

afterAll(() => {
  if (process.env.ENGINE_KEEP) console.warn(`deploy bench files kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
});

async function benchRun(homeservers: number, mode: DeployMode): Promise<DeployRun> {
  const directory = path.join(root, `fleet-${homeservers}-${mode}`);
  const world = await startWorld(path.join(directory, 'world'), {
    deploymentNames: [DEPLOYMENT],
    storageClass: 'encrypted-retain',
    volumesPerAccessMode: 8 + 6 * homeservers,
    nodeCapacity: { pods: 250 + 40 * homeservers, cpu: 64 + 16 * homeservers, memoryGi: 256 + 64 * homeservers },
  });
  try {
    const width = mode === 'serial' ? 1 : parallelism;
    const pluginCache = mode === 'parallel' ? path.join(directory, 'plugin-cache') : undefined;
    if (pluginCache) fs.mkdirSync(pluginCache, { recursive: true });
    const tofu = new TofuRunner(world.cluster.tier, world.tofuBinary, providerMirror(path.join(directory, 'engine'), packed), {
      SSL_CERT_FILE: world.repositoryCa,
      ...(pluginCache ? { TF_PLUGIN_CACHE_DIR: pluginCache } : {}),
    });
    const template = path.join(directory, `fleet-${homeservers}.yaml`);
    fs.writeFileSync(template, fleetConfig(homeservers));
    const configFile = path.join(directory, 'config.yaml');
    fs.writeFileSync(
      configFile,
      tierConfig(template, {
        kubeconfig: world.cluster.kubeconfig,
        chartRepository: world.chartRepository,
        charts: world.charts,
        state: { backend: 'local', directory: 'state' },
      }),
    );
    const deployment = new DeploymentUnderTest(path.join(directory, 'deployment'), configFile, tofu);
    const synthStarted = Date.now();
    deployment.synth();
    const synth = seconds(Date.now() - synthStarted);

    const peakMemory = memorySampler();
    const deploy = await deployment.forEachStack(
      async (stack) => {
        const stackDirectory = deployment.stackDirectory(stack);
        await tofu.must(stackDirectory, ['init', '-input=false']);
        await tofu.must(stackDirectory, ['plan', '-input=false', '-out=deploy.tfplan']);
        await tofu.must(stackDirectory, ['apply', '-input=false', '-auto-approve', 'deploy.tfplan']);
        if (stack === `${DEPLOYMENT}-platform`) await createSiteIssuer(world.cluster);
      },
      { parallelism: width },
    );
    const peakMemoryMiB = peakMemory();
    const deployTimings = [...tofu.timings];
    tofu.timings.length = 0;

    const perpetualDiffs: string[] = [];
    const replan = await deployment.forEachStack(
      async (stack) => {
        const result = await tofu.must(deployment.stackDirectory(stack), ['plan', '-input=false', '-detailed-exitcode'], [0, 2]);
        if (result.status === 2) perpetualDiffs.push(stack);
      },
      { parallelism: width },
    );
    const stacks = deployment.stacks;
    return {
      homeservers,
      mode,
      parallelism: width,
      pluginCache: pluginCache !== undefined,
      stacks: stacks.length,
      synth,
      deploy: seconds(deploy),
      replan: seconds(replan),
      perpetualDiffs,
      providerBytes: diskBytes([
        ...stacks.map((stack) => path.join(deployment.stackDirectory(stack), '.terraform')),
        ...(pluginCache ? [pluginCache] : []),
      ]),
      peakMemoryMiB,
      perStack: perStack(stacks, deployTimings, tofu.timings),
    };
  } finally {
    await world.stop();
    if (!process.env.ENGINE_KEEP) fs.rmSync(directory, { recursive: true, force: true });
  }
}

const plan: { homeservers: number; mode: DeployMode }[] = fleets.flatMap((homeservers) => [
  ...(serialFleets.includes(homeservers) ? [{ homeservers, mode: 'serial' as const }] : []),
  { homeservers, mode: 'parallel' as const },
]);

it.each(plan)('deploys a fleet of $homeservers homeserver(s), $mode', async ({ homeservers, mode }) => {
  const run = await benchRun(homeservers, mode);
  runs.push(run);
  writeResults();
  console.log(
    `fleet ${homeservers} ${mode}: ${run.stacks} stacks, deploy ${run.deploy} s, re-plan ${run.replan} s, providers ${(run.providerBytes / 2 ** 20).toFixed(0)} MiB, engine peak memory ${run.peakMemoryMiB} MiB`,
  );
  expect(run.perpetualDiffs).toEqual([]);
});
