/**
 * The engine proof's cluster, checked on its own before the deployments rely on it: the exact
 * Kubernetes version on the tier's loopback-only network, authentication, Pod Security
 * admission as on a real cluster, and kwok's simulated node turning Deployments and Jobs into
 * pods that become ready or complete.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireRoot } from '../support/sandbox';
import { KUBERNETES_VERSION, startCluster, type Cluster } from './support/control-plane';
import { eventually, type KubeObject } from './support/kube-client';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-control-plane-'));
let cluster: Cluster;

beforeAll(async () => {
  requireRoot();
  cluster = await startCluster(directory, { realNamespaces: [] });
}, 30 * 60_000);

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

const restrictedNamespace = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.33' } },
});

const restrictedContainer = {
  name: 'c',
  image: 'registry.invalid/c:1',
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    runAsUser: 10001,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

it(`serves Kubernetes ${KUBERNETES_VERSION}, to the admin token only, with a certificate for the kubernetes Service`, async () => {
  const version = await cluster.kube.request<{ gitVersion: string }>('GET', '/version');
  expect(version.body.gitVersion).toBe(KUBERNETES_VERSION);
  expect((await cluster.kube.request('GET', '/api/v1/namespaces', undefined, { token: null })).status).toBe(401);
  expect((await cluster.kube.request('GET', '/api/v1/namespaces', undefined, { token: 'not-the-token' })).status).toBe(401);
  expect((await cluster.kube.request('GET', '/api/v1/namespaces')).status).toBe(200);
  // The controller manager publishes the cluster CA into every namespace, as pods expect.
  const rootCa = await eventually('kube-root-ca.crt', 60_000, () =>
    cluster.kube.get<KubeObject & { data?: Record<string, string> }>('/api/v1/namespaces/default/configmaps/kube-root-ca.crt'),
  );
  expect(rootCa.data?.['ca.crt']).toBe(fs.readFileSync(cluster.ca.certificate, 'utf8'));
});

it('enforces Pod Security admission: restricted refuses a privileged pod and admits a restricted one', async () => {
  await cluster.kube.create('/api/v1/namespaces', restrictedNamespace('psa-self-check'));
  await eventually('the default ServiceAccount', 60_000, () =>
    cluster.kube.get('/api/v1/namespaces/psa-self-check/serviceaccounts/default'),
  );
  const pod = (name: string, securityContext: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { automountServiceAccountToken: false, containers: [{ ...restrictedContainer, securityContext }] },
  });
  const privileged = await cluster.kube.request<{ message: string }>(
    'POST',
    '/api/v1/namespaces/psa-self-check/pods',
    pod('privileged', { privileged: true }),
  );
  expect(privileged.status).toBe(403);
  expect(privileged.body.message).toContain('violates PodSecurity "restricted:v1.33": privileged');
  const restricted = await cluster.kube.request(
    'POST',
    '/api/v1/namespaces/psa-self-check/pods',
    pod('restricted', restrictedContainer.securityContext),
  );
  expect(restricted.status).toBe(201);
});

it('runs Deployments and Jobs on the simulated node: pods are scheduled, get addresses, become ready or complete', async () => {
  const namespace = 'kwok-self-check';
  await cluster.kube.create('/api/v1/namespaces', restrictedNamespace(namespace));
  await eventually('the default ServiceAccount', 60_000, () => cluster.kube.get(`/api/v1/namespaces/${namespace}/serviceaccounts/default`));
  const template = {
    metadata: { labels: { app: 'probe' } },
    spec: { automountServiceAccountToken: false, containers: [restrictedContainer] },
  };
  await cluster.kube.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'probe' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'probe' } }, template },
  });
  await cluster.kube.create(`/apis/batch/v1/namespaces/${namespace}/jobs`, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once' },
    spec: { backoffLimit: 0, template: { spec: { ...template.spec, restartPolicy: 'Never' } } },
  });
  const deployment = await eventually('the Deployment available', 120_000, async () => {
    const object = await cluster.kube.get<KubeObject & { status?: { readyReplicas?: number } }>(
      `/apis/apps/v1/namespaces/${namespace}/deployments/probe`,
    );
    return object?.status?.readyReplicas === 2 ? object : undefined;
  });
  expect(deployment.status?.readyReplicas).toBe(2);
  const pods = await cluster.kube.list<KubeObject & { spec: { nodeName?: string }; status?: { podIP?: string } }>(
    `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dprobe`,
  );
  expect(pods.every((pod) => pod.spec.nodeName === cluster.nodeName && /^10\.244\./.test(pod.status?.podIP ?? ''))).toBe(true);
  await eventually('the Job complete', 120_000, async () =>
    (await cluster.kube.get<KubeObject & { status?: { succeeded?: number } }>(`/apis/batch/v1/namespaces/${namespace}/jobs/once`))?.status
      ?.succeeded === 1
      ? true
      : undefined,
  );
});
