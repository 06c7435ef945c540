/**
 * Engine proof (issue 9), part two: the throwaway control plane (etcd + kube-apiserver built
 * from their Go modules) that `tofu apply` / re-plan / destroy would run against. These tests
 * prove the harness itself: it serves the exact Kubernetes version on loopback and enforces
 * Pod Security admission like a real cluster. Applying the typed-resource stacks needs the
 * kubernetes provider binary, which cannot be built here (see tofu.etest.ts and the README).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startControlPlane, type ControlPlane } from './support/control-plane';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-control-plane-'));
let plane: ControlPlane;

beforeAll(async () => {
  plane = await startControlPlane(directory);
});

afterAll(async () => {
  await plane?.stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

it('serves Kubernetes v1.37.2 on loopback, to the admin token only', async () => {
  expect(plane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const version = await plane.request('GET', '/version');
  expect(version.status).toBe(200);
  expect((version.body as { gitVersion: string }).gitVersion).toBe('v1.37.2');
  expect((await plane.request('GET', '/api/v1/namespaces', undefined, null)).status).toBe(401);
  expect((await plane.request('GET', '/api/v1/namespaces', undefined, 'not-the-token')).status).toBe(401);
  expect((await plane.request('GET', '/api/v1/namespaces')).status).toBe(200);
});

it('enforces Pod Security admission: a namespace labelled enforce=restricted refuses a privileged pod and admits a restricted one', async () => {
  const namespace = 'psa-self-check';
  const created = await plane.request('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  });
  expect(created.status).toBe(201);
  const pod = (name: string, securityContext: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'registry.invalid/c:1', securityContext }] },
  });
  // The ServiceAccount admission plugin needs the namespace's default ServiceAccount, which the
  // controller manager would create; create it directly (no controller manager runs here).
  expect((await plane.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })).status).toBe(201);
  const privileged = await plane.request('POST', `/api/v1/namespaces/${namespace}/pods`, pod('privileged', { privileged: true }));
  expect(privileged.status).toBe(403);
  expect((privileged.body as { message: string }).message).toContain('violates PodSecurity "restricted:latest": privileged');
  const restricted = await plane.request(
    'POST',
    `/api/v1/namespaces/${namespace}/pods`,
    pod('restricted', { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 10001, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } }),
  );
  expect(restricted.status).toBe(201);
});
