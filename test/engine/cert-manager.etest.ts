/**
 * cert-manager v1.21.1 as this project runs it, on a real control plane (etcd + kube-apiserver):
 * the three binaries built from cert-manager's own packages (support/tools/cert-manager.ts),
 * started with exactly the args and env of the Deployments the packaged chart renders with this
 * project's values, under the chart's service accounts and RBAC (the controller in-cluster, as
 * in its pod, when run as root), with the chart's CRDs installed.
 *   - controller: a self-signed ClusterIssuer signs a CA Certificate, a CA ClusterIssuer made
 *     from it issues a leaf Certificate whose Secret chains to the CA (openssl verify);
 *   - webhook: serves TLS on its secure port with a certificate from its own CA Secret and
 *     answers AdmissionReviews, refusing an invalid Certificate;
 *   - cainjector: writes that CA into a ValidatingWebhookConfiguration annotated with
 *     `cert-manager.io/inject-ca-from-secret`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../config/load-config';
import { platformNames, RELEASES } from '../../model/platform';
import { certManagerValues } from '../../render/charts/cert-manager-values';
import { renderValues } from '../../render/charts/chart-values';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { helmTemplateChart, type KubeObject } from '../support/kube-tools';
import { startLoopbackControlPlane, type LoopbackControlPlane } from './support/loopback-control-plane';
import { condition, create, pollUntil, read, serviceAccountToken, type ApiObject } from './support/loopback-api';
import { deploymentContainer, startOperator, type ContainerSpec, type OperatorProcess } from './support/operator-process';
import { ensureCertManagerBinaries, type CertManagerBinaries } from './support/tools/cert-manager';
import { chartPackageFile, ensureChartPackages } from './support/tools/charts';

const config = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
const namespace = platformNames(config.deploymentName).namespaces['cert-manager'];
const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-cert-manager-'));
const workloadNamespace = 'engine-proof-workload';
const inCluster = process.getuid?.() === 0;

let plane: LoopbackControlPlane;
let binaries: CertManagerBinaries;
let chart: KubeObject[];
const operators: Record<string, OperatorProcess> = {};
let webhookPorts: { secure: number; healthz: number };

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

function kubeconfig(name: string, token: string): string {
  const file = path.join(directory, `${name}.kubeconfig`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'engine-proof', cluster: { server: plane.server, 'certificate-authority': plane.certificateFile } }],
      users: [{ name, user: { token } }],
      contexts: [{ name: 'engine-proof', context: { cluster: 'engine-proof', user: name } }],
      'current-context': 'engine-proof',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** The chart's objects of the given kinds, as the API accepts them. */
function chartObjects(...kinds: string[]): ApiObject[] {
  return chart.filter((object) => kinds.includes(object.kind)) as ApiObject[];
}

function logs(): string {
  return Object.entries(operators)
    .map(([name, operator]) => `--- ${name}:\n${operator.logTail()}`)
    .join('\n');
}

async function start(component: keyof CertManagerBinaries, deployment: string, container: string, extraArgs: string[], asPod: boolean): Promise<void> {
  const spec = deploymentContainer(chart, deployment, container);
  const token = await serviceAccountToken(plane, namespace, deployment);
  const launched: ContainerSpec = asPod ? { args: [...spec.args, ...extraArgs], env: spec.env } : { args: [...spec.args, ...extraArgs, `--kubeconfig=${kubeconfig(component, token)}`], env: spec.env };
  const port = new URL(plane.server).port;
  const identity = { token, caCertificate: fs.readFileSync(plane.certificateFile, 'utf8'), namespace, serviceHost: '127.0.0.1', servicePort: port };
  operators[component] = startOperator(component, binaries[component], launched, directory, asPod ? identity : undefined);
}

beforeAll(async () => {
  binaries = ensureCertManagerBinaries();
  chart = helmTemplateChart(chartPackageFile(ensureChartPackages(), 'cert-manager'), {
    releaseName: RELEASES.certManager,
    namespace,
    values: [renderValues('cert-manager', certManagerValues(config))],
    kubeVersion: '1.37.2',
  });
  plane = await startLoopbackControlPlane(path.join(directory, 'plane'));

  for (const crd of chartObjects('CustomResourceDefinition')) await create(plane, crd);
  for (const crd of chartObjects('CustomResourceDefinition')) {
    await pollUntil(`CRD ${crd.metadata.name} established`, async () => (condition(await read(plane, crd.apiVersion, crd.kind, undefined, crd.metadata.name), 'Established')?.status === 'True' ? true : undefined));
  }
  for (const name of [namespace, workloadNamespace]) await create(plane, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const object of chartObjects('ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding')) await create(plane, object);

  webhookPorts = { secure: await freePort(), healthz: await freePort() };
  // Loopback ports of our own instead of the pod's fixed ones (other processes on this host may hold them).
  await start('controller', 'cert-manager', 'cert-manager-controller', [`--metrics-listen-address=127.0.0.1:${await freePort()}`, `--healthz-listen-address=127.0.0.1:${await freePort()}`], inCluster);
  await start('webhook', 'cert-manager-webhook', 'cert-manager-webhook', [`--secure-port=${webhookPorts.secure}`, `--healthz-port=${webhookPorts.healthz}`], false);
  await start('cainjector', 'cert-manager-cainjector', 'cert-manager-cainjector', [], false);
  if (!inCluster) console.warn('not root: the controller runs with a kubeconfig holding its service account token, not in a pod-like mount namespace');
}, 60 * 60_000);

