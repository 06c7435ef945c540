/**
 * A throwaway Kubernetes cluster for the engine proof, inside the tier's namespaces: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler built from k8s.io/kubernetes
 * (engine-tools.ts), and kwok simulating one node. The API server serves on the pod
 * network's gateway (what pods reach as the `kubernetes` Service) with a certificate from a
 * throwaway cluster CA, admits with RBAC and Pod Security like a real cluster, and calls
 * admission webhooks at their pods' addresses (aggregator routing: there is no kube-proxy).
 * The controller manager publishes the CA as kube-root-ca.crt, signs service-account tokens,
 * runs Deployments, StatefulSets, Jobs, endpoints, the volume binder, garbage collection and
 * namespace deletion; the scheduler binds pods to the node.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxProcess } from '../../support/sandbox';
import { ensureEngineTool, KUBERNETES_VERSION } from './engine-tools';
import { eventually, KubeClient } from './kube-client';
import { kwokStages, type NodeCapacity } from './kwok-stages';
import { certificateAuthority, issue, signingKey, type CertificateFiles } from './pki';
import { API_SERVER_PORT, POD_NETWORK, Tier } from './tier';

export { KUBERNETES_VERSION };
export const SERVICE_CIDR = '10.96.0.0/12';
/** Where kwok takes simulated pods' addresses from; the pod runner uses another part of the pod network. */
export const SIMULATED_POD_CIDR = '10.244.128.0/17';
export const NODE_NAME = 'engine-node';

export interface Cluster {
  readonly tier: Tier;
  /** The API as the admin (system:masters), from the test process. */
  readonly kube: KubeClient;
  readonly adminToken: string;
  readonly ca: CertificateFiles;
  /** A kubeconfig for tools run inside the tier (server = the pod network gateway). */
  readonly kubeconfig: string;
  readonly apiServerUrl: string;
  readonly nodeName: string;
  readonly processes: readonly SandboxProcess[];
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Pods of these namespaces are left alone by kwok (the pod runner serves them). */
  readonly realNamespaces: readonly string[];
  /** The simulated node's capacity (default: DEFAULT_NODE_CAPACITY). */
  readonly nodeCapacity?: NodeCapacity;
}

function kubeconfigFor(server: string, caFile: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'engine-proof', cluster: { server, 'certificate-authority-data': fs.readFileSync(caFile).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'engine-proof', context: { cluster: 'engine-proof', user: 'admin' } }],
    'current-context': 'engine-proof',
  });
}

