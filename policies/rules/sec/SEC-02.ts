import { chartName, helmReleases, helmValues } from '../../../tfjson/helm-values';
import { at, EXTERNAL_SECRETS_GROUP, inGroup, manifests, manifestsOfKind, specOf, type ManifestView } from '../../../tfjson/manifests';
import { blocks, isObject, valueAt, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** Cluster-wide External Secrets kinds: each reaches across every compartment. */
const CLUSTER_KINDS = ['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret', 'ClusterGenerator'] as const;
/** What the `external-secrets` chart must switch off so that no controller serves (or CRD admits) a cluster-wide kind. */
const CLUSTER_SWITCHES = [
  'processClusterStore',
  'crds.createClusterSecretStore',
  'processClusterExternalSecret',
  'crds.createClusterExternalSecret',
  'processClusterPushSecret',
  'crds.createClusterPushSecret',
  'processClusterGenerator',
  'crds.createClusterGenerator',
] as const;

/** Every store reference of an ExternalSecret or PushSecret, with where it is written. */
function storeReferences(view: ManifestView): { where: string; ref: Record<string, unknown> }[] {
  const spec = specOf(view);
  const found: { where: string; ref: Record<string, unknown> }[] = [];
  if (view.kind === 'ExternalSecret') {
    if (isObject(spec.secretStoreRef)) found.push({ where: 'spec.secretStoreRef', ref: spec.secretStoreRef });
    for (const list of ['data', 'dataFrom'] as const) {
      blocks(spec[list]).forEach((entry, index) => {
        const ref = at(entry, 'sourceRef', 'storeRef');
        if (isObject(ref)) found.push({ where: `spec.${list}[${index}].sourceRef.storeRef`, ref });
      });
    }
  } else {
    blocks(spec.secretStoreRefs).forEach((ref, index) => found.push({ where: `spec.secretStoreRefs[${index}]`, ref }));
  }
  return found;
}

/** Generator references that point at a cluster-wide generator. */
function clusterGeneratorReferences(view: ManifestView): string[] {
  const spec = specOf(view);
  const refs: { where: string; ref: unknown }[] = [{ where: 'spec.selector.generatorRef', ref: at(spec, 'selector', 'generatorRef') }];
  for (const list of ['data', 'dataFrom'] as const)
    blocks(spec[list]).forEach((entry, index) =>
      refs.push({ where: `spec.${list}[${index}].sourceRef.generatorRef`, ref: at(entry, 'sourceRef', 'generatorRef') }),
    );
  return refs.filter(({ ref }) => isObject(ref) && ref.kind === 'ClusterGenerator').map(({ where }) => where);
}

function storeViolations(stack: SynthesizedStack): Violation[] {
  const violations: Violation[] = [];
  const stores = manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'SecretStore');
  const byNamespace = new Map<string, ManifestView[]>();
  const byRole = new Map<string, ManifestView[]>();
  for (const store of stores) {
    const namespace = store.namespace ?? '(absent)';
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), store]);
    const kubernetesAuth = at(specOf(store), 'provider', 'vault', 'auth', 'kubernetes');
    const account = at(kubernetesAuth, 'serviceAccountRef');
    const accountNamespace = at(account, 'namespace');
    if (accountNamespace !== undefined && accountNamespace !== store.namespace) {
      violations.push({
        address: store.resource.address,
        message: `${store.label} authenticates as service account ${JSON.stringify(accountNamespace)}/${String(at(account, 'name'))} of another namespace`,
      });
    }
    const role = at(kubernetesAuth, 'role');
    if (typeof role === 'string') byRole.set(role, [...(byRole.get(role) ?? []), store]);
  }
  for (const [namespace, found] of byNamespace) {
    if (found.length > 1)
      violations.push({
        address: found[1]?.resource.address ?? '',
        message: `namespace "${namespace}" has ${found.length} SecretStores (${found.map((store) => store.name).join(', ')}); one per compartment`,
      });
  }
  for (const [role, found] of byRole) {
    if (found.length > 1)
      violations.push({
        address: found[1]?.resource.address ?? '',
        message: `OpenBao role "${role}" is shared by ${found.map((store) => store.label).join(', ')}`,
      });
  }
  return violations;
}

/**
 * One SecretStore per compartment namespace, bound to its own OpenBao role; nothing cluster-wide
 * (no Cluster* kinds, the chart's cluster controllers and CRDs switched off); every reference to
 * a store names its kind, so none falls back to a cluster store.
 */
export const rule: Rule = {
  id: 'SEC-02',
  title: 'One SecretStore per compartment namespace',
  level: 'error',
  lesson:
    'One credential that could read every secret turned a single leak into a full compromise; a compartment reads only its own secrets.',
  references: { cisKubernetes: '5.4.2', nsaCisa: 'Secrets: least privilege, external secret storage', anssi: 'R26' },
  fix: 'Declare one namespaced SecretStore per compartment with its own OpenBao role and service account, reference it with kind: SecretStore, and install external-secrets with every cluster-wide kind disabled.',
  appliesTo: {
    subject: 'External Secrets object or external-secrets chart',
    presentIn: (stack) =>
      manifests(stack).some((view) => inGroup(view, EXTERNAL_SECRETS_GROUP)) ||
      helmReleases(stack).some((release) => chartName(release) === 'external-secrets'),
  },
  check: (stack) => {
    const violations: Violation[] = [];
    for (const view of manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, ...CLUSTER_KINDS)) {
      violations.push({ address: view.resource.address, message: `${view.label}: cluster-wide ${view.kind} is not allowed` });
    }
    violations.push(...storeViolations(stack));
    for (const view of manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'ExternalSecret', 'PushSecret')) {
      for (const { where, ref } of storeReferences(view)) {
        if (ref.kind !== 'SecretStore')
          violations.push({
            address: view.resource.address,
            message: `${view.label}: ${where}.kind is ${JSON.stringify(ref.kind ?? '(absent)')}, not SecretStore`,
          });
      }
      for (const where of clusterGeneratorReferences(view))
        violations.push({ address: view.resource.address, message: `${view.label}: ${where} is a ClusterGenerator` });
    }
    for (const release of helmReleases(stack).filter((candidate) => chartName(candidate) === 'external-secrets')) {
      const { values, errors } = helmValues(release);
      for (const error of errors)
        violations.push({ address: release.address, message: `${error}; cannot verify the cluster-wide switches` });
      for (const key of CLUSTER_SWITCHES) {
        const value = valueAt(values, key);
        if (value !== false)
          violations.push({
            address: release.address,
            message: `values ${key} is ${JSON.stringify(value ?? '(absent = true)')}, not false`,
          });
      }
    }
    return violations;
  },
};
