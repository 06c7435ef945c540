/**
 * The smallest real control plane, for proving one binary of the engine supply against it
 * (cert-manager.etest.ts): etcd and kube-apiserver built from their Go modules, on the host's
 * loopback, plain HTTP etcd, the API server's self-signed serving certificate (its
 * `certificateFile`), a static admin token, RBAC + Pod Security admission as in a real cluster.
 * No controller manager, no nodes, no namespaces of its own and no root needed: the binary
 * under test runs as a host process and the test talks to it directly. (The deployments run
 * on the full cluster of control-plane.ts.) Everything lives in a temporary directory and
 * dies with stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureEngineTool } from './engine-tools';

export interface LoopbackControlPlane {
  readonly server: string;
  readonly token: string;
  /** The API server's serving certificate (self-signed: also the CA a client must trust). */
  readonly certificateFile: string;
  /** A kubeconfig for the admin token (the server's certificate is self-signed: insecure-skip-tls-verify). */
  readonly kubeconfig: string;
  /** Calls the API with the admin token, another bearer token, or none (`null`). */
  request(method: string, apiPath: string, body?: unknown, token?: string | null): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function start(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(binary, [...args], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function call(server: string, token: string | null, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      `${server}${apiPath}`,
      {
        method,
        rejectUnauthorized: false,
        headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain-text endpoints (/readyz)
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('error', reject);
    if (payload) request.write(payload);
    request.end();
  });
}

async function waitFor(what: string, deadlineMs: number, probe: () => Promise<boolean>, logFile: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${deadlineMs / 1000}s; log tail:\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function startLoopbackControlPlane(directory: string): Promise<LoopbackControlPlane> {
  const etcd = ensureEngineTool('etcd');
  const apiserver = ensureEngineTool('kube-apiserver');
  fs.mkdirSync(directory, { recursive: true });
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const etcdLog = path.join(directory, 'etcd.log');
  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const child of processes.reverse()) await stopProcess(child);
  };
  try {
    processes.push(
      start(
        etcd,
        [
          '--name=engine-proof',
          `--data-dir=${path.join(directory, 'etcd')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-cluster=engine-proof=http://127.0.0.1:${etcdPeer}`,
          '--unsafe-no-fsync',
        ],
        etcdLog,
      ),
    );
    await waitFor('etcd', 60_000, async () => (await fetch(`${etcdUrl}/health`)).ok, etcdLog);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signingKey = path.join(directory, 'sa.key');
    fs.writeFileSync(signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const token = randomBytes(24).toString('hex');
    const tokenFile = path.join(directory, 'tokens.csv');
    fs.writeFileSync(tokenFile, `${token},engine-proof-admin,engine-proof-admin,"system:masters"\n`, { mode: 0o600 });
    const apiserverLog = path.join(directory, 'kube-apiserver.log');
    processes.push(
      start(
        apiserver,
        [
          `--etcd-servers=${etcdUrl}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          // The `kubernetes` Service's endpoint reconciler refuses a loopback address; nothing here needs that Service.
          '--endpoint-reconciler-type=none',
          `--secure-port=${securePort}`,
          `--cert-dir=${path.join(directory, 'certs')}`,
          `--token-auth-file=${tokenFile}`,
          '--authorization-mode=RBAC',
          `--service-account-key-file=${signingKey}`,
          `--service-account-signing-key-file=${signingKey}`,
          '--service-account-issuer=https://kubernetes.default.svc',
          '--service-cluster-ip-range=10.96.0.0/16',
          '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,LimitRanger,ResourceQuota,PodSecurity',
          '--disable-admission-plugins=StorageObjectInUseProtection',
          '--anonymous-auth=false',
          // As on a real cluster (kubeadm's default): privileged pods are refused by Pod Security
          // admission per namespace, not by a cluster-wide switch that would hide it.
          '--allow-privileged=true',
        ],
        apiserverLog,
      ),
    );
    const server = `https://127.0.0.1:${securePort}`;
    await waitFor('kube-apiserver', 180_000, async () => (await call(server, token, 'GET', '/readyz')).status === 200, apiserverLog);
    const kubeconfig = path.join(directory, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'engine-proof', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token } }],
        contexts: [{ name: 'engine-proof', context: { cluster: 'engine-proof', user: 'admin' } }],
        'current-context': 'engine-proof',
      }),
      { mode: 0o600 },
    );
    return { server, token, certificateFile: path.join(directory, 'certs', 'apiserver.crt'), kubeconfig, request: (method, apiPath, body, as) => call(server, as === undefined ? token : as, method, apiPath, body), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
