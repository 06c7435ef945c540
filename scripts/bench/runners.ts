/**
 * The ways of executing the app that the benchmark compares, and the compile steps. The
 * alternatives to precompiled JS are not project dependencies: they are installed at exact
 * versions into a throwaway directory (a cache outside the repository) with the ordinary
 * npm client, and run from there against the project's sources and tsconfig.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cachedInPlace } from '../../test/support/cache-lock';
import { toolCache } from '../../test/support/tool-cache';

/** Exact versions of the alternative runners (and of the TypeScript their peers need). */
export const RUNNER_PACKAGES: Readonly<Record<string, string>> = {
  'ts-node': '10.9.2',
  typescript: '5.9.3',
  '@types/node': '20.19.25',
  tsx: '4.23.15',
  '@swc-node/register': '1.12.1',
  '@swc/core': '1.16.22',
};

export type RunnerId = 'node-dist' | 'run-ts' | 'ts-node' | 'ts-node-transpile-only' | 'tsx' | 'swc-node' | 'strip-types';
export const RUNNER_IDS: readonly RunnerId[] = [
  'node-dist',
  'run-ts',
  'ts-node',
  'ts-node-transpile-only',
  'tsx',
  'swc-node',
  'strip-types',
];

export interface RunnerInfo {
  readonly id: RunnerId;
  readonly label: string;
  /** Whether running the app this way type-checks it (else CI must run `tsc --noEmit`). */
  readonly typeChecks: boolean;
  /** npm packages it needs beyond the project's dependencies. */
  readonly packages: readonly string[];
  /** The app command it would make (cdktf.json `app`, `npm run synth`). */
  readonly appCommand: string;
}

export const RUNNERS: Readonly<Record<RunnerId, RunnerInfo>> = {
  'node-dist': {
    id: 'node-dist',
    label: 'precompiled JS: `node dist/main.js` (after `tsc`)',
    typeChecks: true,
    packages: [],
    appCommand: 'tsc -p tsconfig.json && node dist/main.js',
  },
  'run-ts': {
    id: 'run-ts',
    label: "esbuild bundle of the project's code, cached by content (`scripts/run-ts.cjs`, esbuild from the project's devDependencies)",
    typeChecks: false,
    packages: [],
    appCommand: 'node scripts/run-ts.cjs main.ts',
  },
  'ts-node': {
    id: 'ts-node',
    label: 'ts-node, type-checking',
    typeChecks: true,
    packages: ['ts-node'],
    appCommand: 'node -r ts-node/register main.ts',
  },
  'ts-node-transpile-only': {
    id: 'ts-node-transpile-only',
    label: 'ts-node --transpile-only',
    typeChecks: false,
    packages: ['ts-node'],
    appCommand: 'node -r ts-node/register/transpile-only main.ts',
  },
  tsx: { id: 'tsx', label: 'tsx (esbuild)', typeChecks: false, packages: ['tsx'], appCommand: 'node --import tsx main.ts' },
  'swc-node': {
    id: 'swc-node',
    label: '@swc-node/register (SWC)',
    typeChecks: false,
    packages: ['@swc-node/register', '@swc/core'],
    appCommand: 'node -r @swc-node/register main.ts',
  },
  'strip-types': {
    id: 'strip-types',
    label: "node's `--experimental-strip-types`",
    typeChecks: false,
    packages: [],
    appCommand: 'node --experimental-strip-types main.ts',
  },
};

export interface RunnerInstall {
  readonly directory: string;
  /** Installed versions, read from the installed packages. */
  readonly versions: Readonly<Record<string, string>>;
  readonly error?: string;
}

function installedVersion(directory: string, name: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version;
  } catch {
    return undefined;
  }
}

/** Installs RUNNER_PACKAGES (once per version set) and reports what is there. */
export function installRunners(log: (line: string) => void): RunnerInstall {
  const key = Object.entries(RUNNER_PACKAGES)
    .map(([name, version]) => `${name}@${version}`)
    .join(' ');
  const directory = toolCache('bench-runners', createHash('sha256').update(key).digest('hex').slice(0, 16));
  const versions = (): Record<string, string> =>
    Object.fromEntries(
      Object.keys(RUNNER_PACKAGES).flatMap((name) => {
        const version = installedVersion(directory, name);
        return version ? [[name, version]] : [];
      }),
    );
  try {
    cachedInPlace(directory, () => {
      fs.mkdirSync(directory, { recursive: true });
      fs.writeFileSync(
        path.join(directory, 'package.json'),
        `${JSON.stringify({ private: true, description: 'benchmark runners (scripts/bench/runners.ts)', dependencies: RUNNER_PACKAGES }, null, 2)}\n`,
      );
      log(`installing ${key} into ${directory}`);
      const run = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error'], {
        cwd: directory,
        encoding: 'utf8',
      });
      const complete = Object.entries(RUNNER_PACKAGES).every(([name, version]) => installedVersion(directory, name) === version);
      if (run.status !== 0 || !complete)
        throw new Error(`npm install failed (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-5).join(' / ')}`);
    });
  } catch (error) {
    return { directory, versions: versions(), error: error instanceof Error ? error.message : String(error) };
  }
  return { directory, versions: versions() };
}

/** Whether this node accepts `--experimental-strip-types` (Node.js 22.6 and later). */
export function stripTypesSupport(): string | null {
  const probe = spawnSync(process.execPath, ['--experimental-strip-types', '-e', '0'], { encoding: 'utf8' });
  return probe.status === 0
    ? null
    : `node ${process.version} does not support it (${(probe.stderr.trim().split('\n')[0] ?? '').slice(0, 120)}; added in Node.js 22.6)`;
}

