/**
 * What the engine proof checks on the applied cluster, beyond "the engine said it worked":
 *  - the isolation objects (namespaces, NetworkPolicies, ResourceQuotas, LimitRanges) exist in
 *    the cluster exactly as synthesized (every synthesized field present with the same value,
 *    quantities and ports compared by value, the API's defaults allowed);
 *  - no Secret holds a value that Terraform has seen: no Secret value occurs in any
 *    synthesized stack or state, and no Secret was written by the Terraform providers except
 *    Helm's release records (which hold chart values, none of them any other Secret's value).
 */
import * as zlib from 'node:zlib';
import type { DeploymentConfig } from '../../../config/deployment-config';
import { templateReferences } from '../../../model/secrets';
import { deploymentSecretDeclarations, deploymentSecrets } from '../../../workloads/secrets';
import type { DeploymentUnderTest } from './deployment-under-test';
import type { KubeClient, KubeObject } from './kube-client';

const CHECKED_TYPES: Readonly<Record<string, { readonly kind: string; readonly api: (namespace: string, name: string) => string }>> = {
  kubernetes_namespace_v1: { kind: 'Namespace', api: (_namespace, name) => `/api/v1/namespaces/${name}` },
  kubernetes_network_policy_v1: {
    kind: 'NetworkPolicy',
    api: (namespace, name) => `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${name}`,
  },
  kubernetes_resource_quota_v1: {
    kind: 'ResourceQuota',
    api: (namespace, name) => `/api/v1/namespaces/${namespace}/resourcequotas/${name}`,
  },
  kubernetes_limit_range_v1: { kind: 'LimitRange', api: (namespace, name) => `/api/v1/namespaces/${namespace}/limitranges/${name}` },
};

/** Terraform block names that the API spells differently. */
const RENAMED: Readonly<Record<string, string>> = { limit: 'limits' };

/** Keys whose values are maps of user keys (never renamed). */
const MAP_KEYS = new Set([
  'labels',
  'annotations',
  'match_labels',
  'hard',
  'default',
  'default_request',
  'max',
  'min',
  'max_limit_request_ratio',
]);

type Json = unknown;

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** Terraform's snake_case blocks → the API's camelCase objects. */
function apiShape(value: Json, isMap = false): Json {
  if (Array.isArray(value)) return value.map((item) => apiShape(item));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, Json>).map(([key, item]) =>
      isMap ? [key, item] : [RENAMED[key] ?? camel(key), apiShape(item, MAP_KEYS.has(key))],
    ),
  );
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

function quantity(value: Json): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  const unit = match ? UNITS[match[2] ?? ''] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

