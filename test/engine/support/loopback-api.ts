/**
 * Just enough of a Kubernetes client for the tests on the loopback control plane: create
 * objects of the kinds they use (by apiVersion/kind, with the resource paths written out),
 * read them back, mint service-account tokens, and poll for a state (with the operators'
 * log tails in the failure message), over the plane's `request`.
 */
import type { LoopbackControlPlane } from './loopback-control-plane';

export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** apiVersion/kind → plural resource and whether it is namespaced. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { plural: 'customresourcedefinitions', namespaced: false },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': { plural: 'validatingwebhookconfigurations', namespaced: false },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': { plural: 'mutatingwebhookconfigurations', namespaced: false },
  'coordination.k8s.io/v1/Lease': { plural: 'leases', namespaced: true },
  'cert-manager.io/v1/ClusterIssuer': { plural: 'clusterissuers', namespaced: false },
  'cert-manager.io/v1/Issuer': { plural: 'issuers', namespaced: true },
  'cert-manager.io/v1/Certificate': { plural: 'certificates', namespaced: true },
  'cert-manager.io/v1/CertificateRequest': { plural: 'certificaterequests', namespaced: true },
};

/** The API path of a collection (`name` undefined) or of one object. */
export function resourcePath(apiVersion: string, kind: string, namespace: string | undefined, name?: string): string {
  const resource = RESOURCES[`${apiVersion}/${kind}`];
  if (!resource) throw new Error(`no resource path known for ${apiVersion} ${kind}`);
  const group = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  if (resource.namespaced && !namespace) throw new Error(`${kind} ${name ?? ''} needs a namespace`);
  const scope = resource.namespaced ? `/namespaces/${namespace}` : '';
  return `${group}${scope}/${resource.plural}${name === undefined ? '' : `/${name}`}`;
}

export async function create(plane: LoopbackControlPlane, object: ApiObject): Promise<ApiObject> {
  const response = await plane.request('POST', resourcePath(object.apiVersion, object.kind, object.metadata.namespace), object);
  if (response.status !== 201) throw new Error(`creating ${object.kind} ${object.metadata.name}: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
  return response.body as ApiObject;
}

export async function read(plane: LoopbackControlPlane, apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<ApiObject | undefined> {
  const response = await plane.request('GET', resourcePath(apiVersion, kind, namespace, name));
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`reading ${kind} ${name}: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
  return response.body as ApiObject;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function condition(object: ApiObject | undefined, type: string): Condition | undefined {
  const conditions = (object?.status as { conditions?: Condition[] } | undefined)?.conditions;
  return conditions?.find((entry) => entry.type === type);
}

/** Polls `probe` until it returns a value; the timeout message says what was awaited and the last state seen. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A bearer token of a service account (TokenRequest), as a pod would mount it. */
export async function serviceAccountToken(plane: LoopbackControlPlane, namespace: string, serviceAccount: string): Promise<string> {
  const response = await plane.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  if (response.status !== 201) throw new Error(`token for ${namespace}/${serviceAccount}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  return (response.body as { status: { token: string } }).status.token;
}
