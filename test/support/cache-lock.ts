/**
 * The one lock behind every cached build or install of the tests (Go programs, Python venvs,
 * npm tools, packaged charts): jest workers, tiers and checkouts on one machine share the tool
 * cache, so whoever finds an entry missing builds it under a lock while the others wait.
 *
 * - The lock is a directory holding `owner.json` (pid, hostname, process start, a token). It
 *   is taken by renaming a prepared directory onto the lock path, which fails while another
 *   holder's (non-empty) directory is there, so a lock never exists without its owner.
 * - A waiter breaks a lock only when its owner is dead: `process.kill(pid, 0)` says ESRCH, or
 *   the pid now belongs to a process that started later (pid reuse). Never on age alone: a
 *   live owner is waited for however long its build takes (up to the waiter's timeout).
 * - A build writes to a temporary path beside its target and is published by one rename
 *   (`cachedArtifact`), or, where the result cannot move (a venv bakes its path into its
 *   scripts), is built in place and counts only once its ready marker, written last, exists
 *   (`cachedInPlace`). Readers never see a half-written entry.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** When the lock was taken (ISO 8601), for the humans reading a wait message. */
  readonly startedAt: string;
  /** The owner's start in clock ticks after boot (/proc/<pid>/stat), to tell a reused pid; absent where /proc is not. */
  readonly processStart?: string;
  /** Identifies this holding of the lock, so a breaker or a releaser touches only the lock it inspected. */
  readonly token: string;
}

export interface CacheLockOptions {
  /** How long a waiter waits for a live owner before failing (default two hours: the longest cold builds take minutes, queued behind others). */
  readonly timeoutMs?: number;
  /** Polling interval while waiting (default 500 ms). */
  readonly pollMs?: number;
}

const OWNER_FILE = 'owner.json';
export const READY_MARKER = '.ready';
const DEFAULT_TIMEOUT_MS = 2 * 60 * 60_000;

/** Locks this process holds, with their depth: a nested take of the same lock (e.g. the build semaphore) must not wait for itself. */
const held = new Map<string, { token: string; depth: number }>();

function sleep(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), read after the command name, which may hold spaces. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** false when the owner is certainly gone; true when it lives or cannot be checked (another host). */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.hostname !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = owner.processStart === undefined ? undefined : processStart(owner.pid);
  return start === undefined || start === owner.processStart;
}

export function readLockOwner(lock: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(lock, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (
      typeof parsed.pid !== 'number' ||
      typeof parsed.hostname !== 'string' ||
      typeof parsed.token !== 'string' ||
      typeof parsed.startedAt !== 'string'
    )
      return undefined;
    return parsed as LockOwner;
  } catch {
    return undefined;
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}` : 'an unknown owner (no readable owner.json)';
}

/** One attempt: the lock, or undefined when another holder has it. */
function tryAcquire(lock: string): LockOwner | undefined {
  const start = processStart(process.pid);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    ...(start ? { processStart: start } : {}),
    token: randomBytes(12).toString('hex'),
  };
  const staging = `${lock}.new-${uniqueSuffix()}`;
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, OWNER_FILE), JSON.stringify(owner));
  try {
    fs.renameSync(staging, lock);
    return owner;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return undefined;
    throw error;
  }
}

/**
 * Moves a dead owner's lock aside. If another waiter broke it first and a new owner took the
 * lock in between, the moved lock is not the inspected one: it is put back untouched.
 */
function breakLock(lock: string, dead: LockOwner): void {
  const aside = `${lock}.stale-${uniqueSuffix()}`;
  try {
    fs.renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readLockOwner(aside)?.token === dead.token) {
    fs.rmSync(aside, { recursive: true, force: true });
    return;
  }
  try {
    fs.renameSync(aside, lock);
  } catch {
    // A third process took the free lock meanwhile; the moved one's owner keeps building and
    // publishes atomically, so the worst case is one redundant build, never a torn artifact.
    fs.rmSync(aside, { recursive: true, force: true });
  }
}

/** Leftovers of killed processes beside `base`: `<base>.<kind>-<pid>-<random>` whose pid is gone. */
export function removeDeadLeftovers(base: string, kinds: readonly string[]): void {
  const directory = path.dirname(base);
  const prefix = `${path.basename(base)}.`;
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^([a-z]+)-(\d+)-[0-9a-f]+$/.exec(entry.slice(prefix.length));
    if (!match || !kinds.includes(match[1] ?? '')) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || ownerAlive({ pid, hostname: os.hostname(), startedAt: '', token: '' })) continue;
    fs.rmSync(path.join(directory, entry), { recursive: true, force: true });
  }
}

function acquire(lock: string, options: CacheLockOptions): LockOwner {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  removeDeadLeftovers(lock, ['new', 'stale', 'released']);
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    const mine = tryAcquire(lock);
    if (mine) return mine;
    const owner = readLockOwner(lock);
    if (owner && !ownerAlive(owner)) {
      breakLock(lock, owner);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s waiting for ${lock}, held by ${describeOwner(owner)}; remove it only if that build is no longer running`,
      );
    }
    sleep(options.pollMs ?? 500);
  }
}

