/**
 * The shared platform as plain data: its namespaces, the pods the third-party charts run
 * (with the labels their charts give them, their resources, and what they must reach), the
 * names of the objects that tie it together, and its flow matrix. Charts' values, quotas
 * and network policies are all derived from this.
 */
import type { DeploymentProfile } from '../config/backup-schema';
import type { DeploymentConfig } from '../config/deployment-config';
import { BACKUP_PORT, backupStoreEndpoint } from './backup-store';
import { platformNamespace, type PlatformComponent } from './compartments';
import { podDnsName, serviceDnsName } from './dns-names';
import { TLS } from './flow-transport';
import type { Flow, FlowEndpoint, PodsEndpoint } from './flows';
import type { ComputeResources } from './quantities';

/** Helm release names; the charts derive their objects' names and pod labels from them. */
export const RELEASES = {
  certManager: 'cert-manager',
  trustManager: 'trust-manager',
  externalSecrets: 'external-secrets',
  openbao: 'openbao',
  cloudnativePg: 'cloudnative-pg',
  barmanCloud: 'barman-cloud',
} as const;

/** The CloudNativePG operator's admission webhook port (the chart's default) and the barman-cloud plugin's gRPC port (fixed by its chart). */
export const CLOUDNATIVE_PG_WEBHOOK_PORT = 9443;
export const BARMAN_CLOUD_PORT = 9090;

export const OPENBAO_PORT = 8200;
/** The OpenBao image's openbao user and group. */
export const OPENBAO_UID = 100;
export const OPENBAO_GID = 1000;
/** The audience of every Kubernetes token presented to OpenBao: a token minted for the API server is useless there. */
export const OPENBAO_AUDIENCE = 'openbao';
/** The KV v2 mount holding every generated and provided value. */
export const SECRET_MOUNT = 'matrix';
/** Policies and roles the configurator owns carry this prefix; nothing else in OpenBao is touched. */
export const MANAGED_PREFIX = 'matrix-';
export const CONFIGURATOR = 'openbao-configurator';

/** Names shared by the stacks of one deployment. */
export interface PlatformNames {
  readonly namespaces: Readonly<Record<PlatformComponent, string>>;
  /** Bootstraps the internal CA, and nothing else. */
  readonly selfSignedIssuer: string;
  /** Issues every internal certificate. */
  readonly internalCaIssuer: string;
  /** Secret (in the cert-manager namespace) holding the internal root CA and its key. */
  readonly internalCaSecret: string;
  /** trust-manager Bundle, and the ConfigMap (key `ca.crt`) it writes into every namespace of the deployment. */
  readonly trustBundle: string;
  readonly openbaoAddress: string;
  readonly openbaoTlsSecret: string;
  readonly openbaoSealSecret: string;
}

export const TRUST_BUNDLE_KEY = 'ca.crt';

/** The root CA certificate's common name. */
export function internalCaCommonName(names: PlatformNames): string {
  return `${names.internalCaIssuer} root`;
}

/** Where an OpenBao release answers: its Service, and its one pod through the chart's headless `<release>-internal` Service. */
export function openbaoHosts(release: string, namespace: string): { readonly service: string; readonly pod: string } {
  return { service: serviceDnsName(release, namespace), pod: podDnsName(`${release}-0`, `${release}-internal`, namespace) };
}

/** OpenBao's certificate names: the Service clients use, the pod's own name (cluster address) and loopback for in-pod checks. */
export function openbaoDnsNames(names: PlatformNames): string[] {
  const hosts = openbaoHosts(RELEASES.openbao, names.namespaces.openbao);
  return [hosts.service, hosts.pod, 'localhost'];
}

export function platformNames(deploymentName: string): PlatformNames {
  const namespaces = {
    openbao: platformNamespace(deploymentName, 'openbao'),
    'external-secrets': platformNamespace(deploymentName, 'external-secrets'),
    'cert-manager': platformNamespace(deploymentName, 'cert-manager'),
    'secret-generation': platformNamespace(deploymentName, 'secret-generation'),
    'postgres-operator': platformNamespace(deploymentName, 'postgres-operator'),
  };
  return {
    namespaces,
    selfSignedIssuer: `${deploymentName}-ca-bootstrap`,
    internalCaIssuer: `${deploymentName}-internal-ca`,
    internalCaSecret: `${deploymentName}-internal-ca-root`,
    trustBundle: `${deploymentName}-internal-ca`,
    openbaoAddress: `https://${openbaoHosts(RELEASES.openbao, namespaces.openbao).service}:${OPENBAO_PORT}`,
    openbaoTlsSecret: 'openbao-tls',
    openbaoSealSecret: 'openbao-seal-key',
  };
}

