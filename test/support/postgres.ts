/**
 * Debian's PostgreSQL server, started on loopback with the rendered settings. PostgreSQL
 * refuses to run as root, so when the tests run as root the server runs as `nobody`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function postgresBinDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'postgres')))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("no PostgreSQL server under /usr/lib/postgresql: install Debian's postgresql (apt-get install postgresql)");
  return path.join(root, newest, 'bin');
}

const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

/** The OS user the server runs as (peer authentication over its socket maps this name). */
export function serverUserName(): string {
  return asRoot ? 'nobody' : os.userInfo().username;
}

/** Runs a server-side command as the unprivileged account when needed. */
export function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return asRoot
    ? ['setpriv', [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', command, ...args]]
    : [command, [...args]];
}

/** Hands a directory tree to the server account. */
export function giveToServer(directory: string): void {
  if (!asRoot) return;
  const visit = (entry: string) => {
    fs.chownSync(entry, NOBODY.uid, NOBODY.gid);
    if (fs.statSync(entry).isDirectory()) for (const child of fs.readdirSync(entry)) visit(path.join(entry, child));
  };
  visit(directory);
}

export function runAsServer(command: string, args: readonly string[]) {
  const [program, programArgs] = asServerUser(command, args);
  return spawnSync(program, programArgs, { encoding: 'utf8', timeout: 60_000 });
}

export function startAsServer(command: string, args: readonly string[], logFile: string): ChildProcess {
  const [program, programArgs] = asServerUser(command, args);
  const out = fs.openSync(logFile, 'w');
  return spawn(program, programArgs, { stdio: ['ignore', out, out] });
}

export interface ScratchPostgres {
  /** Runs SQL as the superuser over the server's socket; stdout (unaligned, tuples only) or an error. */
  readonly psql: (sql: string) => string;
  readonly stop: () => void;
}

/** A throwaway server on a Unix socket only (no TCP), trust authentication, for tests of SQL semantics. */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = postgresBinDirectory();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-postgres-'));
  fs.chmodSync(root, 0o755);
  const socket = path.join(root, 'run');
  fs.mkdirSync(socket);
  giveToServer(root);
  const init = runAsServer(path.join(bin, 'initdb'), ['-D', path.join(root, 'data'), '--username=postgres', '--auth=trust', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const server = startAsServer(
    path.join(bin, 'postgres'),
    ['-D', path.join(root, 'data'), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${socket}`, '-c', 'fsync=off'],
    path.join(root, 'postgres.log'),
  );
  const psql = (sql: string): string => {
    const result = spawnSync('psql', ['-h', socket, '-U', 'postgres', '-d', 'postgres', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout;
  };
  const stop = () => {
    server.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnSync(path.join(bin, 'pg_isready'), ['-h', socket]).status === 0) return { psql, stop };
    if (Date.now() > deadline) {
      const log = fs.readFileSync(path.join(root, 'postgres.log'), 'utf8');
      stop();
      throw new Error(`postgres did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
