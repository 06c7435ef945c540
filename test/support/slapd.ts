/**
 * Starts Debian's slapd on loopback with a rendered configuration, for tests that must see
 * the real directory server enforce what the configuration claims.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OpenLdapPaths } from '../../render/openldap';

const REQUIRED = [
  '/usr/sbin/slapd',
  '/usr/sbin/slapadd',
  '/usr/sbin/slaptest',
  '/usr/sbin/slappasswd',
  '/usr/bin/ldapsearch',
  '/usr/bin/ldapwhoami',
];

export function requireOpenLdapTools(): void {
  const missing = REQUIRED.filter((file) => !fs.existsSync(file));
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(', ')}: install Debian's slapd and ldap-utils (apt-get install slapd ldap-utils)`);
}

export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(command, args, { encoding: 'utf8', input: options.input, env: { ...process.env, ...options.env }, timeout: 30_000 });
}

export function hashPassword(password: string): string {
  const result = run('/usr/sbin/slappasswd', ['-s', password]);
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

export function selfSignedCertificate(directory: string, commonName: string): void {
  fs.mkdirSync(directory, { recursive: true });
  const result = run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    `subjectAltName=DNS:${commonName},IP:127.0.0.1`,
    '-keyout',
    path.join(directory, 'tls.key'),
    '-out',
    path.join(directory, 'tls.crt'),
  ]);
  if (result.status !== 0) throw new Error(result.stderr);
  fs.copyFileSync(path.join(directory, 'tls.crt'), path.join(directory, 'ca.crt'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} did not open`);
}

export interface RunningSlapd {
  readonly port: number;
  readonly root: string;
  readonly process: ChildProcess;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Runs the rendered init steps, as the pod's init containers do (same commands, same order). */
export function runInitSteps(steps: readonly { name: string; command: readonly string[] }[]): void {
  for (const step of steps) {
    const [command, ...args] = step.command;
    const result = run(command ?? '', args);
    if (result.status !== 0) throw new Error(`init step ${step.name} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
}

/** Serves an initialised directory with slapd on loopback, LDAPS only. */
export async function serveSlapd(root: string, configDirectory: string): Promise<RunningSlapd> {
  const port = await freePort();
  const logFile = path.join(root, `slapd-${port}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn('/usr/sbin/slapd', ['-d', 'stats', '-h', `ldaps://127.0.0.1:${port}/`, '-F', configDirectory], {
    stdio: ['ignore', out, out],
  });
  await waitForPort(port, Date.now() + 15_000);
  return {
    port,
    root,
    process: child,
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return void resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function tempDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The rendered configuration's paths, all below one test directory (the pod's layout, moved). */
export function openLdapPathsUnder(root: string): OpenLdapPaths {
  return {
    configDirectory: root,
    runtimeConfigDirectory: path.join(root, 'slapd.d'),
    dataDirectory: path.join(root, 'data'),
    tlsDirectory: path.join(root, 'tls'),
    bootstrapLdif: path.join(root, 'bootstrap.ldif'),
    bindPasswordFile: path.join(root, 'ldap-bind', 'password'),
  };
}