/** A pod a platform chart runs: how its chart labels it, what it needs, what it must reach. */
export interface PlatformPod {
  readonly name: string;
  readonly component: PlatformComponent;
  /** Labels the chart puts on the pod (selected by the network policies). */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * Pods in a production deployment (platformReplicas): two of every leader-elected controller
   * and webhook, so a lost node or a drain leaves one serving; OpenBao runs one server, and the
   * barman-cloud plugin one pod (it serves only while it holds its lease).
   */
  readonly replicas: number;
  readonly resources: ComputeResources;
  /** Controllers and OpenBao's token reviews talk to the API server. */
  readonly callsApiServer: boolean;
  /** Admission webhook port the API server calls, if any. */
  readonly webhookPort?: number;
  /** The port other pods of the platform reach it on, if any. */
  readonly servingPort?: number;
}

const small: ComputeResources = { cpuRequestMilli: 50, cpuLimitMilli: 500, memoryRequestMi: 64, memoryLimitMi: 256 };
const medium: ComputeResources = { cpuRequestMilli: 100, cpuLimitMilli: 1000, memoryRequestMi: 128, memoryLimitMi: 512 };

const instance = (release: string) => ({ 'app.kubernetes.io/instance': release });

export const PLATFORM_PODS: readonly PlatformPod[] = [
  {
    name: 'cert-manager',
    component: 'cert-manager',
    podLabels: { ...instance(RELEASES.certManager), 'app.kubernetes.io/component': 'controller' },
    replicas: 2,
    resources: medium,
    callsApiServer: true,
  },
  {
    name: 'cert-manager-webhook',
    component: 'cert-manager',
    podLabels: { ...instance(RELEASES.certManager), 'app.kubernetes.io/component': 'webhook' },
    replicas: 2,
    resources: small,
    callsApiServer: true,
    webhookPort: 10250,
  },
  {
    name: 'cert-manager-cainjector',
    component: 'cert-manager',
    podLabels: { ...instance(RELEASES.certManager), 'app.kubernetes.io/component': 'cainjector' },
    replicas: 2,
    resources: medium,
    callsApiServer: true,
  },
  {
    name: 'trust-manager',
    component: 'cert-manager',
    podLabels: { ...instance(RELEASES.trustManager), 'app.kubernetes.io/name': 'trust-manager' },
    replicas: 2,
    resources: small,
    callsApiServer: true,
    webhookPort: 6443,
  },
  {
    name: 'external-secrets',
    component: 'external-secrets',
    podLabels: { ...instance(RELEASES.externalSecrets), 'app.kubernetes.io/name': 'external-secrets' },
    replicas: 2,
    resources: medium,
    callsApiServer: true,
  },
  {
    name: 'external-secrets-webhook',
    component: 'external-secrets',
    podLabels: { ...instance(RELEASES.externalSecrets), 'app.kubernetes.io/name': 'external-secrets-webhook' },
    replicas: 2,
    resources: small,
    callsApiServer: true,
    webhookPort: 10250,
  },
  {
    name: 'external-secrets-cert-controller',
    component: 'external-secrets',
    podLabels: { ...instance(RELEASES.externalSecrets), 'app.kubernetes.io/name': 'external-secrets-cert-controller' },
    replicas: 2,
    resources: small,
    callsApiServer: true,
  },
  // OpenBao reviews the Kubernetes tokens presented to it (TokenReview).
  {
    name: 'openbao',
    component: 'openbao',
    podLabels: { ...instance(RELEASES.openbao), 'app.kubernetes.io/name': 'openbao', component: 'server' },
    replicas: 1,
    resources: { cpuRequestMilli: 250, cpuLimitMilli: 1000, memoryRequestMi: 256, memoryLimitMi: 1024 },
    callsApiServer: true,
    servingPort: OPENBAO_PORT,
  },
  {
    name: 'cloudnative-pg',
    component: 'postgres-operator',
    podLabels: { ...instance(RELEASES.cloudnativePg), 'app.kubernetes.io/name': 'cloudnative-pg' },
    replicas: 2,
    resources: medium,
    callsApiServer: true,
    webhookPort: CLOUDNATIVE_PG_WEBHOOK_PORT,
  },
  // The operator calls it over mutual TLS (CNPG-I) when it reconciles a cluster or a backup.
  {
    name: 'barman-cloud',
    component: 'postgres-operator',
    podLabels: { ...instance(RELEASES.barmanCloud), 'app.kubernetes.io/name': 'plugin-barman-cloud' },
    // One pod: its plugin server runs only on the holder of its lease, so a second pod never becomes ready.
    replicas: 1,
    resources: small,
    callsApiServer: true,
    servingPort: BARMAN_CLOUD_PORT,
  },
];

/**
 * How many pods of a platform chart run: the model's count in production, one on a small
 * (single-node) site. OpenBao is one server either way: its upstream self-initialisation is
 * not safe with several Raft nodes starting together.
 */
