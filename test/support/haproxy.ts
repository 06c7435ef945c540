/** Debian's HAProxy, to check and run rendered gateway configs on loopback. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HAPROXY = '/usr/sbin/haproxy';

export function requireHaproxy(): void {
  if (!fs.existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: install Debian's haproxy (apt-get install haproxy)`);
}

/** A throwaway self-signed certificate and key, concatenated as HAProxy expects. */
export function throwawayPem(directory: string): string {
  const key = path.join(directory, 'key.pem');
  const certificate = path.join(directory, 'cert.pem');
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test', '-keyout', key, '-out', certificate],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const pem = path.join(directory, 'tls.pem');
  fs.writeFileSync(pem, fs.readFileSync(certificate, 'utf8') + fs.readFileSync(key, 'utf8'));
  return pem;
}

export function checkConfig(file: string): { status: number | null; output: string } {
  const result = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function startHaproxy(file: string): ChildProcess {
  return spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Polls until `ready` resolves true (errors count as not yet), or fails after `timeoutMs`. */
export async function waitUntil(ready: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
