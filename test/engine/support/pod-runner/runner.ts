/**
 * A loopback kubelet for the pods the engine proof runs for real: the platform operators
 * (cert-manager, trust-manager, External Secrets), OpenBao and the configurator Job. It takes
 * the pods the scheduler bound to the simulated node in the namespaces it serves (kwok leaves
 * those alone) and, from each pod's own spec: gives it a network namespace and an address on
 * the pod network, writes its volumes, runs its init containers then its containers from the
 * binaries the image stands for (container-command.ts), probes them, restarts them per the
 * restart policy, reports everything in the pod's status, and on deletion stops them within
 * the grace period and removes the pod, as a kubelet does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../../config/project-root';
import { buildGoProgram } from '../../../support/go-build';
import type { SandboxProcess } from '../../../support/sandbox';
import type { Cluster } from '../control-plane';
import { type KubeClient } from '../kube-client';
import { POD_NETWORK, API_SERVER_PORT, type Tier } from '../tier';
import {
  containerArgv,
  containerIdentity,
  sandboxedCommand,
  type ImageCatalogue,
  type ImageRuntime,
  type SandboxFiles,
} from './container-command';
import { containerEnvironment, expandReferences, type PodAddresses } from './environment';
import { hostsTable, writeInPlace } from './hosts';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, ProbeSpec } from './pod-types';
import { VolumeNotReady, VolumeWriter, type MaterializedVolume } from './volumes';

/** How often Secret, ConfigMap and projected volumes are brought up to date (the kubelet: about a minute). */
const VOLUME_SYNC_MS = 3_000;

/** The part of the pod network the runner hands out (kwok uses another). */
const ADDRESS_PREFIX = '10.244.1.';

export interface ContainerRecord {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly image: string;
  readonly user: number;
  readonly argv: readonly string[];
  exitCode?: number;
  readonly logFile: string;
}

interface ContainerRun {
  readonly container: Container;
  readonly init: boolean;
  process?: SandboxProcess;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  readinessFailures: number;
  livenessFailures: number;
  nextProbeAt: number;
  nextStartAt: number;
  startedAt: number;
}

const now = () => new Date().toISOString();

/** The pod's uid, shortened for interface and namespace names (at most 15 characters with a prefix). */
const shortId = (pod: Pod) => pod.metadata.uid.replace(/-/g, '').slice(0, 10);

function probePeriodMs(probe: ProbeSpec | undefined): number {
  // The kubelet's period, but never slower than 2 s: readiness gates every engine wait here.
  return Math.min((probe?.periodSeconds ?? 10) * 1000, 2_000);
}

class RunningPod {
  readonly containers: ContainerRun[];
  booted = false;
  nextVolumeSync = 0;
  terminating = false;
  finished = false;
  volumes = new Map<string, MaterializedVolume>();
  writer: VolumeWriter;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' = 'Pending';
  startTime = now();
  waitingMessage = '';
  private lastStatus = '';

