/**
 * Runs one hostile case for real: a scratch copy of the project inside a canary tree, the
 * command as users run it (`node scripts/run-ts.cjs <entry>`, through a shell with a memory
 * cap, optionally as `nobody` or in a private mount namespace), and a snapshot of the whole
 * tree (paths, types, sizes, mtimes, content hashes) before and after.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { CONTENT_CANARY, ENTRIES, type HostileCase, type RunResult, type Sandbox, sandboxIn } from './hostile-case';

const SOURCE = projectRoot();
/** What the commands run from: the scratch project holds these (and links node_modules). */
const PROJECT_ENTRIES = [
  'package.json',
  'cdktf.json',
  'tsconfig.json',
  'main.ts',
  'config',
  'model',
  'render',
  'workloads',
  'constructs',
  'stacks',
  'tfjson',
  'policies',
  'review',
  'scripts',
];
/** Virtual memory per command: far above a synthesis, far below what an unbounded read would take. */
const MEMORY_LIMIT_KIB = 3_000_000;
const NOBODY = { uid: 65534, gid: 65534 };
/**
 * Every command synthesizes afresh: an output-cache entry records the modules of its project by
 * absolute path, so no sandbox could ever reuse another's, and the scratch projects link the
 * checkout's node_modules, whose cache is the user's.
 */
const NO_OUTPUT_CACHE = 'off';
/** statfs's f_type of a RAM file system (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
/** Room the sandboxes of a run may take at once (a project of links and a synthesis each), with a wide margin. */
const SCRATCH_ROOM_BYTES = 512 * 1024 * 1024;

/**
 * Where the templates and sandboxes live: a RAM file system when the machine has one with room
 * (each case creates and removes hundreds of directories and links, several times cheaper there
 * than through a disk file system's journal), else the system's temporary directory.
 */
function scratchDirectory(): string {
  const shared = '/dev/shm';
  try {
    const stats = fs.statfsSync(shared);
    fs.accessSync(shared, fs.constants.W_OK);
    if (stats.type === TMPFS_MAGIC && stats.bavail * stats.bsize >= SCRATCH_ROOM_BYTES) return shared;
  } catch {
    // No such file system here.
  }
  return os.tmpdir();
}

const SCRATCH = scratchDirectory();
/** Content hashes by file identity, shared by every snapshot of the run: the cases' projects are links to the same files. */
const CONTENT_HASHES = new Map<string, string>();

export interface Templates {
  readonly directory: string;
  readonly project: string;
  readonly synthesized: string;
  readonly mountNamespaces: boolean;
}