afterAll(async () => {
  for (const operator of Object.values(operators)) await operator.stop();
  await plane?.stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

it('starts every component with the chart\'s own args (unknown flags would have stopped them)', async () => {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const [name, operator] of Object.entries(operators)) expect({ name, exitCode: operator.child.exitCode, log: operator.child.exitCode === null ? '' : operator.logTail() }).toEqual({ name, exitCode: null, log: '' });
  expect(deploymentContainer(chart, 'cert-manager', 'cert-manager-controller').args).toEqual(expect.arrayContaining([`--cluster-resource-namespace=${namespace}`, `--leader-election-namespace=${namespace}`, '--enable-certificate-owner-ref=true']));
});

describe('controller', () => {
  const ready = (kind: string, name: string, objectNamespace?: string) =>
    pollUntil(`${kind} ${name} Ready`, async () => {
      const object = await read(plane, 'cert-manager.io/v1', kind, objectNamespace, name);
      return condition(object, 'Ready')?.status === 'True' ? object : undefined;
    }, 180_000, logs);

  it('takes the leader Lease in the chart\'s namespace', async () => {
    const lease = await pollUntil('Lease cert-manager-controller held', async () => {
      const object = await read(plane, 'coordination.k8s.io/v1', 'Lease', namespace, 'cert-manager-controller');
      return (object?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ? object : undefined;
    }, 120_000, logs);
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toMatch(/^.+-[0-9a-f-]{36}$/);
  });

  it('issues a leaf certificate from a CA it issued itself: self-signed ClusterIssuer → CA Certificate → CA ClusterIssuer → leaf, chaining to the CA', async () => {
    await create(plane, { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'engine-proof-selfsigned' }, spec: { selfSigned: {} } });
    await create(plane, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'engine-proof-ca', namespace },
      spec: { isCA: true, commonName: 'engine proof CA', secretName: 'engine-proof-ca', privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: 'engine-proof-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    });
    await ready('Certificate', 'engine-proof-ca', namespace);
    // A ClusterIssuer reads its CA Secret from the cluster resource namespace (the chart's --cluster-resource-namespace).
    await create(plane, { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'engine-proof-ca' }, spec: { ca: { secretName: 'engine-proof-ca' } } });
    await ready('ClusterIssuer', 'engine-proof-ca');
    await create(plane, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'leaf', namespace: workloadNamespace },
      spec: { secretName: 'leaf-tls', dnsNames: ['leaf.engine-proof-workload.svc'], usages: ['server auth'], issuerRef: { name: 'engine-proof-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    });
    const leaf = await ready('Certificate', 'leaf', workloadNamespace);

    const secret = await read(plane, 'v1', 'Secret', workloadNamespace, 'leaf-tls');
    const data = secret?.data as Record<string, string>;
    const decode = (key: string) => Buffer.from(data[key] ?? '', 'base64').toString('utf8');
    const caSecret = await read(plane, 'v1', 'Secret', namespace, 'engine-proof-ca');
    const caPem = Buffer.from((caSecret?.data as Record<string, string>)['tls.crt'] ?? '', 'base64').toString('utf8');
    expect(decode('ca.crt')).toBe(caPem);
    fs.writeFileSync(path.join(directory, 'ca.pem'), caPem);
    fs.writeFileSync(path.join(directory, 'leaf.pem'), decode('tls.crt'));
    const verify = spawnSync('openssl', ['verify', '-CAfile', path.join(directory, 'ca.pem'), path.join(directory, 'leaf.pem')], { encoding: 'utf8' });
    expect(verify.stdout.trim()).toBe(`${path.join(directory, 'leaf.pem')}: OK`);
    const certificate = new X509Certificate(decode('tls.crt'));
    expect(certificate.subjectAltName).toBe('DNS:leaf.engine-proof-workload.svc');
    expect(certificate.ca).toBe(false);
    expect(new X509Certificate(caPem).ca).toBe(true);
    // --enable-certificate-owner-ref (the project's values): the Secret goes with its Certificate.
    expect((secret?.metadata.ownerReferences as { kind: string; uid: string }[] | undefined)?.map(({ kind, uid }) => ({ kind, uid }))).toEqual([{ kind: 'Certificate', uid: leaf.metadata.uid }]);
  });

  it('approved the CertificateRequests (the approver ran)', async () => {
    const list = await plane.request('GET', `/apis/cert-manager.io/v1/namespaces/${workloadNamespace}/certificaterequests`);
    const requests = (list.body as { items: ApiObject[] }).items;
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(condition(request, 'Approved')?.status).toBe('True');
  });
});

describe('webhook', () => {
  const serverName = `cert-manager-webhook.${namespace}.svc`;
  let caPem: string;

  function admissionReview(certificate: unknown): Promise<{ allowed: boolean; status?: { message?: string } }> {
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group: 'cert-manager.io', version: 'v1', kind: 'Certificate' },
        resource: { group: 'cert-manager.io', version: 'v1', resource: 'certificates' },
        requestKind: { group: 'cert-manager.io', version: 'v1', kind: 'Certificate' },
        requestResource: { group: 'cert-manager.io', version: 'v1', resource: 'certificates' },
        name: 'checked',
        namespace: workloadNamespace,
        operation: 'CREATE',
        userInfo: { username: 'engine-proof' },
        object: certificate,
        dryRun: false,
      },
    };
    return new Promise((resolve, reject) => {
      const request = https.request(
        { host: '127.0.0.1', port: webhookPorts.secure, path: '/validate', method: 'POST', servername: serverName, ca: caPem, headers: { 'Content-Type': 'application/json' } },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            try {
              resolve((JSON.parse(body) as { response: { allowed: boolean; status?: { message?: string } } }).response);
            } catch (error) {
              reject(new Error(`${response.statusCode}: ${body} (${String(error)})`));
            }
          });
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(review));
    });
  }

  const certificate = (spec: Record<string, unknown>) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'checked', namespace: workloadNamespace }, spec });

  beforeAll(async () => {
    await pollUntil('webhook healthz', async () => ((await fetch(`http://127.0.0.1:${webhookPorts.healthz}/healthz`)).ok ? true : undefined), 120_000, logs);
    const secret = await pollUntil('the webhook\'s CA Secret', () => read(plane, 'v1', 'Secret', namespace, 'cert-manager-webhook-ca'), 120_000, logs);
    caPem = Buffer.from((secret.data as Record<string, string>)['ca.crt'] ?? '', 'base64').toString('utf8');
  });

  it('serves TLS on its secure port with a certificate for its Service names, from its own CA Secret', async () => {
    const peer = await pollUntil('TLS on the secure port', () =>
      new Promise<X509Certificate | undefined>((resolve) => {
        const request = https.request({ host: '127.0.0.1', port: webhookPorts.secure, path: '/validate', method: 'GET', servername: serverName, ca: caPem }, (response) => {
          const certificate = (response.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
          response.resume();
          resolve(certificate);
        });
        request.on('error', () => resolve(undefined));
        request.end();
      }), 120_000, logs);
    expect(peer.subjectAltName?.split(', ').sort()).toEqual([`DNS:cert-manager-webhook`, `DNS:cert-manager-webhook.${namespace}`, `DNS:${serverName}`]);
    expect(peer.verify(new X509Certificate(caPem).publicKey)).toBe(true);
  });

  it('admits a valid Certificate and refuses an invalid one, saying why', async () => {
    const issuerRef = { name: 'engine-proof-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' };
    expect(await admissionReview(certificate({ secretName: 'ok', dnsNames: ['ok.example'], issuerRef }))).toEqual(expect.objectContaining({ allowed: true }));
    const refused = await admissionReview(certificate({ secretName: 'bad', issuerRef }));
    expect(refused.allowed).toBe(false);
    expect(refused.status?.message).toContain('at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set');
    const noIssuer = await admissionReview(certificate({ secretName: 'bad', dnsNames: ['x.example'] }));
    expect(noIssuer.allowed).toBe(false);
    expect(noIssuer.status?.message).toContain('spec.issuerRef.name: Required value: must be specified');
  });
});

