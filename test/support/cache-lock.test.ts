/**
 * The tool cache's lock (cache-lock.ts) with real processes: contenders racing on one key, one
 * of them killed mid-build; exactly one complete build per key, nobody handed a torn entry; a
 * live owner's lock is never broken however old, a dead owner's (or a reused pid's) always.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { cachedArtifact, processStart, readLockOwner, withCacheLock, type LockOwner } from './cache-lock';
import { dataFile, entryWhole, type RacerOptions } from './cache-lock-racer';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-lock-'));
const racer = path.join(scratch, 'racer.cjs');
const children: ChildProcess[] = [];

beforeAll(() => {
  buildSync({
    entryPoints: [path.join(__dirname, 'cache-lock-racer.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: racer,
    logLevel: 'error',
  });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Contender {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function contend(options: RacerOptions): Contender {
  const child = spawn(process.execPath, [racer, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

function logLines(log: string): string[] {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls the published entry the whole time: whenever it is there, it must be whole. */
function watchEntry(options: RacerOptions): { stop: () => { looks: number; torn: number } } {
  let looks = 0;
  let torn = 0;
  const ready = () => (options.mode === 'artifact' ? fs.existsSync(options.target) : fs.existsSync(path.join(options.target, '.ready')));
  const timer = setInterval(() => {
    if (!ready()) return;
    looks += 1;
    if (!fs.existsSync(dataFile(options)) || !entryWhole(options)) torn += 1;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return { looks, torn };
    },
  };
}

describe.each(['artifact', 'in-place'] as const)('%s entries', (mode) => {
  it('contenders racing on one key: the first is killed mid-build, exactly one other builds, all see the whole entry', async () => {
    const directory = fs.mkdtempSync(path.join(scratch, `${mode}-`));
    const options: RacerOptions = {
      mode,
      target: path.join(directory, 'entry'),
      log: path.join(directory, 'log'),
      chunks: 30,
      chunkMs: 40,
    };
    const watcher = watchEntry(options);

    const victim = contend(options);
    const victimPid = victim.child.pid ?? 0;
    await until(() => logLines(options.log).includes(`writing ${victimPid}`), 'the first contender to be writing');
    const others = Array.from({ length: 4 }, () => contend(options));
    await new Promise((resolve) => setTimeout(resolve, 300));
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const results = await Promise.all(others.map(({ exited }) => exited));
    const { looks, torn } = watcher.stop();

    for (const result of results) expect(result).toEqual({ code: 0, signal: null, stderr: '' });
    const lines = logLines(options.log);
    const starts = lines.filter((line) => line.startsWith('start '));
    expect(starts[0]).toBe(`start ${victimPid}`);
    // The dead owner's lock was broken once, by a survivor, which built the entry once.
    expect(starts).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith('done '))).toEqual([`done ${starts[1]?.split(' ')[1] ?? ''}`]);
    expect(lines.filter((line) => line.startsWith('saw-')).sort()).toEqual(others.map(({ child }) => `saw-whole ${child.pid ?? 0}`).sort());
    expect(torn).toBe(0);
    expect(looks).toBeGreaterThan(0);
    expect(entryWhole(options)).toBe(true);
    // Nothing left beside the entry: no lock, no staging of the killed build.
    expect(fs.readdirSync(directory).sort()).toEqual(['entry', 'log']);
  });
});

it('separate keys build in parallel, each exactly once', async () => {
  const directory = fs.mkdtempSync(path.join(scratch, 'keys-'));
  const keys = ['one', 'two'].map((key): RacerOptions => ({
    mode: 'artifact',
    target: path.join(directory, key),
    log: path.join(directory, `${key}.log`),
    chunks: 10,
    chunkMs: 20,
  }));
  const results = await Promise.all(keys.flatMap((options) => Array.from({ length: 3 }, () => contend(options).exited)));
  for (const result of results) expect(result.code).toBe(0);
  for (const options of keys) {
    const lines = logLines(options.log);
    expect(lines.filter((line) => line.startsWith('start '))).toHaveLength(1);
    expect(lines.filter((line) => line === `saw-whole ${line.split(' ')[1] ?? ''}`)).toHaveLength(3);
  }
});

describe('breaking a lock', () => {
  const ownerOf = (pid: number, overrides: Partial<LockOwner> = {}): LockOwner => {
    const start = processStart(pid);
    return {
      pid,
      hostname: os.hostname(),
      startedAt: '1970-01-01T00:00:00.000Z',
      ...(start ? { processStart: start } : {}),
      token: `token-${pid}`,
      ...overrides,
    };
  };
  const plantLock = (lock: string, owner: LockOwner) => {
    fs.mkdirSync(lock, { recursive: true });
    fs.writeFileSync(path.join(lock, 'owner.json'), JSON.stringify(owner));
  };

  it('never breaks a live owner, however old its lock: the waiter times out naming the owner', () => {
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    const lock = path.join(scratch, 'live.lock');
    plantLock(lock, ownerOf(sleeper.pid ?? 0));
    expect(() => withCacheLock(lock, () => 'ran', { timeoutMs: 500, pollMs: 50 })).toThrow(
      new RegExp(`timed out after 1 s waiting for .*live\\.lock, held by pid ${sleeper.pid} on .*, since 1970-01-01T00:00:00\\.000Z`),
    );
    expect(readLockOwner(lock)?.pid).toBe(sleeper.pid);
    sleeper.kill('SIGKILL');
  });

  it('breaks the lock of a dead owner at once', () => {
    const exited = spawnSync(process.execPath, ['-e', '0']);
    const lock = path.join(scratch, 'dead.lock');
    plantLock(lock, ownerOf(exited.pid, { processStart: '1' }));
    expect(withCacheLock(lock, () => readLockOwner(lock)?.pid, { timeoutMs: 5000 })).toBe(process.pid);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('breaks the lock of a reused pid: the process behind it started after the lock was taken', () => {
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    const lock = path.join(scratch, 'reused.lock');
    plantLock(lock, ownerOf(sleeper.pid ?? 0, { processStart: '1' }));
    expect(withCacheLock(lock, () => 'ran', { timeoutMs: 5000 })).toBe('ran');
    sleeper.kill('SIGKILL');
  });

  it('a nested take by the holder does not wait for itself', () => {
    const lock = path.join(scratch, 'nested.lock');
    expect(withCacheLock(lock, () => withCacheLock(lock, () => readLockOwner(lock)?.pid, { timeoutMs: 1000 }))).toBe(process.pid);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

it('a failed build publishes nothing, releases the lock, and the next call builds', () => {
  const directory = fs.mkdtempSync(path.join(scratch, 'failed-'));
  const target = path.join(directory, 'entry');
  expect(() =>
    cachedArtifact(target, (staging) => {
      fs.writeFileSync(staging, 'half');
      throw new Error('compiler crashed');
    }),
  ).toThrow('compiler crashed');
  expect(fs.readdirSync(directory)).toEqual([]);
  expect(cachedArtifact(target, (staging) => fs.writeFileSync(staging, 'whole'))).toBe(target);
  expect(fs.readFileSync(target, 'utf8')).toBe('whole');
});
