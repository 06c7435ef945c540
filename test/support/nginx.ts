/**
 * Debian's nginx, run with a given config as nobody in the foreground, as a container's nginx
 * runs (the Element Web image serves its bundle with nginx as a non-root user). Installed by
 * `scripts/ensure-test-tools.sh integration`, like Chromium: only the integration tier runs it.
 *
 * The helper never edits the config. It adds on the command line only what a foreground,
 * unprivileged master needs and the config leaves to the compiled-in defaults: `daemon off`,
 * a pid file and the startup error log in the working directory. Everything else the config
 * writes (access log, client body and proxy temp paths) must be somewhere nobody can write,
 * as the deployed config has it for a read-only root filesystem.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { stopProcess, tail, type Sandbox, type SandboxProcess } from './sandbox';

export const NGINX = '/usr/sbin/nginx';

const NOBODY = { uid: 65534, gid: 65534 };

export function requireNginx(): void {
  if (!fs.existsSync(NGINX))
    throw new Error(
      `${NGINX} is missing: install Debian's nginx (bash scripts/ensure-test-tools.sh integration, or apt-get install nginx)`,
    );
}

export interface NginxOptions {
  /** The whole nginx.conf text. */
  readonly config: string;
  /**
   * The working directory: nginx.conf, the pid file and logs/error.log go here, and relative
   * paths in the config resolve against it (nginx's prefix). It and everything in it is handed
   * to nobody, so TLS keys the config names may live here.
   */
  readonly directory: string;
  /** Where the config listens: readiness is a TCP connection there. */
  readonly listen: { readonly address: string; readonly port: number };
  /** Run inside the given sandbox's namespaces (its network and /etc/hosts); otherwise on the machine's loopback. */
  readonly sandbox?: Sandbox;
  /** A name for the process and its log (several servers in one sandbox); default 'nginx'. */
  readonly name?: string;
  readonly timeoutMs?: number;
}

export interface NginxServer {
  readonly name: string;
  /** The error log (-e): startup and runtime errors. */
  readonly errorLog: string;
  /** The process's own output (what nginx prints before its error log is open). */
  readonly outputLog: string;
  stop(): Promise<void>;
}

export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  requireNginx();
  const name = options.name ?? 'nginx';
  const directory = path.resolve(options.directory);
  fs.mkdirSync(path.join(directory, 'logs'), { recursive: true });
  const configFile = path.join(directory, 'nginx.conf');
  fs.writeFileSync(configFile, options.config);
  const errorLog = path.join(directory, 'logs', 'error.log');
  // As root, the server runs as nobody and gets its directory; otherwise as the test's own user.
  const asNobody = process.getuid?.() === 0;
  if (asNobody) giveToNobody(directory);

  const globals = [
    /^\s*daemon\s/m.test(options.config) ? '' : 'daemon off;',
    /^\s*pid\s/m.test(options.config) ? '' : `pid ${path.join(directory, 'nginx.pid')};`,
  ].join(' ');
  const args = ['-p', `${directory}/`, '-c', configFile, '-e', errorLog, ...(globals.trim() ? ['-g', globals.trim()] : [])];

  const started = options.sandbox
    ? options.sandbox.start(name, NGINX, args, { cwd: directory, asNobody })
    : startOutside(name, args, directory, asNobody);
  const stop = () => stopProcess(started.child, 5_000);
  const ready = options.sandbox
    ? () => options.sandbox?.acceptsTcp(options.listen.address, options.listen.port) ?? Promise.resolve(false)
    : () => acceptsTcp(options.listen.address, options.listen.port);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  try {
    for (;;) {
      const status = started.exited();
      if (status !== undefined)
        throw new Error(
          `${name} exited (${status}) during startup\n--- ${errorLog}\n${tail(errorLog, 20)}\n--- ${started.logFile}\n${tail(started.logFile, 20)}`,
        );
      if (await ready()) break;
      if (Date.now() > deadline)
        throw new Error(`${name} did not listen on ${options.listen.address}:${options.listen.port}\n${tail(errorLog, 20)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, errorLog, outputLog: started.logFile, stop };
}

/** On the machine's own network (as nobody when root); the kernel kills it with the test process (setpriv's --pdeathsig). */
function startOutside(name: string, args: readonly string[], directory: string, asNobody: boolean): SandboxProcess {
  const logFile = path.join(directory, 'logs', `${name}.out`);
  const out = fs.openSync(logFile, 'a');
  const user = asNobody ? [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups'] : [];
  const child = spawn('/usr/bin/setpriv', [...user, '--pdeathsig', 'KILL', '--', NGINX, ...args], {
    cwd: directory,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  let status: string | undefined;
  child.once('exit', (code, signal) => (status = signal ?? String(code)));
  return { name, child, logFile, exited: () => status };
}

function giveToNobody(directory: string): void {
  fs.chmodSync(directory, 0o755);
  const walk = (entry: string) => {
    fs.lchownSync(entry, NOBODY.uid, NOBODY.gid);
    if (fs.lstatSync(entry).isDirectory()) for (const child of fs.readdirSync(entry)) walk(path.join(entry, child));
  };
  walk(directory);
}

function acceptsTcp(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