describe('cainjector', () => {
  it('injects the CA of an annotated Secret into a ValidatingWebhookConfiguration', async () => {
    const secret = await pollUntil('the webhook\'s CA Secret', () => read(plane, 'v1', 'Secret', namespace, 'cert-manager-webhook-ca'), 120_000, logs);
    const ca = (secret.data as Record<string, string>)['ca.crt'];
    expect(ca).toBeTruthy();
    await create(plane, {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'engine-proof-injected', annotations: { 'cert-manager.io/inject-ca-from-secret': `${namespace}/cert-manager-webhook-ca` } },
      webhooks: [
        {
          name: 'injected.engine-proof.example',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          clientConfig: { service: { name: 'cert-manager-webhook', namespace, path: '/validate' } },
          // A group no API serves: the webhook is never called, only injected.
          rules: [{ apiGroups: ['engine-proof.example'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] }],
        },
      ],
    });
    const injected = await pollUntil('caBundle injected', async () => {
      const object = await read(plane, 'admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', undefined, 'engine-proof-injected');
      return (object?.webhooks as { clientConfig: { caBundle?: string } }[] | undefined)?.[0]?.clientConfig.caBundle;
    }, 120_000, logs);
    expect(injected).toBe(ca);
  });

  it('holds its leader Lease in the chart\'s namespace', async () => {
    const lease = await pollUntil('Lease cert-manager-cainjector-leader-election held', () => read(plane, 'coordination.k8s.io/v1', 'Lease', namespace, 'cert-manager-cainjector-leader-election'), 60_000, logs);
    expect((lease.spec as { holderIdentity?: string }).holderIdentity).toBeTruthy();
  });
});
