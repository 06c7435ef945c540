/**
 * A private network namespace (loopback only) with its own mount namespace, in which the
 * integration tier runs every server. Inside it:
 *  - only `lo` exists, so whatever a rendered config binds (0.0.0.0, `*`, `:8443`) is loopback
 *    only, the deployed ports can be used as they are, and nothing can leave the machine;
 *  - /etc/hosts and /etc/resolv.conf are bind-mounted (visible to no other process on the
 *    machine) so the cluster Service names the rendered configs use resolve to the pods'
 *    loopback addresses, and every TLS name check stays exactly as deployed.
 * Every process runs in its own process group, logs to a file, and is killed with its group.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SandboxProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Exit code or signal once exited; undefined while running. */
  exited(): string | undefined;
}

const NOBODY = { uid: 65534, gid: 65534 };

export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the integration tier needs root: it creates a network namespace (unshare) and runs PostgreSQL as nobody');
}

export class Sandbox {
  private readonly processes: SandboxProcess[] = [];
  private holder: ChildProcess | undefined;
  private holderPid = 0;
  private exitHook: (() => void) | undefined;

  private hostsTable: Readonly<Record<string, string>> = {};

  private constructor(readonly directory: string) {}

  /** Starts the namespace holder; `hosts` is the name -> address table, `nameserver` the DNS address. */
  static async create(directory: string, hosts: Readonly<Record<string, string>>, nameserver: string): Promise<Sandbox> {
    requireRoot();
    for (const tool of ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/bin/setpriv'])
      if (!fs.existsSync(tool)) throw new Error(`${tool} is missing (Debian's util-linux)`);
    if (!fs.existsSync('/bin/ip')) throw new Error("/bin/ip is missing: install Debian's iproute2 (apt-get install iproute2)");
    const sandbox = new Sandbox(directory);
    sandbox.hostsTable = hosts;
    fs.mkdirSync(path.join(directory, 'logs'), { recursive: true });
    const hostsFile = path.join(directory, 'hosts');
    fs.writeFileSync(hostsFile, hostsFileText(hosts));
    const resolvFile = path.join(directory, 'resolv.conf');
    fs.writeFileSync(resolvFile, `nameserver ${nameserver}\n`);
    const script = [
      '/bin/ip link set lo up',
      `mount --bind ${hostsFile} /etc/hosts`,
      `mount --bind ${resolvFile} /etc/resolv.conf`,
      'echo $$',
      'exec sleep infinity',
    ].join('\n');
    const log = fs.openSync(path.join(directory, 'logs', 'namespace.log'), 'a');
    const holder = spawn(
      '/usr/bin/setpriv',
      [
        '--pdeathsig',
        'KILL',
        '--',
        '/usr/bin/unshare',
        '--net',
        '--mount',
        '--propagation',
        'private',
        '--fork',
        '--kill-child',
        '--',
        'sh',
        '-ec',
        script,
      ],
      { stdio: ['ignore', 'pipe', log], detached: true },
    );
    sandbox.holder = holder;
    sandbox.installExitHook();
    sandbox.holderPid = await new Promise<number>((resolve, reject) => {
      let output = '';
      holder.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const pid = /^(\d+)\n/.exec(output)?.[1];
        if (pid) resolve(Number(pid));
      });
      holder.once('exit', (code) =>
        reject(new Error(`the namespace holder exited (${code}): see ${path.join(directory, 'logs', 'namespace.log')}`)),
      );
    });
    return sandbox;
  }

  /**
   * The command that runs a program inside the namespaces (optionally as nobody). setpriv's
   * --pdeathsig makes the kernel kill the server if the test process dies without cleaning
   * up (even on SIGKILL); it is set last, after any change of user, which would clear it.
   */
  enter(command: string, args: readonly string[], asNobody = false, cwd = this.directory): [string, string[]] {
    const user = asNobody ? [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups'] : [];
    // Entering a mount namespace resets the working directory to its root: set it again inside.
    return [
      '/usr/bin/nsenter',
      [
        `--target=${this.holderPid}`,
        '--net',
        '--mount',
        `--wdns=${cwd}`,
        '--',
        '/usr/bin/setpriv',
        ...user,
        '--pdeathsig',
        'KILL',
        '--',
        command,
        ...args,
      ],
    ];
  }

  /** Starts a long-running server inside the namespaces, in its own process group, logging to logs/<name>.log. */
  start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: Readonly<Record<string, string>>; asNobody?: boolean } = {},
  ): SandboxProcess {
    const logFile = path.join(this.directory, 'logs', `${name}.log`);
    const out = fs.openSync(logFile, 'a');
    const [program, programArgs] = this.enter(command, args, options.asNobody ?? false, options.cwd ?? this.directory);
    const child = spawn(program, programArgs, {
      cwd: options.cwd ?? this.directory,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    let status: string | undefined;
    child.once('exit', (code, signal) => (status = signal ?? String(code)));
    const started: SandboxProcess = { name, child, logFile, exited: () => status };
    this.processes.push(started);
    return started;
  }

  /**
   * Replaces the name -> address table inside the namespace (a Service moved to another pod).
   * The file is rewritten in place: the namespace's /etc/hosts is a bind mount of it.
   */
  setHosts(hosts: Readonly<Record<string, string>>): void {
    this.hostsTable = { ...hosts };
    fs.writeFileSync(path.join(this.directory, 'hosts'), hostsFileText(hosts));
  }

  /** The name -> address table inside the namespace now. */
  hosts(): Readonly<Record<string, string>> {
    return this.hostsTable;
  }

  /** Runs a short command inside the namespaces; resolves with its exit status and output. */
  exec(
    command: string,
    args: readonly string[],
    timeoutMs = 5_000,
    env: Readonly<Record<string, string>> = {},
    asNobody = false,
  ): Promise<{ status: number; output: string }> {
    const [program, programArgs] = this.enter(command, args, asNobody);
    return new Promise((resolve) => {
      execFile(program, programArgs, { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ status, output: `${stdout}${stderr}` });
      });
    });
  }

  /** True when something accepts TCP connections on address:port inside the namespace. */
  async acceptsTcp(address: string, port: number): Promise<boolean> {
    return (await this.exec('bash', ['-c', `exec 3<>/dev/tcp/${address}/${port}`], 3_000)).status === 0;
  }

  /** Fails fast when a server died during boot, with the tail of its log. */
  assertRunning(process: SandboxProcess): void {
    const status = process.exited();
    if (status !== undefined)
      throw new Error(`${process.name} exited (${status}) during boot; log ${process.logFile}:\n${tail(process.logFile, 40)}`);
  }

  logFiles(): string[] {
    const directory = path.join(this.directory, 'logs');
    return fs.readdirSync(directory).map((name) => path.join(directory, name));
  }

  /** SIGTERM to every process group (newest first), SIGKILL after `graceMs`, then the namespace holder. */
  async stop(graceMs = 10_000): Promise<void> {
    const running = [...this.processes].reverse().filter((candidate) => candidate.exited() === undefined);
    await Promise.all(running.map((candidate) => stopGroup(candidate.child, graceMs)));
    if (this.holder && this.holder.exitCode === null && this.holder.signalCode === null) await stopGroup(this.holder, 2_000);
    if (this.exitHook) process.removeListener('exit', this.exitHook);
  }

  /** If the test process dies without afterAll, no server survives it. */
  private installExitHook(): void {
    this.exitHook = () => {
      for (const child of [...this.processes.map((candidate) => candidate.child), this.holder]) {
        if (child?.pid && child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    };
    process.on('exit', this.exitHook);
  }
}

/** SIGTERM to one process group, SIGKILL after `graceMs` (0: SIGKILL at once, a crash); resolves once the leader exited. */
export function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  return stopGroup(child, graceMs);
}

function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return void resolve();
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid ?? 0), name);
      } catch {
        // the group is gone
      }
    };
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      // Children that outlived the group leader (none expected) go too.
      signal('SIGKILL');
      resolve();
    });
    signal(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  });
}

function hostsFileText(hosts: Readonly<Record<string, string>>): string {
  return ['127.0.0.1 localhost', '::1 localhost', ...Object.entries(hosts).map(([name, address]) => `${address} ${name}`), ''].join('\n');
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `ready` until true or the deadline (epoch ms); `check` runs between polls to fail fast. */
export async function waitFor(
  what: string,
  deadline: number,
  ready: () => Promise<boolean>,
  check: () => void = () => undefined,
): Promise<void> {
  for (;;) {
    check();
    try {
      if (await ready()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready before the boot deadline`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