export async function startCluster(directory: string, options: ClusterOptions): Promise<Cluster> {
  const binaries = {
    etcd: ensureEngineTool('etcd'),
    apiserver: ensureEngineTool('kube-apiserver'),
    controllerManager: ensureEngineTool('kube-controller-manager'),
    scheduler: ensureEngineTool('kube-scheduler'),
    kwok: ensureEngineTool('kwok'),
  };
  const tier = await Tier.create(directory);
  const processes: SandboxProcess[] = [];
  const alive = () => processes.forEach((candidate) => tier.sandbox.assertRunning(candidate));
  try {
    const pki = path.join(directory, 'pki');
    const ca = certificateAuthority(pki, 'cluster-ca');
    const serving = issue(ca, pki, 'kube-apiserver', {
      commonName: 'kube-apiserver',
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'],
      ipAddresses: ['127.0.0.1', POD_NETWORK.gateway, '10.96.0.1'],
    });
    const serviceAccountKey = signingKey(pki, 'service-accounts');
    const adminToken = randomBytes(24).toString('hex');
    const tokens = path.join(pki, 'tokens.csv');
    fs.writeFileSync(tokens, `${adminToken},engine-proof-admin,engine-proof-admin,"system:masters"\n`, { mode: 0o600 });
    const apiServerUrl = `https://${POD_NETWORK.gateway}:${API_SERVER_PORT}`;
    // Who deleted what (every delete, at metadata level): the proof's evidence that only the engine removes objects.
    const auditPolicy = path.join(pki, 'audit-policy.yaml');
    fs.writeFileSync(
      auditPolicy,
      [
        'apiVersion: audit.k8s.io/v1',
        'kind: Policy',
        'omitStages: [RequestReceived]',
        'rules:',
        '- level: Metadata',
        '  verbs: [delete, deletecollection]',
        '- level: None',
        '',
      ].join('\n'),
    );
    const kubeconfig = path.join(directory, 'admin.kubeconfig');
    fs.writeFileSync(kubeconfig, kubeconfigFor(apiServerUrl, ca.certificate, adminToken), { mode: 0o600 });

    processes.push(
      tier.start('etcd', binaries.etcd, [
        '--name=engine-proof',
        `--data-dir=${path.join(directory, 'etcd')}`,
        '--listen-client-urls=http://127.0.0.1:2379',
        '--advertise-client-urls=http://127.0.0.1:2379',
        '--listen-peer-urls=http://127.0.0.1:2380',
        '--initial-advertise-peer-urls=http://127.0.0.1:2380',
        '--initial-cluster=engine-proof=http://127.0.0.1:2380',
        '--unsafe-no-fsync',
        '--quota-backend-bytes=4294967296',
      ]),
    );
    processes.push(
      tier.start('kube-apiserver', binaries.apiserver, [
        '--etcd-servers=http://127.0.0.1:2379',
        '--bind-address=0.0.0.0',
        `--advertise-address=${POD_NETWORK.gateway}`,
        `--secure-port=${API_SERVER_PORT}`,
        `--tls-cert-file=${serving.certificate}`,
        `--tls-private-key-file=${serving.key}`,
        `--client-ca-file=${ca.certificate}`,
        `--token-auth-file=${tokens}`,
        '--authorization-mode=RBAC',
        `--service-account-key-file=${serviceAccountKey}`,
        `--service-account-signing-key-file=${serviceAccountKey}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // No kube-proxy: the API server calls webhooks at their endpoints (pod addresses on the bridge).
        '--enable-aggregator-routing=true',
        '--anonymous-auth=false',
        // As on a real cluster (kubeadm's default): privileged pods are refused by Pod Security
        // admission per namespace, not by a cluster-wide switch that would hide it.
        '--allow-privileged=true',
        '--profiling=false',
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${path.join(directory, 'logs', 'audit.log')}`,
        '--audit-log-format=json',
      ]),
    );
    const kube = new KubeClient({ socketPath: tier.apiSocket, caCertificate: fs.readFileSync(ca.certificate, 'utf8'), token: adminToken });
    await tier.startAgent('127.0.0.1', API_SERVER_PORT);
    await eventually('kube-apiserver /readyz', 180_000, async () => {
      alive();
      return (await kube.request('GET', '/readyz')).status === 200 ? true : undefined;
    });

    processes.push(
      tier.start('kube-controller-manager', binaries.controllerManager, [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=10257',
        '--leader-elect=false',
        '--use-service-account-credentials=true',
        `--root-ca-file=${ca.certificate}`,
        `--service-account-private-key-file=${serviceAccountKey}`,
        `--cluster-signing-cert-file=${ca.certificate}`,
        `--cluster-signing-key-file=${ca.key}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // kwok's heartbeats are timed, but the tier shares two cores with heavy builds and engine runs.
        '--node-monitor-grace-period=5m',
        '--concurrent-deployment-syncs=10',
        '--concurrent-statefulset-syncs=10',
        '--concurrent-job-syncs=10',
        '--profiling=false',
      ]),
    );
    processes.push(
      tier.start('kube-scheduler', binaries.scheduler, [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=10259',
        '--leader-elect=false',
        '--profiling=false',
      ]),
    );
    const stages = path.join(directory, 'kwok-stages.yaml');
    fs.writeFileSync(stages, kwokStages(options.realNamespaces, undefined, options.nodeCapacity));
    processes.push(
      tier.start('kwok', binaries.kwok, [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stages}`,
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        `--cidr=${SIMULATED_POD_CIDR}`,
        `--node-ip=${POD_NETWORK.gateway}`,
        '--server-address=',
      ]),
    );
    await kube.create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: NODE_NAME,
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
        labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      },
      spec: {},
    });
    await eventually(`node ${NODE_NAME} Ready`, 60_000, async () => {
      alive();
      const node = await kube.get<{ metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }>(
        `/api/v1/nodes/${NODE_NAME}`,
      );
      return node?.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ? true : undefined;
    });
    // Namespaces get their `default` ServiceAccount and kube-root-ca.crt from the controller manager.
    await eventually('the default ServiceAccount of namespace default', 60_000, async () => {
      alive();
      return (await kube.get('/api/v1/namespaces/default/serviceaccounts/default')) ? true : undefined;
    });

    const stop = async () => {
      kube.close();
      await tier.stop();
    };
    return { tier, kube, adminToken, ca, kubeconfig, apiServerUrl, nodeName: NODE_NAME, processes, stop };
  } catch (error) {
    await tier.stop();
    throw error;
  }
}
