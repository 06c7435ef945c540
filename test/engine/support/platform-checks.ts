/**
 * Checks that the platform's operators really did their work on the applied cluster:
 * certificates issued by the internal CA, the CA bundle distributed, OpenBao initialised and
 * unsealed, External Secrets synced from it, pods running and ready.
 */
import { X509Certificate } from 'node:crypto';
import { eventually, type KubeClient, type KubeObject } from './kube-client';

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

interface WithConditions extends KubeObject {
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly phase?: string;
    readonly containerStatuses?: readonly { readonly ready: boolean }[];
    readonly succeeded?: number;
  };
  readonly spec?: Record<string, unknown>;
}

export function conditionOf(object: WithConditions, type: string): Condition | undefined {
  return object.status?.conditions?.find((condition) => condition.type === type);
}

export function isReady(object: WithConditions): boolean {
  return conditionOf(object, 'Ready')?.status === 'True';
}

export async function listIn<T extends WithConditions = WithConditions>(
  kube: KubeClient,
  namespaces: readonly string[],
  resource: (namespace: string) => string,
): Promise<T[]> {
  return (await Promise.all(namespaces.map((namespace) => kube.list<T>(resource(namespace))))).flat();
}

export const API = {
  certificates: (namespace: string) => `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`,
  externalSecrets: (namespace: string) => `/apis/external-secrets.io/v1/namespaces/${namespace}/externalsecrets`,
  pushSecrets: (namespace: string) => `/apis/external-secrets.io/v1alpha1/namespaces/${namespace}/pushsecrets`,
  secretStores: (namespace: string) => `/apis/external-secrets.io/v1/namespaces/${namespace}/secretstores`,
  pods: (namespace: string) => `/api/v1/namespaces/${namespace}/pods`,
  configMap: (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`,
  secret: (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/secrets/${name}`,
} as const;

/** A summary of objects that are not Ready, with their reasons (for failure messages). */
export function notReady(objects: readonly WithConditions[]): string[] {
  return objects
    .filter((object) => !isReady(object))
    .map((object) =>
      `${object.kind ?? ''} ${object.metadata.namespace}/${object.metadata.name}: ${conditionOf(object, 'Ready')?.reason ?? 'no Ready condition'} ${conditionOf(object, 'Ready')?.message ?? ''}`.trim(),
    );
}

/** Whether `leaf` (PEM, first certificate) was signed by `ca` (PEM). */
export function signedBy(leafPem: string, caPem: string): boolean {
  const leaf = new X509Certificate(leafPem);
  const ca = new X509Certificate(caPem);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

export function decode(secret: KubeObject & { data?: Readonly<Record<string, string>> }, key: string): string {
  return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
}

/** Waits until every pod of `namespaces` is ready (or completed); the error names those that are not. */
export async function podsReady(kube: KubeClient, namespaces: readonly string[], timeoutMs: number): Promise<WithConditions[]> {
  let pending: string[] = [];
  try {
    return await eventually(
      'every pod ready',
      timeoutMs,
      async () => {
        const all = await listIn(kube, namespaces, API.pods);
        pending = all
          .filter((pod) => pod.status?.phase !== 'Succeeded' && !isReady(pod))
          .map((pod) => {
            const unmet = (pod.status?.conditions ?? [])
              .filter((condition) => condition.status !== 'True')
              .map((condition) => `${condition.type}: ${condition.reason ?? ''} ${condition.message ?? ''}`.trim());
            return `${pod.metadata.namespace}/${pod.metadata.name} (${pod.status?.phase ?? 'no phase'}${unmet.length > 0 ? `; ${unmet.join('; ')}` : ''})`;
          });
        return pending.length === 0 ? all : undefined;
      },
      2_000,
    );
  } catch (error) {
    throw new Error(`${String(error)}; not ready: ${pending.join(', ')}`, { cause: error });
  }
}