export interface RunnerCommand {
  readonly argv: readonly string[];
  readonly display: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The argv that runs `entry` (a project-relative .ts path whose compiled twin is dist/<entry>.js)
 * with `args`, or the reason it cannot run.
 */
export function runnerCommand(
  id: RunnerId,
  root: string,
  scratch: string,
  install: RunnerInstall | undefined,
  entry: string,
  args: readonly string[],
): RunnerCommand | string {
  const node = process.execPath;
  const resolveFrom = (request: string): string | undefined => {
    if (!install || install.error) return undefined;
    try {
      return require.resolve(request, { paths: [install.directory] });
    } catch {
      return undefined;
    }
  };
  const missing = `not installed${install?.error ? `: ${install.error}` : ''}`;
  const tail = [entry, ...args].join(' ');
  switch (id) {
    case 'node-dist':
      return {
        argv: [node, path.join(root, 'dist', entry.replace(/\.ts$/, '.js')), ...args],
        display: `node dist/${[entry.replace(/\.ts$/, '.js'), ...args].join(' ')}`,
      };
    case 'run-ts':
      // A cache of its own in the scratch directory: the warm-up run builds the bundle (the cold
      // number), the measured runs reuse it.
      return {
        argv: [node, path.join(root, 'scripts', 'run-ts.cjs'), path.join(root, entry), ...args],
        display: `node scripts/run-ts.cjs ${tail}`,
        env: { RUN_TS_CACHE: path.join(scratch, 'run-ts-cache') },
      };
    case 'ts-node':
    case 'ts-node-transpile-only': {
      const request = id === 'ts-node' ? 'ts-node/register' : 'ts-node/register/transpile-only';
      const register = resolveFrom(request);
      if (!register) return missing;
      return {
        argv: [node, '-r', register, path.join(root, entry), ...args],
        display: `node -r ${request} ${tail}`,
        env: { TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
      };
    }
    case 'tsx': {
      const loader = resolveFrom('tsx');
      if (!loader) return missing;
      return {
        argv: [node, '--import', pathToFileURL(loader).href, path.join(root, entry), ...args],
        display: `node --import tsx ${tail}`,
      };
    }
    case 'swc-node': {
      const register = resolveFrom('@swc-node/register');
      if (!register) return missing;
      return {
        argv: [node, '-r', register, path.join(root, entry), ...args],
        display: `node -r @swc-node/register ${tail}`,
        env: { SWC_NODE_PROJECT: path.join(root, 'tsconfig.json') },
      };
    }
    case 'strip-types': {
      const problem = stripTypesSupport();
      if (problem) return problem;
      return {
        argv: [node, '--experimental-strip-types', path.join(root, entry), ...args],
        display: `node --experimental-strip-types ${tail}`,
      };
    }
  }
}

export type CompileId = 'tsc-full' | 'tsc-noemit' | 'tsc-app' | 'tsc-incremental' | 'tsc-app-incremental';

export interface CompileCommand {
  readonly id: CompileId;
  readonly label: string;
  readonly argv: readonly string[];
  readonly display: string;
}

/**
 * The compile steps, all with the project's tsc and tsconfig.json, writing into the scratch
 * directory (never dist/): the whole project as `npm run build` compiles it; a type check
 * without output (what CI needs when the app runs transpile-only); the app's import graph
 * alone (main.ts); and both again incrementally, with nothing changed since the previous compile.
 */
export function compileCommands(root: string, scratch: string): CompileCommand[] {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const project = path.join(root, 'tsconfig.json');
  const appProject = path.join(scratch, 'tsconfig.app.json');
  fs.writeFileSync(
    appProject,
    `${JSON.stringify({ extends: project, compilerOptions: { rootDir: root, outDir: path.join(scratch, 'tsc-app'), typeRoots: [path.join(root, 'node_modules', '@types')] }, files: [path.join(root, 'main.ts')], include: [] }, null, 2)}\n`,
  );
  const node = process.execPath;
  return [
    {
      id: 'tsc-full',
      label: 'tsc, whole project (app, scripts, tests)',
      argv: [node, tsc, '-p', project, '--outDir', path.join(scratch, 'tsc-full')],
      display: 'tsc -p tsconfig.json',
    },
    {
      id: 'tsc-noemit',
      label: 'tsc type check only, whole project',
      argv: [node, tsc, '-p', project, '--noEmit'],
      display: 'tsc -p tsconfig.json --noEmit',
    },
    {
      id: 'tsc-app',
      label: 'tsc, app only (main.ts and its imports)',
      argv: [node, tsc, '-p', appProject],
      display: 'tsc -p <tsconfig extending tsconfig.json with files: [main.ts], include: []>',
    },
    {
      id: 'tsc-incremental',
      label: 'tsc --incremental, whole project, nothing changed',
      argv: [
        node,
        tsc,
        '-p',
        project,
        '--incremental',
        '--tsBuildInfoFile',
        path.join(scratch, 'tsc.tsbuildinfo'),
        '--outDir',
        path.join(scratch, 'tsc-incremental'),
      ],
      display: 'tsc -p tsconfig.json --incremental (warm .tsbuildinfo)',
    },
    {
      id: 'tsc-app-incremental',
      label: 'tsc --incremental, app only, nothing changed',
      argv: [
        node,
        tsc,
        '-p',
        appProject,
        '--incremental',
        '--tsBuildInfoFile',
        path.join(scratch, 'tsc-app.tsbuildinfo'),
        '--outDir',
        path.join(scratch, 'tsc-app-incremental'),
      ],
      display: 'tsc -p <app-only tsconfig> --incremental (warm .tsbuildinfo)',
    },
  ];
}
