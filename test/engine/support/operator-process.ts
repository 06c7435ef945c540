/**
 * Runs an operator binary of the engine proof as its chart's Deployment would: with the
 * container's args and env (kubelet-style `$(VAR)` expansion), and either a kubeconfig or,
 * as in a pod, in-cluster configuration: a private mount namespace whose
 * /var/run/secrets/kubernetes.io/serviceaccount holds the service account's token, the API
 * server's CA and the namespace, with KUBERNETES_SERVICE_HOST/PORT set (needs root).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KubeObject } from '../../support/kube-tools';

export interface ContainerSpec {
  readonly args: string[];
  readonly env: Record<string, string>;
}

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}

/** The args and env of a Deployment's container, with the fields a kubelet fills (metadata.namespace) resolved and `$(VAR)` expanded. */
export function deploymentContainer(objects: readonly KubeObject[], deployment: string, container: string): ContainerSpec {
  const found = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === deployment);
  const containers = (found?.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec?.containers ?? [];
  const spec = containers.find((entry) => entry.name === container);
  if (!found || !spec) throw new Error(`no container ${container} in Deployment ${deployment}`);
  const namespace = found.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const variable of spec.env ?? []) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (fieldPath === 'metadata.namespace') env[variable.name] = namespace;
    else throw new Error(`${deployment}/${container}: env ${variable.name} has a source this harness does not fill`);
  }
  const args = (spec.args ?? []).map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));
  return { args, env };
}

export interface InClusterIdentity {
  readonly token: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly caCertificate: string;
  readonly namespace: string;
  readonly serviceHost: string;
  readonly servicePort: string;
}

export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  logTail(): string;
  stop(): Promise<void>;
}

const MOUNT_SERVICE_ACCOUNT = [
  'set -e',
  'mount -t tmpfs -o mode=0755 engine-proof /run',
  'mkdir -p /run/secrets/kubernetes.io/serviceaccount',
  'mount --bind "$ENGINE_PROOF_SERVICE_ACCOUNT" /run/secrets/kubernetes.io/serviceaccount',
  'unset ENGINE_PROOF_SERVICE_ACCOUNT',
  'exec "$@"',
].join('\n');

/** Starts `binary`; its output goes to `<directory>/<name>.log`. */
export function startOperator(name: string, binary: string, container: ContainerSpec, directory: string, inCluster?: InClusterIdentity): OperatorProcess {
  const logFile = path.join(directory, `${name}.log`);
  const log = fs.openSync(logFile, 'a');
  let command = binary;
  let args = container.args;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: directory, ...container.env };
  if (inCluster) {
    const serviceAccount = path.join(directory, `${name}-serviceaccount`);
    fs.mkdirSync(serviceAccount, { recursive: true });
    fs.writeFileSync(path.join(serviceAccount, 'token'), inCluster.token, { mode: 0o600 });
    fs.writeFileSync(path.join(serviceAccount, 'ca.crt'), inCluster.caCertificate);
    fs.writeFileSync(path.join(serviceAccount, 'namespace'), inCluster.namespace);
    command = 'unshare';
    args = ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', MOUNT_SERVICE_ACCOUNT, 'sh', binary, ...container.args];
    Object.assign(env, { ENGINE_PROOF_SERVICE_ACCOUNT: serviceAccount, KUBERNETES_SERVICE_HOST: inCluster.serviceHost, KUBERNETES_SERVICE_PORT: inCluster.servicePort });
  }
  const child = spawn(command, args, { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return {
    child,
    logFile,
    logTail: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : ''),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