  constructor(
    readonly pod: Pod,
    readonly address: string,
    readonly netns: string,
    readonly root: string,
    kube: KubeClient,
  ) {
    this.writer = new VolumeWriter(kube, pod, root);
    const run = (container: Container, init: boolean): ContainerRun => ({
      container,
      init,
      state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
      ready: false,
      started: false,
      restartCount: 0,
      readinessFailures: 0,
      livenessFailures: 0,
      nextProbeAt: 0,
      nextStartAt: 0,
      startedAt: 0,
    });
    this.containers = [
      ...(pod.spec.initContainers ?? []).map((container) => run(container, true)),
      ...pod.spec.containers.map((container) => run(container, false)),
    ];
  }

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  statusPatch(scheduled: PodCondition | undefined): { status: Record<string, unknown> } | undefined {
    const init = this.containers.filter((run) => run.init);
    const main = this.containers.filter((run) => !run.init);
    const initialized = init.every((run) => run.state.terminated?.exitCode === 0);
    const containersReady = main.every((run) => run.ready);
    const condition = (type: string, status: boolean, reason?: string): PodCondition => ({
      type,
      status: status ? 'True' : 'False',
      ...(status || !reason ? {} : { reason }),
      lastTransitionTime: this.startTime,
    });
    const statusOf = (run: ContainerRun): ContainerStatus => ({
      name: run.container.name,
      image: run.container.image,
      imageID: run.container.image,
      ...(run.process ? { containerID: `engine-proof://${this.pod.metadata.uid}/${run.container.name}/${run.restartCount}` } : {}),
      ready: run.ready,
      started: run.started,
      restartCount: run.restartCount,
      state: run.state.waiting && this.waitingMessage ? { waiting: { ...run.state.waiting, message: this.waitingMessage } } : run.state,
      ...(run.lastState ? { lastState: run.lastState } : {}),
    });
    const status = {
      phase: this.phase,
      podIP: this.address,
      podIPs: [{ ip: this.address }],
      hostIP: POD_NETWORK.gateway,
      hostIPs: [{ ip: POD_NETWORK.gateway }],
      startTime: this.startTime,
      conditions: [
        ...(scheduled ? [scheduled] : []),
        condition('Initialized', initialized, 'ContainersNotInitialized'),
        condition('ContainersReady', containersReady, 'ContainersNotReady'),
        condition('Ready', containersReady && !this.terminating, 'ContainersNotReady'),
      ],
      ...(init.length > 0 ? { initContainerStatuses: init.map(statusOf) } : {}),
      containerStatuses: main.map(statusOf),
    };
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return undefined;
    this.lastStatus = text;
    return { status };
  }
}

export interface PodRunnerOptions {
  readonly namespaces: readonly string[];
  readonly images: ImageCatalogue;
}

