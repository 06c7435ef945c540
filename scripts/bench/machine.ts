/** What the benchmark ran on, so a report describes itself. The parsers are pure; `describeMachine` reads the system. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MachineDescription {
  readonly cpuModel: string;
  /** Cores this process may use (what jest and the measured processes get). */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly npm: string;
  readonly typescript: string;
  readonly timeTool: string;
  readonly commit: string;
  readonly date: string;
  readonly loadAverageAtStart: readonly number[];
}

/** The first "model name" of /proc/cpuinfo (x86), else "Hardware"/"cpu model" lines seen on other architectures. */
export function cpuModelFromCpuinfo(cpuinfo: string): string | undefined {
  for (const key of ['model name', 'Hardware', 'cpu model', 'Model']) {
    const line = cpuinfo.split('\n').find((candidate) => candidate.split(':')[0]?.trim() === key);
    const value = line?.slice(line.indexOf(':') + 1).trim();
    if (value) return value;
  }
  return undefined;
}

/** PRETTY_NAME of /etc/os-release. */
export function osNameFromOsRelease(text: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith('PRETTY_NAME='));
  return (
    line
      ?.slice('PRETTY_NAME='.length)
      .trim()
      .replace(/^"(.*)"$/, '$1') || undefined
  );
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function output(command: string, args: readonly string[], cwd?: string): string {
  const run = spawnSync(command, args, { encoding: 'utf8', cwd });
  return run.status === 0 ? run.stdout.trim() : '';
}

/** GNU time prints "UNKNOWN" as its version on Debian: name the package version instead. */
export function describeTimeTool(): string {
  const debian = output('dpkg-query', ['-W', '-f', '${Version}', 'time']);
  const own = (spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8' }).stdout || '').split('\n')[0]?.trim() ?? '';
  if (debian) return `GNU time (Debian package \`time\` ${debian})`;
  return own || 'GNU time';
}

export function describeMachine(root: string): MachineDescription {
  const commit = output('git', ['rev-parse', '--short=12', 'HEAD'], root);
  const dirty = output('git', ['status', '--porcelain', '--untracked-files=no'], root) !== '';
  return {
    cpuModel: cpuModelFromCpuinfo(read('/proc/cpuinfo')) ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: osNameFromOsRelease(read('/etc/os-release')) ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    npm: output('npm', ['--version']) || 'unknown',
    typescript:
      output(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '--version']).replace(/^Version\s+/, '') ||
      'unknown',
    timeTool: describeTimeTool(),
    commit: commit ? `${commit}${dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout',
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg(),
  };
}

/** The app's inputs: what the runners read live (the precompiled JS is a snapshot taken before the run). */
const SOURCE_ENTRIES = ['main.ts', 'tsconfig.json', 'config', 'model', 'render', 'workloads', 'constructs', 'stacks', 'tfjson', 'policies'];

/** sha256 over the app's sources and configs, to tell whether they changed while the benchmark ran. */
export function sourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  const visit = (relative: string): void => {
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const name of readdirSync(absolute).sort()) visit(path.join(relative, name));
    } else if (/\.(ts|ya?ml|json)$/.test(relative)) {
      hash.update(`${relative}\0`).update(readFileSync(absolute)).update('\0');
    }
  };
  SOURCE_ENTRIES.forEach(visit);
  return hash.digest('hex');
}
