/**
 * The shape of one row of the hostile-input table (test/hostile/cases/*.ts) and the sandbox a
 * case prepares its inputs in. A case names the command as users run it, the hostile
 * arguments, environment and files, the exit code it must end with, what its message must
 * name, and what it may write; hostile.test.ts runs every case and checks the rest (one
 * line-ish, no stack trace, no echoed file content, nothing else written or deleted).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

/** The package.json scripts the table runs (`npm run <name>` = `node scripts/run-ts.cjs <entry>`). */
export const ENTRIES = {
  synth: 'main.ts',
  audit: 'scripts/audit.ts',
  review: 'scripts/review.ts',
  'post-review': 'scripts/post-review.ts',
} as const;
export type Command = keyof typeof ENTRIES;

/** Written into files that may hold secrets; it must never appear in any output. */
export const CONTENT_CANARY = 'hostile-content-canary-7d1e';

export interface Sandbox {
  /** The case's directory: the canary tree around everything else (snapshotted whole). */
  readonly root: string;
  /** A scratch copy of the project: the command's working directory. */
  readonly project: string;
  /** HOME for the command (holds a user file). */
  readonly home: string;
  /** A folder of user files next to the project. */
  readonly userFiles: string;
  /** Absolute path of `relative` in the project. */
  at(relative: string): string;
  /** Writes a file (parents created) in the project; returns its absolute path. */
  write(relative: string, content: string | Buffer, mode?: number): string;
  mkdir(relative: string): string;
  symlink(target: string, relative: string): string;
  fifo(relative: string): string;
  /** A Unix socket file (bound, left behind). */
  socket(relative: string): string;
  /** A sparse file of `bytes` (costs no disk). */
  sparse(relative: string, bytes: number): string;
  /** The shipped default config as data, to edit. */
  defaultConfig(): Record<string, unknown>;
  /** Writes a config (data as YAML, or text as given); returns its path relative to the project. */
  config(value: Record<string, unknown> | string, name?: string): string;
  /** A copy of a clean synthesis of the default deployment (made once per run) at `relative`. */
  synthesized(relative?: string): string;
  /** The nth process id (from 0) of a fixed series that no process has right now. */
  deadPid(nth?: number): number;
}

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

/** A file system the command sees mounted (in a private mount namespace) at `at`, relative to the project. */
export type Mount =
  { readonly at: string; readonly kind: 'read-only' } | { readonly at: string; readonly kind: 'tmpfs'; readonly size: string };

export interface HostileCase {
  readonly name: string;
  readonly command: Command;
  readonly args?: readonly string[] | ((sandbox: Sandbox) => readonly string[]);
  readonly env?: Readonly<Record<string, string>> | ((sandbox: Sandbox) => Readonly<Record<string, string>>);
  readonly setup?: (sandbox: Sandbox) => void;
  readonly exit: number;
  /** What the output (stderr and stdout) must say: the field path, the rule, the reason. */
  readonly message?: RegExp | readonly RegExp[];
  /** Paths (relative to the project, or `~/` for the sandbox root) the command may create, change or delete. */
  readonly writes?: readonly string[] | ((sandbox: Sandbox) => readonly string[]);
  /** Lines of output allowed (stdout and stderr together); default 3. */
  readonly maxLines?: number;
  /** Further checks on what the command left. */
  readonly verify?: (sandbox: Sandbox, result: RunResult) => void;
  /** Run as the unprivileged `nobody` (permission cases; a guard where a mistake could reach outside the sandbox). */
  readonly asNobody?: boolean;
  readonly mount?: Mount;
  readonly timeoutMs?: number;
}

/** Creates the sandbox helpers over a case directory. */
export function sandboxIn(root: string, synthesizedTemplate: string): Sandbox {
  const project = path.join(root, 'project');
  const at = (relative: string) => path.resolve(project, relative);
  const parentOf = (file: string) => fs.mkdirSync(path.dirname(file), { recursive: true });
  const sandbox: Sandbox = {
    root,
    project,
    home: path.join(root, 'home'),
    userFiles: path.join(root, 'user-files'),
    at,
    write(relative, content, mode) {
      const file = at(relative);
      parentOf(file);
      fs.writeFileSync(file, content);
      if (mode !== undefined) fs.chmodSync(file, mode);
      return file;
    },
    mkdir(relative) {
      fs.mkdirSync(at(relative), { recursive: true });
      return at(relative);
    },
    symlink(target, relative) {
      parentOf(at(relative));
      fs.symlinkSync(target, at(relative));
      return at(relative);
    },
    fifo(relative) {
      parentOf(at(relative));
      const result = spawnSync('mkfifo', [at(relative)]);
      if (result.status !== 0) throw new Error(`mkfifo failed: ${result.stderr.toString()}`);
      return at(relative);
    },
    socket(relative) {
      parentOf(at(relative));
      const result = spawnSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', at(relative)]);
      if (result.status !== 0) throw new Error(`cannot create a socket: ${result.stderr.toString()}`);
      return at(relative);
    },
    sparse(relative, bytes) {
      const file = sandbox.write(relative, '');
      fs.truncateSync(file, bytes);
      return file;
    },
    defaultConfig() {
      return parse(fs.readFileSync(at('config/default.yaml'), 'utf8')) as Record<string, unknown>;
    },
    config(value, name = 'hostile.yaml') {
      sandbox.write(name, typeof value === 'string' ? value : stringify(value));
      return name;
    },
    synthesized(relative = 'cdktf.out') {
      parentOf(at(relative));
      const result = spawnSync('cp', ['-a', synthesizedTemplate, at(relative)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`cannot copy the synthesized output: ${result.stderr}`);
      return at(relative);
    },
    deadPid(nth = 0) {
      let found = 0;
      for (let pid = 4_000_000; pid > 1000; pid -= 7919) {
        try {
          process.kill(pid, 0);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ESRCH' && found++ === nth) return pid;
        }
      }
      throw new Error('no free process id found');
    },
  };
  return sandbox;
}
