/**
 * What the engine proof checks of the PostgreSQL operator (CloudNativePG) and its barman-cloud
 * plugin, both running for real: the API server calls the operator's webhooks (a Cluster
 * without storage is refused with the operator's reason; a created one comes back defaulted),
 * the operator reconciles the homeserver's Cluster `postgres` into its Services, claim and
 * initdb Job (the instance pods are kwok's), and it loaded the plugin for that cluster (the
 * Cluster's status names the plugin it talked to over mutual TLS).
 *
 * The homeserver stack's Cluster is used when the stacks hold one; otherwise the check applies
 * a Cluster of the same name (and an ObjectStore for the plugin) itself and removes them after,
 * widening the compartment's quota meanwhile by what that cluster needs (its three Services, one
 * claim) and restoring it exactly, since the stacks' quota has no room for objects they lack.
 */
import { eventually, type KubeClient, type KubeObject } from './kube-client';

export const CLUSTER_NAME = 'postgres';
export const OBJECT_STORE_NAME = 'postgres-backup';
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** The API path of a namespace's CloudNativePG clusters. */
export const clusters = (namespace: string) => `/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters`;
const objectStores = (namespace: string) => `/apis/barmancloud.cnpg.io/v1/namespaces/${namespace}/objectstores`;

interface ClusterObject extends KubeObject {
  readonly spec?: { readonly bootstrap?: { readonly initdb?: { readonly database?: string } } };
  readonly status?: { readonly pluginStatus?: readonly { readonly name: string; readonly capabilities?: readonly string[] }[] };
}

/** A Cluster of the shape the homeserver stack writes (one instance, the plugin archiving WAL), without any value of a secret. */
function testCluster(storageClass: string): unknown {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: CLUSTER_NAME },
    spec: {
      instances: 1,
      storage: { size: '1Gi', storageClass },
      plugins: [{ name: BARMAN_CLOUD_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: OBJECT_STORE_NAME } }],
    },
  };
}

/** Its credentials name a Secret that need not exist: nothing is ever sent to the object store here. */
function testObjectStore(): unknown {
  const key = (name: string) => ({ name: `${OBJECT_STORE_NAME}-s3`, key: name });
  return {
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    metadata: { name: OBJECT_STORE_NAME },
    spec: {
      configuration: {
        destinationPath: 's3://engine-proof/postgres',
        endpointURL: 'https://objects.engine-proof.invalid',
        s3Credentials: { accessKeyId: key('ACCESS_KEY_ID'), secretAccessKey: key('ACCESS_SECRET_KEY') },
      },
    },
  };
}

const QUOTA = 'compartment-quota';

interface QuotaObject extends KubeObject {
  readonly spec: { readonly hard: Readonly<Record<string, string>> };
}

/** Widens the compartment quota for the test cluster; returns the quota's `hard` as it was. */
async function widenQuota(kube: KubeClient, namespace: string): Promise<Readonly<Record<string, string>>> {
  const quota = await kube.get<QuotaObject>(`/api/v1/namespaces/${namespace}/resourcequotas/${QUOTA}`);
  if (!quota) throw new Error(`${namespace} has no ${QUOTA}`);
  const { hard } = quota.spec;
  const plus = (key: string, amount: number, unit = '') => String(Number((hard[key] ?? '0').replace(unit, '')) + amount) + unit;
  await kube.mergePatch(`/api/v1/namespaces/${namespace}/resourcequotas/${QUOTA}`, {
    spec: {
      hard: {
        services: plus('services', 3),
        persistentvolumeclaims: plus('persistentvolumeclaims', 1),
        'requests.storage': plus('requests.storage', 1, 'Gi'),
      },
    },
  });
  return hard;
}

export interface OperatorFacts {
  /** Whether the stacks applied the Cluster (else the check applied its own). */
  readonly fromStacks: boolean;
  readonly refusal: string;
  /** What the operator's defaulting webhook writes into a Cluster without a bootstrap section (the initdb database). */
  readonly defaulted: string | undefined;
  readonly services: readonly string[];
  readonly claims: readonly string[];
  readonly jobs: readonly string[];
  readonly plugins: readonly string[];
}

/** What the operator made of the Cluster, waited for. */
async function observe(kube: KubeClient, namespace: string): Promise<Omit<OperatorFacts, 'fromStacks' | 'refusal'>> {
  const cluster = await kube.get<ClusterObject>(`${clusters(namespace)}/${CLUSTER_NAME}`);
  const services = await eventually('the operator wrote the postgres Services', 120_000, async () => {
    const found = (await kube.list(`/api/v1/namespaces/${namespace}/services`)).map((object) => object.metadata.name);
    return ['rw', 'ro', 'r'].every((suffix) => found.includes(`${CLUSTER_NAME}-${suffix}`)) ? found : undefined;
  });
  const claims = await eventually('the operator claimed the first instance volume', 120_000, async () => {
    const found = (await kube.list(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`)).map((object) => object.metadata.name);
    return found.some((name) => name.startsWith(`${CLUSTER_NAME}-1`)) ? found : undefined;
  });
  const jobs = await eventually('the operator started the initdb Job', 120_000, async () => {
    const found = (await kube.list(`/apis/batch/v1/namespaces/${namespace}/jobs`)).map((object) => object.metadata.name);
    return found.some((name) => name.endsWith('-initdb')) ? found : undefined;
  });
  const plugins = await eventually('the operator loaded the barman-cloud plugin for the cluster', 120_000, async () => {
    const current = await kube.get<ClusterObject>(`${clusters(namespace)}/${CLUSTER_NAME}`);
    const loaded = (current?.status?.pluginStatus ?? []).map((plugin) => plugin.name);
    return loaded.length > 0 ? loaded : undefined;
  });

  return { defaulted: cluster?.spec?.bootstrap?.initdb?.database, services, claims, jobs, plugins };
}

/** Runs the checks in one homeserver namespace; returns what it saw for the test to judge. */
export async function proveCloudnativePg(kube: KubeClient, namespace: string, storageClass: string): Promise<OperatorFacts> {
  const refused = await kube.request<{ message?: string }>('POST', clusters(namespace), {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'no-storage' },
    spec: { instances: 1 },
  });
  const refusal = `${refused.status} ${refused.body.message ?? ''}`;

  const existing = await kube.get<ClusterObject>(`${clusters(namespace)}/${CLUSTER_NAME}`);
  const quota = existing ? undefined : await widenQuota(kube, namespace);
  if (!existing) {
    await kube.create(objectStores(namespace), testObjectStore());
    await kube.create(clusters(namespace), testCluster(storageClass));
  }
  try {
    return { fromStacks: existing !== undefined, refusal, ...(await observe(kube, namespace)) };
  } finally {
    if (quota) {
      await kube.delete(`${clusters(namespace)}/${CLUSTER_NAME}`);
      await kube.delete(`${objectStores(namespace)}/${OBJECT_STORE_NAME}`);
      await kube.mergePatch(`/api/v1/namespaces/${namespace}/resourcequotas/${QUOTA}`, { spec: { hard: quota } });
    }
  }
}