export class PodRunner {
  private readonly pods = new Map<string, RunningPod>();
  private readonly free = Array.from({ length: 250 }, (_, index) => `${ADDRESS_PREFIX}${index + 3}`);
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  private readonly directory: string;
  private readonly hostsFile: string;
  private readonly resolvFile: string;
  private readonly sandboxFiles: SandboxFiles;
  /** Every container the runner started, in order (evidence). */
  readonly records: ContainerRecord[] = [];
  /** Problems the runner met outside any pod's own failure (reported by the tests). */
  readonly errors: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly options: PodRunnerOptions,
  ) {
    this.directory = path.join(cluster.tier.directory, 'pods');
    fs.mkdirSync(this.directory, { recursive: true });
    this.hostsFile = path.join(this.directory, 'hosts');
    this.resolvFile = path.join(this.directory, 'resolv.conf');
    fs.writeFileSync(this.hostsFile, '127.0.0.1 localhost\n');
    fs.writeFileSync(this.resolvFile, 'nameserver 127.0.0.1\noptions ndots:1\n');
    this.sandboxFiles = {
      hosts: this.hostsFile,
      resolvConf: this.resolvFile,
      runAs: buildGoProgram(path.join(projectRoot(), 'test', 'tools', 'engine-run-as'), 'engine-run-as'),
    };
  }

  private get kube(): KubeClient {
    return this.cluster.kube;
  }

  private get tier(): Tier {
    return this.cluster.tier;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 500);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([...this.pods.values()].map((running) => this.terminate(running, 2_000)));
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      writeInPlace(this.hostsFile, await hostsTable(this.kube, POD_NETWORK.gateway));
      const listed = await this.kube.list<Pod>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${this.cluster.nodeName}`);
      const served = listed.filter((pod) => this.options.namespaces.includes(pod.metadata.namespace));
      const seen = new Set(served.map((pod) => pod.metadata.uid));
      for (const pod of served) {
        const running = this.pods.get(pod.metadata.uid);
        if (!running && !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
          this.admit(pod);
        else if (running && pod.metadata.deletionTimestamp && !running.terminating) void this.delete(running, pod);
        else if (running) await this.reconcile(running, pod);
      }
      for (const [uid, running] of this.pods) if (!seen.has(uid)) void this.terminate(running, 0);
    } catch (error) {
      this.errors.push(`tick: ${String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  private admit(pod: Pod): void {
    const address = this.free.shift();
    if (!address) {
      this.errors.push(`no pod address left for ${pod.metadata.namespace}/${pod.metadata.name}`);
      return;
    }
    const short = shortId(pod);
    const root = this.podDirectory(pod);
    fs.mkdirSync(root, { recursive: true });
    const running = new RunningPod(pod, address, `pod-${short}`, root, this.kube);
    this.pods.set(pod.metadata.uid, running);
    void this.boot(running, short).catch((error: unknown) => {
      this.errors.push(`${running.key}: ${String(error)}`);
      running.waitingMessage = String(error);
    });
  }

  /** Where a pod's volumes and files are (kept after it ends, for inspection). */
  podDirectory(pod: Pod): string {
    return path.join(this.directory, `${pod.metadata.namespace}_${pod.metadata.name}_${shortId(pod)}`);
  }

  private async ip(args: readonly string[]): Promise<void> {
    const result = await this.tier.run('/bin/ip', args);
    if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
  }

  private async boot(running: RunningPod, short: string): Promise<void> {
    const { netns, address } = running;
    const hostSide = `vp${short}`;
    await this.ip(['netns', 'add', netns]);
    await this.ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await this.ip(['link', 'set', hostSide, 'master', POD_NETWORK.bridge, 'up']);
    await this.ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    await this.ip(['-n', netns, 'addr', 'add', `${address}/${POD_NETWORK.prefixLength}`, 'dev', 'eth0']);
    await this.ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    await this.ip(['-n', netns, 'route', 'add', 'default', 'via', POD_NETWORK.gateway]);
    await this.report(running);

    // Volumes: a missing Secret or ConfigMap keeps the pod in ContainerCreating, as on a node.
    for (;;) {
      if (running.terminating) return;
      try {
        running.volumes = new Map();
        for (const volume of running.pod.spec.volumes ?? []) running.volumes.set(volume.name, await running.writer.write(volume));
        running.waitingMessage = '';
        break;
      } catch (error) {
        if (!(error instanceof VolumeNotReady)) throw error;
        running.waitingMessage = `MountVolume: ${error.message}`;
        await this.report(running);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    running.booted = true;
    await this.report(running);
  }

  private addresses(running: RunningPod): PodAddresses {
    return { podIP: running.address, hostIP: POD_NETWORK.gateway, apiServerHost: POD_NETWORK.gateway, apiServerPort: API_SERVER_PORT };
  }

  private image(container: Container): ImageRuntime {
    const image = this.options.images(container.image);
    if (!image) throw new Error(`no runnable build stands for image "${container.image}"`);
    return image;
  }

  private async launch(running: RunningPod, run: ContainerRun): Promise<void> {
    const { pod } = running;
    const image = this.image(run.container);
    const environment = await containerEnvironment(this.kube, pod, run.container, this.addresses(running));
    const argv = containerArgv(run.container, image).map((argument) => expandReferences(argument, environment));
    const command = sandboxedCommand(pod, run.container, image, {
      netns: running.netns,
      volumes: running.volumes,
      environment,
      argv,
      files: this.sandboxFiles,
    });
    const name = `pod_${pod.metadata.namespace}_${pod.metadata.name}_${run.container.name}${run.restartCount > 0 ? `_${run.restartCount}` : ''}`;
    const [program, ...args] = command;
    run.process = this.tier.start(name, program ?? '', args);
    run.startedAt = Date.now();
    run.started = true;
    run.ready = false;
    run.readinessFailures = 0;
    run.livenessFailures = 0;
    run.nextProbeAt = Date.now() + (run.container.readinessProbe?.initialDelaySeconds ?? 0) * 1000;
    run.state = { running: { startedAt: now() } };
    const { user } = containerIdentity(pod, run.container, image);
    this.records.push({
      namespace: pod.metadata.namespace,
      pod: pod.metadata.name,
      container: run.container.name,
      image: run.container.image,
      user,
      argv,
      logFile: this.tier.logFile(name),
    });
  }

  private exitCodeOf(run: ContainerRun): number | undefined {
    const status = run.process?.exited();
    if (status === undefined) return undefined;
    const code = Number(status);
    return Number.isInteger(code) ? code : 128 + 9;
  }

  /** One step of the pod's life: start what is due, notice exits, probe, restart, report. */
  private async reconcile(running: RunningPod, observed: Pod): Promise<void> {
    if (!running.booted || running.terminating || running.finished) return;
    const restartPolicy = running.pod.spec.restartPolicy ?? 'Always';
    try {
      await running.writer.renewTokens();
      if (Date.now() >= running.nextVolumeSync) {
        running.nextVolumeSync = Date.now() + VOLUME_SYNC_MS;
        await running.writer.refresh();
      }
      // Init containers one after the other, each to success.
      for (const run of running.containers.filter((candidate) => candidate.init)) {
        if (run.state.terminated?.exitCode === 0) continue;
        if (!run.process || run.state.terminated) {
          if (Date.now() >= run.nextStartAt && !(run.state.terminated && restartPolicy === 'Never')) await this.launch(running, run);
        } else {
          const code = this.exitCodeOf(run);
          if (code !== undefined) this.recordExit(run, code, restartPolicy);
        }
        if (run.state.terminated?.exitCode !== 0) {
          if (run.state.terminated && restartPolicy === 'Never') running.phase = 'Failed';
          await this.report(running, observed);
          return;
        }
      }
      for (const run of running.containers.filter((candidate) => !candidate.init)) {
        if (!run.process) {
          await this.launch(running, run);
          continue;
        }
        if (run.state.terminated) {
          const restart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && run.state.terminated.exitCode !== 0);
          if (restart && Date.now() >= run.nextStartAt) {
            run.lastState = run.state;
            run.restartCount += 1;
            await this.launch(running, run);
          }
          continue;
        }
        const code = this.exitCodeOf(run);
        if (code !== undefined) {
          this.recordExit(run, code, restartPolicy);
          continue;
        }
        await this.probe(running, run);
      }
      const main = running.containers.filter((candidate) => !candidate.init);
      const done = main.every(
        (run) =>
          run.state.terminated && !(restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && run.state.terminated.exitCode !== 0)),
      );
      if (done) {
        running.phase = main.every((run) => run.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
        running.finished = true;
      } else if (main.some((run) => run.state.running)) {
        running.phase = 'Running';
      }
      await this.report(running, observed);
      if (running.finished) await this.release(running);
    } catch (error) {
      if (error instanceof VolumeNotReady) {
        running.waitingMessage = error.message;
        await this.report(running, observed);
        return;
      }
      throw error;
    }
  }

  private recordExit(run: ContainerRun, code: number, restartPolicy: string): void {
    run.state = {
      terminated: {
        exitCode: code,
        reason: code === 0 ? 'Completed' : 'Error',
        startedAt: new Date(run.startedAt).toISOString(),
        finishedAt: now(),
      },
    };
    run.ready = false;
    const record = [...this.records]
      .reverse()
      .find((candidate) => candidate.container === run.container.name && candidate.exitCode === undefined);
    if (record) record.exitCode = code;
    // CrashLoopBackOff, compressed: 2 s doubling to 20 s.
    if (restartPolicy !== 'Never') run.nextStartAt = Date.now() + Math.min(2_000 * 2 ** run.restartCount, 20_000);
  }

  private async probe(running: RunningPod, run: ContainerRun): Promise<void> {
    if (Date.now() < run.nextProbeAt) return;
    const readiness = run.container.readinessProbe;
    const liveness = run.container.livenessProbe;
    run.nextProbeAt = Date.now() + probePeriodMs(readiness ?? liveness);
    if (!readiness) run.ready = true;
    else {
      const ok = await this.runProbe(running, run, readiness);
      run.readinessFailures = ok ? 0 : run.readinessFailures + 1;
      if (ok) run.ready = true;
      else if (run.readinessFailures >= (readiness.failureThreshold ?? 3)) run.ready = false;
    }
    if (liveness && Date.now() - run.startedAt >= (liveness.initialDelaySeconds ?? 0) * 1000) {
      const ok = await this.runProbe(running, run, liveness);
      run.livenessFailures = ok ? 0 : run.livenessFailures + 1;
      if (run.livenessFailures >= (liveness.failureThreshold ?? 3)) await this.kill(run, 'liveness probe failed');
    }
  }

  private portOf(run: ContainerRun, port: number | string): number {
    if (typeof port === 'number') return port;
    const named = run.container.ports?.find((candidate) => candidate.name === port)?.containerPort;
    if (named === undefined) throw new Error(`container "${run.container.name}" has no port named "${port}"`);
    return named;
  }

  private async runProbe(running: RunningPod, run: ContainerRun, probe: ProbeSpec): Promise<boolean> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.httpGet) {
      const { httpGet } = probe;
      const headers = Object.fromEntries((httpGet.httpHeaders ?? []).map((header) => [header.name, header.value]));
      return (
        await this.tier.probe({
          kind: 'http',
          host: httpGet.host ?? running.address,
          port: this.portOf(run, httpGet.port),
          path: httpGet.path ?? '/',
          scheme: httpGet.scheme ?? 'HTTP',
          headers,
          timeoutMs,
        })
      ).ok;
    }
    if (probe.tcpSocket)
      return (
        await this.tier.probe({
          kind: 'tcp',
          host: probe.tcpSocket.host ?? running.address,
          port: this.portOf(run, probe.tcpSocket.port),
          timeoutMs,
        })
      ).ok;
    if (probe.exec) {
      const image = this.image(run.container);
      const environment = await containerEnvironment(this.kube, running.pod, run.container, this.addresses(running));
      const command = sandboxedCommand(running.pod, run.container, image, {
        netns: running.netns,
        volumes: running.volumes,
        environment,
        argv: probe.exec.command,
        files: this.sandboxFiles,
      });
      const [program, ...args] = command;
      return (await this.tier.run(program ?? '', args, { timeoutMs: Math.max(timeoutMs, 5_000) })).status === 0;
    }
    return true;
  }

  private async kill(run: ContainerRun, reason: string, graceMs = 10_000): Promise<void> {
    const child = run.process?.child;
    if (!child?.pid || run.process?.exited() !== undefined) return;
    const group = -child.pid;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(group, name);
      } catch {
        // the group is gone
      }
    };
    const exited = new Promise<void>((resolve) => (run.process?.exited() !== undefined ? resolve() : child.once('exit', () => resolve())));
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    run.state = { terminated: { exitCode: this.exitCodeOf(run) ?? 137, reason, finishedAt: now() } };
  }

  private async report(running: RunningPod, observed?: Pod): Promise<void> {
    const scheduled = (observed ?? running.pod).status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    const patch = running.statusPatch(scheduled);
    if (!patch) return;
    try {
      await this.kube.mergePatch(`/api/v1/namespaces/${running.pod.metadata.namespace}/pods/${running.pod.metadata.name}/status`, patch);
    } catch (error) {
      this.errors.push(`status of ${running.key}: ${String(error)}`);
    }
  }

  /** The API asked for deletion: stop within the grace period, then remove the pod object. */
  private async delete(running: RunningPod, observed: Pod): Promise<void> {
    const graceMs = Math.min((observed.spec.terminationGracePeriodSeconds ?? 30) * 1000, 10_000);
    await this.terminate(running, graceMs);
    await this.kube
      .delete(`/api/v1/namespaces/${observed.metadata.namespace}/pods/${observed.metadata.name}`, { gracePeriodSeconds: 0 })
      .catch((error: unknown) => this.errors.push(`delete ${running.key}: ${String(error)}`));
  }

  private async terminate(running: RunningPod, graceMs: number): Promise<void> {
    if (running.terminating) return;
    running.terminating = true;
    await Promise.all(running.containers.map((run) => this.kill(run, 'Terminated', graceMs)));
    await this.release(running);
  }

  /** The network namespace and the address go back; volume contents stay for inspection until the tier is removed. */
  private async release(running: RunningPod): Promise<void> {
    if (!this.pods.has(running.pod.metadata.uid)) return;
    this.pods.delete(running.pod.metadata.uid);
    await this.ip(['netns', 'delete', running.netns]).catch(() => undefined);
    this.free.push(running.address);
  }
}
