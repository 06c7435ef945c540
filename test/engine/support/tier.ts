/**
 * The engine proof's private world: a network + mount namespace (test/support/sandbox.ts)
 * holding the control plane, the chart repository, the engine runs and a bridge for the pod
 * network. Nothing in it is reachable from the machine's network, and nothing in it can reach
 * out. The test process stays outside and talks to the API server and probes pods through
 * the tier agent's Unix sockets (tier-agent.cjs).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Sandbox, type SandboxProcess } from '../../support/sandbox';

/** The pod network: a bridge in the tier namespace; the gateway address is also the API server's. */
export const POD_NETWORK = { cidr: '10.244.0.0/16', gateway: '10.244.0.1', prefixLength: 16, bridge: 'cbr0' } as const;
/** The API server's port, as pods reach it (the `kubernetes` Service's endpoint). */
export const API_SERVER_PORT = 443;

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export interface Probe {
  readonly kind: 'http' | 'tcp';
  readonly host: string;
  readonly port: number;
  readonly path?: string;
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export class Tier {
  private agent: SandboxProcess | undefined;

  private constructor(
    readonly directory: string,
    readonly sandbox: Sandbox,
  ) {}

  get apiSocket(): string {
    return path.join(this.directory, 'api.sock');
  }

  private get agentSocket(): string {
    return path.join(this.directory, 'agent.sock');
  }

  static async create(directory: string): Promise<Tier> {
    fs.mkdirSync(directory, { recursive: true });
    for (const tool of ['/usr/bin/bwrap', '/usr/bin/nsenter', '/usr/bin/setpriv']) {
      if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: the engine proof runs pods with Debian's bubblewrap and util-linux`);
    }
    const sandbox = await Sandbox.create(directory, {}, '127.0.0.1');
    const tier = new Tier(directory, sandbox);
    try {
      for (const args of [
        ['link', 'add', POD_NETWORK.bridge, 'type', 'bridge'],
        ['addr', 'add', `${POD_NETWORK.gateway}/${POD_NETWORK.prefixLength}`, 'dev', POD_NETWORK.bridge],
        ['link', 'set', POD_NETWORK.bridge, 'up'],
      ]) {
        const result = await tier.run('/bin/ip', args);
        if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
      }
      return tier;
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
  }

  /** Starts the agent once the API server's address is known. */
  async startAgent(apiHost: string, apiPort: number): Promise<void> {
    this.agent = this.sandbox.start('tier-agent', process.execPath, [
      path.join(__dirname, 'tier-agent.cjs'),
      this.directory,
      apiHost,
      String(apiPort),
    ]);
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(this.apiSocket) || !fs.existsSync(this.agentSocket)) {
      this.sandbox.assertRunning(this.agent);
      if (Date.now() > deadline) throw new Error('the tier agent did not open its sockets in 15 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Runs a command to completion inside the tier, with its output kept apart. */
  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [program, programArgs] = this.sandbox.enter(command, args, false, options.cwd ?? this.directory);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(program, programArgs, {
        cwd: options.cwd ?? this.directory,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = options.timeoutMs
        ? setTimeout(() => {
            stderr += `\n[killed after ${options.timeoutMs} ms]`;
            try {
              process.kill(-(child.pid ?? 0), 'SIGKILL');
            } catch {
              // already gone
            }
          }, options.timeoutMs)
        : undefined;
      child.once('error', reject);
      child.once('close', (status) => {
        if (timer) clearTimeout(timer);
        resolve({ status, stdout, stderr, durationMs: Date.now() - started });
      });
    });
  }

  start(
    name: string,
    command: string,
    args: readonly string[],
    options: { env?: Readonly<Record<string, string>>; cwd?: string } = {},
  ): SandboxProcess {
    return this.sandbox.start(name, command, args, options);
  }

  /** A kubelet-style probe, run from inside the tier. */
  probe(spec: Probe): Promise<{ ok: boolean; detail: string }> {
    const payload = JSON.stringify(spec);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          socketPath: this.agentSocket,
          path: '/probe',
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            try {
              resolve(JSON.parse(text) as { ok: boolean; detail: string });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  logFile(name: string): string {
    return path.join(this.directory, 'logs', `${name}.log`);
  }

  async stop(): Promise<void> {
    await this.sandbox.stop();
  }
}