function release(lock: string, owner: LockOwner): void {
  // Only our own holding: if the lock was (wrongly) broken and retaken, it is someone else's now.
  if (readLockOwner(lock)?.token !== owner.token) return;
  const aside = `${lock}.released-${uniqueSuffix()}`;
  fs.renameSync(lock, aside);
  fs.rmSync(aside, { recursive: true, force: true });
}

/** Runs `work` while holding `lock` (a directory path); nested takes by the same process do not wait. */
export function withCacheLock<T>(lock: string, work: () => T, options: CacheLockOptions = {}): T {
  const key = path.resolve(lock);
  const nested = held.get(key);
  if (nested) {
    nested.depth += 1;
    try {
      return work();
    } finally {
      nested.depth -= 1;
    }
  }
  const owner = acquire(key, options);
  held.set(key, { token: owner.token, depth: 1 });
  try {
    return work();
  } finally {
    held.delete(key);
    release(key, owner);
  }
}

/**
 * A file or directory built once: `build(staging)` writes it at `staging` (a path beside the
 * target, not yet existing), which is then renamed onto `target`. Returns `target`.
 */
export function cachedArtifact(target: string, build: (staging: string) => void, options: CacheLockOptions = {}): string {
  if (fs.existsSync(target)) return target;
  withCacheLock(
    `${target}.build-lock`,
    () => {
      if (fs.existsSync(target)) return;
      removeDeadLeftovers(target, ['tmp']);
      const staging = `${target}.tmp-${uniqueSuffix()}`;
      try {
        build(staging);
        if (!fs.existsSync(staging)) throw new Error(`the build of ${target} wrote nothing at ${staging}`);
        fs.renameSync(staging, target);
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    },
    options,
  );
  return target;
}

/**
 * A directory that must be built where it will be used (a Python venv): `build(directory)`
 * fills it under the lock, after any half-built copy is removed, and the ready marker is
 * written last. Returns `directory`.
 */
export function cachedInPlace(directory: string, build: (directory: string) => void, options: CacheLockOptions = {}): string {
  const ready = path.join(directory, READY_MARKER);
  if (fs.existsSync(ready)) return directory;
  withCacheLock(
    `${directory}.build-lock`,
    () => {
      if (fs.existsSync(ready)) return;
      fs.rmSync(directory, { recursive: true, force: true });
      build(directory);
      const marker = `${ready}.tmp-${uniqueSuffix()}`;
      fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
      fs.renameSync(marker, ready);
    },
    options,
  );
  return directory;
}

/**
 * A scratch directory for one build (unpacked sources, a copied module), under `parent`,
 * removed afterwards; those of killed builds are removed by the next build.
 */
export function withScratchDirectory<T>(parent: string, label: string, work: (directory: string) => T): T {
  const base = path.join(parent, label);
  fs.mkdirSync(parent, { recursive: true });
  removeDeadLeftovers(base, ['work']);
  const directory = `${base}.work-${uniqueSuffix()}`;
  fs.mkdirSync(directory);
  try {
    return work(directory);
  } finally {
    makeRemovable(directory);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** Go's module cache and some archives are read-only; a scratch copy must still be removable. */
function makeRemovable(directory: string): void {
  const visit = (current: string) => {
    let entries: fs.Dirent[];
    try {
      fs.chmodSync(current, 0o755);
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) visit(path.join(current, entry.name));
  };
  visit(directory);
}