/** `cp -a` (several times faster than fs.cpSync): the project copy every case links to, made once per run. */
function copyTree(from: string, to: string): void {
  const result = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cp -a ${from} ${to} failed: ${result.stderr}`);
}

/**
 * The tree `from` again at `to`, its files hard links (each case's project links to the template's
 * copy, never to the checkout): a command that rewrote a file in place would change the template
 * too, but its own snapshot shows it. In process, as `cp -al` would: a child process forked from
 * a test worker costs tens of milliseconds, more than the links.
 */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { mode: fs.statSync(from).mode & 0o7777 });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else fs.linkSync(source, target);
  }
  // mkdir applies the umask: set the directory's own mode.
  fs.chmodSync(to, fs.statSync(from).mode & 0o7777);
}

function copyProject(target: string): void {
  fs.mkdirSync(target, { recursive: true });
  for (const entry of PROJECT_ENTRIES) copyTree(path.join(SOURCE, entry), path.join(target, entry));
  fs.symlinkSync(path.join(SOURCE, 'node_modules'), path.join(target, 'node_modules'));
}

function makeTraversable(directory: string): void {
  fs.chmodSync(directory, 0o755);
}

/**
 * The project copy every case starts from, and a clean synthesis of the default deployment,
 * made once per run by the real command (which also warms run-ts's bundle cache for all).
 */
export function prepareTemplates(): Templates {
  const directory = fs.mkdtempSync(path.join(SCRATCH, 'hostile-templates-'));
  makeTraversable(directory);
  const project = path.join(directory, 'project');
  copyProject(project);
  const synthesized = path.join(directory, 'synthesized');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: directory,
    CDKTF_OUTDIR: synthesized,
    MATRIX_SYNTH_CACHE: NO_OUTPUT_CACHE,
  };
  const synth = spawnSync(process.execPath, ['scripts/run-ts.cjs', ENTRIES.synth], {
    cwd: project,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (synth.status !== 0) throw new Error(`the template synthesis failed: ${synth.stderr}`);
  // Build the other entries' bundles now (usage errors), so no case pays for esbuild.
  for (const entry of [ENTRIES.audit, ENTRIES.review, ENTRIES['post-review']])
    spawnSync(process.execPath, ['scripts/run-ts.cjs', entry, '--no-such-option'], { cwd: project, env, timeout: 300_000 });
  const mountNamespaces = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
  return { directory, project, synthesized, mountNamespaces };
}

export function removeTemplates(templates: Templates): void {
  fs.rmSync(templates.directory, { recursive: true, force: true });
}

// ---------------------------------------------------------------- snapshot

export type Snapshot = ReadonlyMap<string, string>;

/** Every entry below `root` (links not followed): type, mode, size, mtime and, for files up to 1 MiB, a content hash (directories by type and mode: their entries speak for them). */
export function snapshot(root: string): Snapshot {
  const entries = new Map<string, string>();
  // A file the command rewrote has a new mtime (the app never sets a file's times back), so a new identity.
  // Not the ctime: linking a case's project to the template's files changes it for all of them.
  const contentHash = (full: string, stats: fs.Stats): string => {
    const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    let hash = CONTENT_HASHES.get(identity);
    if (hash === undefined) {
      hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16);
      CONTENT_HASHES.set(identity, hash);
    }
    return hash;
  };
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(full);
    } catch {
      return;
    }
    const mode = (stats.mode & 0o7777).toString(8);
    if (stats.isSymbolicLink()) entries.set(relative, `link ${fs.readlinkSync(full)}`);
    else if (stats.isDirectory()) {
      entries.set(relative, `dir ${mode}`);
      for (const name of fs.readdirSync(full).sort()) visit(path.join(relative, name));
    } else if (stats.isFile()) {
      const hash = stats.size <= 1024 * 1024 ? contentHash(full, stats) : `ino ${stats.ino}`;
      entries.set(relative, `file ${mode} ${stats.size} ${stats.mtimeMs} ${hash}`);
    } else entries.set(relative, `special ${mode} ${stats.mode >> 12}`);
  };
  visit('.');
  return entries;
}

/** Paths that differ between two snapshots (added, removed or changed), minus those under an allowed prefix. */
export function unexpectedChanges(before: Snapshot, after: Snapshot, allowed: readonly string[]): string[] {
  const under = (relative: string) => allowed.some((prefix) => relative === prefix || relative.startsWith(`${prefix}${path.sep}`));
  const changed = new Set<string>();
  for (const [key, value] of before) if (after.get(key) !== value) changed.add(key);
  for (const key of after.keys()) if (!before.has(key)) changed.add(key);
  return [...changed].filter((key) => !under(key)).sort();
}

// ---------------------------------------------------------------- one case

export interface CaseRun {
  readonly sandbox: Sandbox;
  readonly result: RunResult;
  readonly unexpected: readonly string[];
}

function sandboxRoot(): string {
  const root = fs.mkdtempSync(path.join(SCRATCH, 'hostile-case-'));
  makeTraversable(root);
  return root;
}

/** Allowed paths relative to the sandbox root: project-relative ones, or `~/` for the root itself. */
function resolveAllowed(writes: readonly string[]): string[] {
  return writes.map((entry) => (entry.startsWith('~/') ? entry.slice(2) : path.join('project', entry)));
}

/** The argv that runs the command: a shell applying the memory cap, then (as nobody) node. */
function commandLine(testCase: HostileCase, sandbox: Sandbox, args: readonly string[]): string[] {
  const node = [process.execPath, 'scripts/run-ts.cjs', ENTRIES[testCase.command], ...args];
  const user = testCase.asNobody ? ['setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', ...node] : node;
  const capped = ['sh', '-c', `ulimit -v ${MEMORY_LIMIT_KIB} && exec "$@"`, 'sh', ...user];
  const mount = testCase.mount;
  if (!mount) return capped;
  const target = sandbox.at(mount.at);
  const prepare =
    mount.kind === 'tmpfs'
      ? `mount -t tmpfs -o size=${mount.size},mode=0755 tmpfs "$MOUNT"`
      : 'mount --bind "$MOUNT" "$MOUNT" && mount -o remount,bind,ro "$MOUNT"';
  // The listing of the mounted directory after the run is kept next to it (a tmpfs vanishes with the namespace).
  const script = `${prepare} && "$@"; status=$?; ls -A "$MOUNT" > "$LISTING"; exit $status`;
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    'env',
    `MOUNT=${target}`,
    `LISTING=${path.join(sandbox.root, 'mount-listing')}`,
    'sh',
    '-c',
    script,
    'sh',
    ...capped,
  ];
}

function runProcess(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const [program = 'false', ...rest] = argv;
    const child = spawn(program, rest, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk.slice(0, 1_000_000)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 1_000_000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, milliseconds: Date.now() - started });
    });
  });
}

export async function runCase(testCase: HostileCase, templates: Templates): Promise<CaseRun> {
  const sandbox = sandboxIn(sandboxRoot(), templates.synthesized);
  try {
    return await runIn(sandbox, testCase, templates);
  } catch (error) {
    removeSandbox(sandbox);
    throw error;
  }
}

async function runIn(sandbox: Sandbox, testCase: HostileCase, templates: Templates): Promise<CaseRun> {
  const { root } = sandbox;
  linkTree(templates.project, sandbox.project);
  for (const directory of [sandbox.home, sandbox.userFiles]) fs.mkdirSync(directory);
  fs.writeFileSync(path.join(sandbox.home, '.profile'), `# ${CONTENT_CANARY}\n`);
  fs.writeFileSync(path.join(sandbox.userFiles, 'notes.txt'), `the user's own notes ${CONTENT_CANARY}\n`);
  fs.writeFileSync(path.join(root, 'canary.txt'), `${CONTENT_CANARY}\n`);
  testCase.setup?.(sandbox);
  const args = typeof testCase.args === 'function' ? testCase.args(sandbox) : (testCase.args ?? []);
  const caseEnv = typeof testCase.env === 'function' ? testCase.env(sandbox) : (testCase.env ?? {});
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: sandbox.home,
    LANG: 'C.UTF-8',
    MATRIX_SYNTH_CACHE: NO_OUTPUT_CACHE,
    ...caseEnv,
  };
  const before = snapshot(root);
  const result = await runProcess(commandLine(testCase, sandbox, args), sandbox.project, env, testCase.timeoutMs ?? 60_000);
  const writes = typeof testCase.writes === 'function' ? testCase.writes(sandbox) : (testCase.writes ?? []);
  const allowed = [...resolveAllowed(writes), ...(testCase.mount ? ['mount-listing'] : [])];
  const unexpected = unexpectedChanges(before, snapshot(root), allowed);
  return { sandbox, result, unexpected };
}

export function removeSandbox(sandbox: Sandbox): void {
  fs.rmSync(sandbox.root, { recursive: true, force: true });
}
