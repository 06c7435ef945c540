/**
 * Debian's PostgreSQL server, started on loopback with the rendered settings. PostgreSQL
 * refuses to run as root, so when the tests run as root the server runs as `nobody`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function postgresBinDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server under /usr/lib/postgresql: install Debian\'s postgresql (apt-get install postgresql)');
  return path.join(root, newest, 'bin');
}

const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

/** Runs a server-side command as the unprivileged account when needed. */
export function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return asRoot ? ['setpriv', [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', command, ...args]] : [command, [...args]];
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
