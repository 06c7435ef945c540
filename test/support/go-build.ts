/**
 * Builds the Go programs under test/tools/ (and Go-module tools such as helm) once per
 * machine, cached outside the repository and keyed by their sources. Every build runs under
 * the cache lock of its target (cache-lock.ts: parallel jest workers build once) and holds the
 * machine-wide Go build slot, so two Go builds never compete for the shared cores.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedArtifact, withCacheLock } from './cache-lock';
import { toolCache } from './tool-cache';

export function toolCacheRoot(): string {
  return toolCache('go');
}

/**
 * `mod`: the module's go.mod may be completed from the proxy (our small tools); `readonly`:
 * go.mod/go.sum are complete and a build never rewrites them (tools modules, upstream sources).
 */
export type GoModMode = 'mod' | 'readonly';

export function goEnvironment(mode: GoModMode = 'mod'): NodeJS.ProcessEnv {
  // Modules come from the Go module proxy only; the checksum database keeps it honest.
  // No VCS stamping: the sources live in this checkout or a scratch copy, whose git state must neither fail nor change a build.
  return { ...process.env, GOFLAGS: `-mod=${mode} -buildvcs=false`, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
}

/** Runs `go` and returns its stdout; a failure names the command, the directory and Go's output. */
export function runGo(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = goEnvironment()): string {
  const result = spawnSync('go', [...args], { cwd, env, encoding: 'utf8', timeout: 60 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`go ${args.join(' ')} (in ${cwd}) failed:\n${result.stdout}\n${result.stderr}${result.error?.message ?? ''}`);
  return result.stdout;
}

let slotWaitMs = 0;

/** Milliseconds this process has waited for the Go build slot so far (build times are reported without it). */
export function goBuildSlotWaitMs(): number {
  return slotWaitMs;
}

/** Holds the machine-wide Go build slot (two cold builds at once would only slow both down). */
export function withGoBuildSlot<T>(work: () => T): T {
  const requested = Date.now();
  return withCacheLock(toolCache('locks', 'go-build'), () => {
    slotWaitMs += Date.now() - requested;
    return work();
  });
}

let cachedGoVersion: string | undefined;

/** The local toolchain's version (e.g. go1.26.8): part of every engine build's cache key. */
export function goVersion(): string {
  cachedGoVersion ??= runGo(['env', 'GOVERSION'], os.tmpdir(), { ...process.env, GOTOOLCHAIN: 'local' }).trim();
  return cachedGoVersion;
}

export interface GoBuildRequest {
  /** Directory of the main module to build in. */
  readonly cwd: string;
  /** Package to build, e.g. `.` or a `tool` directive's package path. */
  readonly mainPackage: string;
  readonly output: string;
  readonly mode: GoModMode;
  readonly ldflags?: string;
  readonly tags?: readonly string[];
  /** go build -overlay file (replaces source files at build time, the sources stay untouched). */
  readonly overlay?: string;
}

/** `go build -trimpath` of one main package, in the Go build slot. */
export function goBuild(request: GoBuildRequest): void {
  const args = [
    'build',
    '-trimpath',
    ...(request.tags && request.tags.length > 0 ? ['-tags', request.tags.join(',')] : []),
    ...(request.ldflags ? ['-ldflags', request.ldflags] : []),
    ...(request.overlay ? ['-overlay', request.overlay] : []),
    '-o',
    request.output,
    request.mainPackage,
  ];
  withGoBuildSlot(() => runGo(args, request.cwd, goEnvironment(request.mode)));
}

function sourceHash(directory: string): string {
  const hash = createHash('sha256');
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(go|mod|sum)$/.test(entry.name))
        hash
          .update(`${path.relative(directory, full)}\0`)
          .update(fs.readFileSync(full))
          .update('\0');
    }
  };
  visit(directory);
  return hash.digest('hex').slice(0, 16);
}

const UNUSED_BUILD_MS = 14 * 24 * 60 * 60_000;

/**
 * Marks `binary` as used and removes builds of the same program (other keys) unused for two
 * weeks: tens of MB each, but another checkout on the machine may still be using a recent one.
 */
