/**
 * Builds the Go programs under test/tools/ (and Go-module tools such as helm) once per
 * machine, cached outside the repository and keyed by their sources, so jest workers
 * running in parallel reuse one binary instead of racing to build it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toolCache } from './tool-cache';

export function toolCacheRoot(): string {
  return toolCache('go');
}

function goEnvironment(): NodeJS.ProcessEnv {
  // The module proxy is the only Go source this machine reaches; the checksum database keeps it honest.
  // No VCS stamping: the tools live in this checkout, whose git state must neither fail nor change a build.
  return { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
}

function runGo(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('go', [...args], { cwd, env, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`go ${args.join(' ')} (in ${cwd}) failed:\n${result.stdout}\n${result.stderr}`);
}

/** Runs `build` unless `target` exists, while holding `lock` so parallel workers build once. */
function withBuildLock(target: string, lock: string, build: () => void): void {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    if (fs.existsSync(target)) return;
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A stale lock (a killed build) is older than the longest build.
      const lockedAt = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (lockedAt !== undefined && Date.now() - lockedAt > 30 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (!fs.existsSync(target)) build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function sourceHash(directory: string): string {
  const hash = createHash('sha256');
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(go|mod|sum)$/.test(entry.name)) hash.update(`${path.relative(directory, full)}\0`).update(fs.readFileSync(full)).update('\0');
    }
  };
  visit(directory);
  return hash.digest('hex').slice(0, 16);
}

/** Earlier builds of the same program (other source hashes) are dead weight of tens of MB each. */
function removeOtherBuilds(binary: string, name: string): void {
  const directory = path.dirname(binary);
  for (const entry of fs.readdirSync(directory)) {
    const full = path.join(directory, entry);
    if (full !== binary && new RegExp(`^${name}-[0-9a-f]{16}$`).test(entry)) fs.rmSync(full, { force: true });
  }
}

/** Builds the Go module in `sourceDirectory` (its main package) and returns the cached binary. */
export function buildGoProgram(sourceDirectory: string, name: string): string {
  const binary = path.join(toolCacheRoot(), 'bin', `${name}-${sourceHash(sourceDirectory)}`);
  withBuildLock(binary, `${binary}.lock`, () => {
    const temporary = `${binary}.tmp-${process.pid}`;
    runGo(['build', '-trimpath', '-o', temporary, '.'], sourceDirectory, goEnvironment());
    fs.renameSync(temporary, binary);
    removeOtherBuilds(binary, name);
  });
  return binary;
}

export interface GoInstallOptions {
  /** Build tags (e.g. promtool's `remove_all_sd`); part of the cache key. */
  readonly tags?: readonly string[];
}

/** `go install <module>/<package>@<version>` into the cache, e.g. helm from helm.sh/helm/v3. */
export function installGoModuleTool(packagePath: string, version: string, name: string, options: GoInstallOptions = {}): string {
  const tags = options.tags ?? [];
  const directory = path.join(toolCacheRoot(), 'bin', `${name}-${version}${tags.length > 0 ? `-${tags.join('+')}` : ''}`);
  const binary = path.join(directory, name);
  withBuildLock(binary, `${directory}.lock`, () => {
    const temporary = `${directory}.tmp-${process.pid}`;
    fs.rmSync(temporary, { recursive: true, force: true });
    runGo(['install', '-trimpath', ...(tags.length > 0 ? ['-tags', tags.join(',')] : []), `${packagePath}@${version}`], os.tmpdir(), { ...goEnvironment(), GOBIN: temporary });
    fs.rmSync(directory, { recursive: true, force: true });
    fs.renameSync(temporary, directory);
  });
  return binary;
}

/** Downloads a module version from the proxy (never built) and returns its read-only source directory. */
export function downloadGoModule(modulePath: string, version: string): string {
  const result = spawnSync('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { cwd: os.tmpdir(), env: goEnvironment(), encoding: 'utf8', timeout: 10 * 60_000 });
  const info = JSON.parse(result.stdout || '{}') as { Dir?: string; Error?: string };
  if (result.status !== 0 || !info.Dir) throw new Error(`go mod download ${modulePath}@${version} failed: ${info.Error ?? result.stderr}`);
  return info.Dir;
}