export function platformReplicas(pod: Pick<PlatformPod, 'replicas'>, profile: DeploymentProfile): number {
  return profile === 'small' ? 1 : pod.replicas;
}

export function platformPod(name: string): PlatformPod {
  const pod = PLATFORM_PODS.find((candidate) => candidate.name === name);
  if (!pod) throw new Error(`unknown platform pod "${name}"`);
  return pod;
}

export function podsEndpoint(deploymentName: string, pod: Pick<PlatformPod, 'name' | 'component' | 'podLabels'>): PodsEndpoint {
  return { kind: 'pods', name: pod.name, namespace: platformNamespace(deploymentName, pod.component), podLabels: pod.podLabels };
}

function flow(from: FlowEndpoint, to: FlowEndpoint, port: number, portName: string, reason: string): Flow {
  const name = (endpoint: FlowEndpoint) =>
    endpoint.kind === 'outside' ? 'outside' : endpoint.kind === 'pods' ? endpoint.name : endpoint.workload;
  // Every platform flow is TLS: OpenBao, the webhooks, the API server, CNPG-I, the object store.
  return { id: `${name(from)}-to-${name(to)}-${portName}`, from, to, port, portName, protocol: 'TCP', reason, transport: TLS };
}

/** The configurator Job's pod, in the OpenBao namespace (a typed workload of this project). */
export const CONFIGURATOR_POD_LABELS = { 'matrix.sovereign/workload': CONFIGURATOR } as const;

/** The secret store's backup CronJob, in the OpenBao namespace (a typed workload of this project). */
export const SECRET_STORE_BACKUP = 'secret-store-backup';
export const SECRET_STORE_BACKUP_POD_LABELS = { 'matrix.sovereign/workload': SECRET_STORE_BACKUP } as const;

/** Every connection the platform makes; everything else is denied by each namespace's baseline. */
export function platformFlowMatrix(config: DeploymentConfig): Flow[] {
  const { deploymentName } = config;
  const apiServer: FlowEndpoint = {
    kind: 'outside',
    description: 'the Kubernetes API server',
    cidrs: config.kubernetes.apiServer.cidrs,
    except: [],
  };
  const openbao = podsEndpoint(deploymentName, platformPod('openbao'));
  const flows: Flow[] = [
    flow(
      podsEndpoint(deploymentName, platformPod('external-secrets')),
      openbao,
      OPENBAO_PORT,
      'openbao',
      'External Secrets reads (and the generator writes) values, each store with its own role',
    ),
    flow(
      podsEndpoint(deploymentName, { name: CONFIGURATOR, component: 'openbao', podLabels: CONFIGURATOR_POD_LABELS }),
      openbao,
      OPENBAO_PORT,
      'openbao',
      'the configurator applies the declared policies and roles',
    ),
    flow(
      podsEndpoint(deploymentName, { name: SECRET_STORE_BACKUP, component: 'openbao', podLabels: SECRET_STORE_BACKUP_POD_LABELS }),
      openbao,
      OPENBAO_PORT,
      'openbao',
      'the secret store backup job logs in (role store-backup) and takes a raft snapshot',
    ),
    flow(
      podsEndpoint(deploymentName, { name: SECRET_STORE_BACKUP, component: 'openbao', podLabels: SECRET_STORE_BACKUP_POD_LABELS }),
      backupStoreEndpoint(config),
      BACKUP_PORT.containerPort,
      BACKUP_PORT.name,
      'encrypted secret store snapshots to the declared object storage (HTTPS)',
    ),
    flow(
      podsEndpoint(deploymentName, platformPod('cloudnative-pg')),
      podsEndpoint(deploymentName, platformPod('barman-cloud')),
      BARMAN_CLOUD_PORT,
      'cnpgi',
      'the PostgreSQL operator asks the backup plugin (CNPG-I over mutual TLS) how to run and back up each cluster',
    ),
  ];
  for (const pod of PLATFORM_PODS) {
    if (pod.callsApiServer)
      flows.push(
        flow(
          podsEndpoint(deploymentName, pod),
          apiServer,
          config.kubernetes.apiServer.port,
          'apiserver',
          `${pod.name} watches and writes its resources through the API server`,
        ),
      );
    if (pod.webhookPort !== undefined)
      flows.push(
        flow(
          apiServer,
          podsEndpoint(deploymentName, pod),
          pod.webhookPort,
          'webhook',
          `the API server calls the ${pod.name} admission webhook`,
        ),
      );
  }
  return flows;
}

/** Services each platform namespace may hold (the charts' webhook and server Services). */
export const PLATFORM_SERVICES: Readonly<Record<PlatformComponent, number>> = {
  openbao: 2,
  'external-secrets': 1,
  'cert-manager': 2,
  'secret-generation': 0,
  // The operator's webhook Service and the plugin's Service (the operator finds plugins by its labels).
  'postgres-operator': 2,
};