export function keepBuild(binary: string, name: string): void {
  const now = new Date();
  fs.utimesSync(binary, now, now);
  const directory = path.dirname(binary);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}$`);
  for (const entry of fs.readdirSync(directory)) {
    const full = path.join(directory, entry);
    if (full === binary || !pattern.test(entry)) continue;
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat && now.getTime() - stat.mtimeMs > UNUSED_BUILD_MS) fs.rmSync(full, { recursive: true, force: true });
  }
}

/** Builds the Go module in `sourceDirectory` (its main package) and returns the cached binary. */
export function buildGoProgram(sourceDirectory: string, name: string): string {
  const binary = path.join(toolCacheRoot(), 'bin', `${name}-${sourceHash(sourceDirectory)}`);
  cachedArtifact(binary, (staging) => goBuild({ cwd: sourceDirectory, mainPackage: '.', output: staging, mode: 'mod' }));
  keepBuild(binary, name);
  return binary;
}

export interface GoInstallOptions {
  /** Build tags (e.g. promtool's `remove_all_sd`); part of the cache key. */
  readonly tags?: readonly string[];
  /** Checks the installed binary before it is published (throws to refuse it); see goModuleOf. */
  readonly verify?: (binary: string) => void;
}

export interface GoInstallRequest {
  /** `<module>/<package>`, installed at `version` with the module's own go.mod (checked against the checksum database). */
  readonly packagePath: string;
  readonly version: string;
  /** Directory the binary is written into (GOBIN). */
  readonly gobin: string;
  readonly tags?: readonly string[];
  readonly ldflags?: string;
}

/** `go install -trimpath <package>@<version>`, in the Go build slot. */
export function goInstall(request: GoInstallRequest): void {
  const args = [
    'install',
    '-trimpath',
    ...(request.tags && request.tags.length > 0 ? ['-tags', request.tags.join(',')] : []),
    ...(request.ldflags ? ['-ldflags', request.ldflags] : []),
    `${request.packagePath}@${request.version}`,
  ];
  withGoBuildSlot(() => runGo(args, os.tmpdir(), { ...goEnvironment(), GOBIN: request.gobin }));
}

/** `go install <module>/<package>@<version>` into the cache, e.g. helm from helm.sh/helm/v3. */
export function installGoModuleTool(packagePath: string, version: string, name: string, options: GoInstallOptions = {}): string {
  const tags = options.tags ?? [];
  const directory = path.join(toolCacheRoot(), 'bin', `${name}-${version}${tags.length > 0 ? `-${tags.join('+')}` : ''}`);
  cachedArtifact(directory, (staging) => {
    goInstall({ packagePath, version, gobin: staging, tags });
    options.verify?.(path.join(staging, name));
  });
  return path.join(directory, name);
}

export interface GoModuleBuild {
  /** The main module, its version and its go.sum hash (`h1:...`) as the binary records them. */
  readonly path: string;
  readonly version: string;
  readonly sum: string;
}

/** The main module a Go binary was built from, read from its build information (`go version -m`). */
export function goModuleOf(binary: string): GoModuleBuild | undefined {
  const info = runGo(['version', '-m', binary], os.tmpdir(), { ...process.env, GOTOOLCHAIN: 'local' });
  const line = info.split('\n').find((candidate) => candidate.trim().startsWith('mod\t'));
  const [, modulePath, version, sum] = line?.trim().split('\t') ?? [];
  return modulePath && version && sum ? { path: modulePath, version, sum } : undefined;
}

/** Downloads a module version from the proxy (never built) and returns its read-only source directory. */
export function downloadGoModule(modulePath: string, version: string): string {
  const result = spawnSync('go', ['mod', 'download', '-json', `${modulePath}@${version}`], {
    cwd: os.tmpdir(),
    env: goEnvironment(),
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  const info = JSON.parse(result.stdout || '{}') as { Dir?: string; Error?: string };
  if (result.status !== 0 || !info.Dir) throw new Error(`go mod download ${modulePath}@${version} failed: ${info.Error ?? result.stderr}`);
  return info.Dir;
}