function empty(value: Json): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** Paths where `expected` is not found in `actual`. */
export function missingIn(expected: Json, actual: Json, at = ''): string[] {
  if (empty(expected)) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`${at}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) => missingIn(item, actual[index], `${at}[${index}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${at}: expected an object, found ${JSON.stringify(actual)}`];
    return Object.entries(expected as Record<string, Json>).flatMap(([key, item]) =>
      missingIn(item, (actual as Record<string, Json>)[key], at ? `${at}.${key}` : key),
    );
  }
  if (String(expected) === String(actual)) return [];
  const [left, right] = [quantity(expected), quantity(actual)];
  if (left !== undefined && right !== undefined && Math.abs(left - right) < 1e-9) return [];
  return [`${at}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
}

export interface ObjectCheck {
  readonly stack: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly problems: readonly string[];
}

/** Every isolation object of every stack, looked up in the cluster and compared field by field. */
export async function isolationObjectsAsSynthesized(kube: KubeClient, deployment: DeploymentUnderTest): Promise<ObjectCheck[]> {
  const checks: ObjectCheck[] = [];
  for (const stack of deployment.stacks) {
    const resources = (deployment.stackJson(stack).resource ?? {}) as Record<
      string,
      Record<string, { metadata?: { name?: string; namespace?: string; labels?: Json }; spec?: Json }>
    >;
    const namespaces = new Map(
      Object.entries(resources.kubernetes_namespace_v1 ?? {}).map(([id, resource]) => [id, resource.metadata?.name ?? '']),
    );
    const resolveNamespace = (value: string | undefined) => {
      const reference = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(value ?? '')?.[1];
      return reference ? (namespaces.get(reference) ?? '') : (value ?? '');
    };
    for (const [type, check] of Object.entries(CHECKED_TYPES)) {
      for (const resource of Object.values(resources[type] ?? {})) {
        const name = resource.metadata?.name ?? '';
        const namespace = resolveNamespace(resource.metadata?.namespace);
        const live = await kube.get<KubeObject & { spec?: Json }>(check.api(namespace, name));
        const problems = live
          ? [
              ...missingIn(apiShape(resource.metadata?.labels, true), live.metadata.labels, 'metadata.labels'),
              ...missingIn(apiShape(resource.spec), live.spec, 'spec'),
            ]
          : ['not found in the cluster'];
        checks.push({ stack, kind: check.kind, namespace, name, problems });
      }
    }
  }
  return checks;
}

interface SecretObject extends KubeObject {
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly metadata: KubeObject['metadata'] & {
    readonly managedFields?: readonly { readonly manager?: string; readonly fieldsV1?: Record<string, unknown> }[];
  };
}

export interface SecretFindings {
  readonly secretsChecked: number;
  readonly valuesChecked: number;
  /** `namespace/name[key]` of values that occur in a synthesized stack or a state. */
  readonly seenByTerraform: readonly string[];
  /** Secrets (other than Helm release records) whose values the Terraform providers wrote (a chart may create an empty Secret for its operator to fill). */
  readonly writtenByTerraform: readonly string[];
  /** Helm release records that contain another Secret's value. */
  readonly leakedIntoReleases: readonly string[];
}

/** Helm's release record: base64 of gzip of JSON, inside the Secret's base64. */
function releaseText(secret: SecretObject): string {
  const encoded = Buffer.from(secret.data?.release ?? '', 'base64').toString('utf8');
  return zlib.gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
}

/**
 * `terraformTexts`: every synthesized stack and every state, as text. Values shorter than 8
 * characters (e.g. "true", a port) are not meaningful evidence either way and are skipped.
 */
/**
 * The files of the deployment's Secrets whose template prints no value (a role name beside its
 * password): declared public, so finding them in Terraform's texts is expected, not a leak.
 */
export function constantSecretFiles(config: DeploymentConfig): Set<string> {
  const declarations = [...deploymentSecrets(config).flatMap((homeserver) => homeserver.declarations), ...deploymentSecretDeclarations()];
  return new Set(
    declarations.flatMap((declaration) =>
      Object.values(declaration.files)
        .filter((file) => templateReferences(file.template).length === 0 && !file.template.includes('{{'))
        .map((file) => file.template),
    ),
  );
}

export async function secretsBeyondTerraform(
  kube: KubeClient,
  namespaces: readonly string[],
  terraformTexts: readonly string[],
  constantFiles: ReadonlySet<string>,
): Promise<SecretFindings> {
  const secrets = (
    await Promise.all(namespaces.map((namespace) => kube.list<SecretObject>(`/api/v1/namespaces/${namespace}/secrets`)))
  ).flat();
  const releases = secrets.filter((secret) => secret.type === 'helm.sh/release.v1');
  const others = secrets.filter((secret) => secret.type !== 'helm.sh/release.v1');
  const releaseTexts = releases.map((release) => ({
    name: `${release.metadata.namespace}/${release.metadata.name}`,
    text: releaseText(release),
  }));
  const seenByTerraform: string[] = [];
  const leakedIntoReleases: string[] = [];
  let valuesChecked = 0;
  for (const secret of others) {
    for (const [key, encoded] of Object.entries(secret.data ?? {})) {
      const value = Buffer.from(encoded, 'base64').toString('utf8');
      if (value.length < 8 || constantFiles.has(value)) continue;
      valuesChecked += 1;
      const id = `${secret.metadata.namespace}/${secret.metadata.name}[${key}]`;
      if (terraformTexts.some((text) => text.includes(value) || text.includes(encoded))) seenByTerraform.push(id);
      for (const release of releaseTexts)
        if (release.text.includes(value) || release.text.includes(encoded)) leakedIntoReleases.push(`${id} in ${release.name}`);
    }
  }
  const terraformManagers = /terraform|hashicorp/i;
  const writtenByTerraform = others
    .filter((secret) =>
      (secret.metadata.managedFields ?? []).some(
        (entry) =>
          terraformManagers.test(entry.manager ?? '') && ('f:data' in (entry.fieldsV1 ?? {}) || 'f:stringData' in (entry.fieldsV1 ?? {})),
      ),
    )
    .map((secret) => `${secret.metadata.namespace}/${secret.metadata.name}`);
  return { secretsChecked: secrets.length, valuesChecked, seenByTerraform, writtenByTerraform, leakedIntoReleases };
}
