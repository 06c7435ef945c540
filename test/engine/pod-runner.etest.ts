/**
 * The loopback kubelet (support/pod-runner/), checked on its own: a pod of a served namespace
 * runs for real with the pod's own spec (user, groups, read-only root, volumes with their
 * modes and fsGroup, a bound service-account token the API accepts, the downward API and
 * `$(VAR)` expansion), its readiness probe decides Ready, a Job's exit code decides its
 * phase, and a deleted pod stops within its grace period. The "image" here is the machine's
 * own shell and the etcd build, standing in for what an image would bring.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '../support/sandbox';
import { startCluster, type Cluster } from './support/control-plane';
import { ensureEngineTool } from './support/engine-tools';
import { eventually } from './support/kube-client';
import type { ImageRuntime } from './support/pod-runner/container-command';
import type { Pod } from './support/pod-runner/pod-types';
import { PodRunner } from './support/pod-runner/runner';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-pod-runner-'));
const NAMESPACE = 'runner-self-check';
let cluster: Cluster;
let runner: PodRunner;

const SHELL: ImageRuntime = { base: 'os', entrypoint: ['/bin/sh'], files: {}, user: 4242, group: 4242 };

beforeAll(async () => {
  requireRoot();
  cluster = await startCluster(path.join(directory, 'tier'), { realNamespaces: [NAMESPACE] });
  const etcd = ensureEngineTool('etcd');
  runner = new PodRunner(cluster, {
    namespaces: [NAMESPACE],
    images: (image) =>
      image === 'registry.invalid/shell:1'
        ? SHELL
        : image === 'registry.invalid/etcd:1'
          ? { base: 'static', entrypoint: ['/usr/local/bin/etcd'], files: { '/usr/local/bin/etcd': etcd }, user: 4243, group: 4243 }
          : undefined,
  });
  runner.start();
  await cluster.kube.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  await eventually('the default ServiceAccount', 60_000, () => cluster.kube.get(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`));
  await cluster.kube.create(`/api/v1/namespaces/${NAMESPACE}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'files' },
    stringData: { 'key.pem': 'not a real key' },
  });
}, 30 * 60_000);

afterAll(async () => {
  await runner?.stop();
  await cluster?.stop();
  if (!process.env.ENGINE_KEEP) fs.rmSync(directory, { recursive: true, force: true });
}, 120_000);

const restricted = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

async function finished(name: string): Promise<Pod> {
  return eventually(`pod ${name} finished`, 120_000, async () => {
    const pod = await cluster.kube.get<Pod>(`/api/v1/namespaces/${NAMESPACE}/pods/${name}`);
    return pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed' ? pod : undefined;
  });
}

function logOf(pod: string, container: string): string {
  const record = runner.records.find((candidate) => candidate.pod === pod && candidate.container === container);
  return record ? fs.readFileSync(record.logFile, 'utf8') : '';
}

it('runs a pod from its own spec: user and fsGroup, read-only root, secret modes, bound token, downward API and $(VAR) expansion', async () => {
  const script = [
    'set -e',
    'echo "id=$(id -u):$(id -g) groups=$(id -G)"',
    'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status | tr -s "\\t" " "',
    'echo "ns=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"',
    'echo "key=$(stat -c %a:%g /secrets/key.pem)"',
    'echo "readable=$(cat /secrets/key.pem)"',
    'if touch /probe 2>/dev/null; then echo root=writable; else echo root=read-only; fi',
    'touch /scratch/ok && echo scratch=writable',
    'echo "pod=$POD_NAME ip=$POD_IP arg=$1"',
    'cp /var/run/secrets/kubernetes.io/serviceaccount/token /scratch/token',
  ].join('\n');
  await cluster.kube.create(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'spec-check' },
    spec: {
      restartPolicy: 'Never',
      securityContext: {
        runAsUser: 10001,
        runAsGroup: 10002,
        fsGroup: 10003,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'check',
          image: 'registry.invalid/shell:1',
          args: ['-c', script, 'shell', '$(POD_NAME)-arg'],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          securityContext: restricted,
          volumeMounts: [
            { name: 'files', mountPath: '/secrets', readOnly: true },
            { name: 'scratch', mountPath: '/scratch' },
          ],
        },
      ],
      volumes: [
        { name: 'files', secret: { secretName: 'files', defaultMode: 0o400 } },
        { name: 'scratch', emptyDir: {} },
      ],
    },
  });
  const pod = await finished('spec-check');
  const log = logOf('spec-check', 'check');
  expect(pod.status?.phase).toBe('Succeeded');
  expect(log).toContain('id=10001:10002 groups=10002 10003');
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(log).toContain(`${set}: 0000000000000000`);
  expect(log).toContain('NoNewPrivs: 1');
  expect(log).toContain(`ns=${NAMESPACE}`);
  expect(log).toContain('key=440:10003');
  expect(log).toContain('readable=not a real key');
  expect(log).toContain('root=read-only');
  expect(log).toContain('scratch=writable');
  expect(log).toMatch(/pod=spec-check ip=10\.244\.1\.\d+ arg=spec-check-arg/);
  // The projected token is a real, pod-bound token: the API server accepts it for that account.
  const token = fs.readFileSync(
    path.join(runner.podDirectory(pod), 'volumes', pod.spec.volumes?.find((volume) => volume.projected)?.name ?? '', 'token'),
    'utf8',
  );
  const review = await cluster.kube.request<{
    status: { authenticated?: boolean; user?: { username?: string; extra?: Record<string, string[]> } };
  }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec: { token },
  });
  expect(review.body.status.authenticated).toBe(true);
  expect(review.body.status.user?.username).toBe(`system:serviceaccount:${NAMESPACE}:default`);
  expect(review.body.status.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['spec-check']);
});

it('a failing container fails its pod (restartPolicy Never) with its exit code', async () => {
  await cluster.kube.create(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fails' },
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsUser: 10001, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'registry.invalid/shell:1', args: ['-c', 'exit 3'], securityContext: restricted }],
    },
  });
  const pod = await finished('fails');
  expect(pod.status?.phase).toBe('Failed');
  expect(pod.status?.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);
});

it('a static image sees only its own files: no shell, no /usr; readiness comes from the probe, the pod is reachable at its address, and deletion stops it within the grace period', async () => {
  await cluster.kube.create(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'server', labels: { app: 'server' } },
    spec: {
      terminationGracePeriodSeconds: 5,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'etcd',
          image: 'registry.invalid/etcd:1',
          args: [
            '--data-dir=/data/etcd',
            '--listen-client-urls=http://0.0.0.0:2379',
            '--advertise-client-urls=http://$(POD_IP):2379',
            '--listen-peer-urls=http://127.0.0.1:2380',
          ],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          ports: [{ name: 'client', containerPort: 2379 }],
          readinessProbe: { httpGet: { path: '/health', port: 'client' }, periodSeconds: 1 },
          securityContext: restricted,
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  });
  const ready = await eventually('server Ready', 120_000, async () => {
    const pod = await cluster.kube.get<Pod>(`/api/v1/namespaces/${NAMESPACE}/pods/server`);
    return pod?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? pod : undefined;
  });
  expect((await cluster.tier.probe({ kind: 'http', host: ready.status?.podIP ?? '', port: 2379, path: '/health' })).ok).toBe(true);
  const started = Date.now();
  await cluster.kube.delete(`/api/v1/namespaces/${NAMESPACE}/pods/server`);
  await eventually('server gone', 60_000, async () =>
    (await cluster.kube.get(`/api/v1/namespaces/${NAMESPACE}/pods/server`)) ? undefined : true,
  );
  expect(Date.now() - started).toBeLessThan(15_000);
  expect((await cluster.tier.probe({ kind: 'tcp', host: ready.status?.podIP ?? '', port: 2379 })).ok).toBe(false);

  await cluster.kube.create(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'no-shell' },
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'registry.invalid/etcd:1', command: ['/bin/sh', '-c', 'true'], securityContext: restricted }],
    },
  });
  expect((await finished('no-shell')).status?.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(127);
  expect(logOf('no-shell', 'c')).toContain('/bin/sh');
});
