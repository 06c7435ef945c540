/** The case table of SEC-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esoRelease, nested } from '../../../test/policies/case-helpers/common';
import { esSpec, externalSecret, makeGeneratedOnce, pushSecret, pushSpec } from '../../../test/policies/case-helpers/sec';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  CERT_MANAGER_DIGEST,
  child,
  editHelmValues,
  GENERATION_NAMESPACE,
  helmRelease,
  HOMESERVER_NAMESPACE,
  manifestResource,
  manifestSpecOf,
  R,
  secretStore,
  type ResourceRef,
} from '../../../test/policies/fixtures';
import { blocks, type JsonObject, type JsonValue, type TerraformJson } from '../../../tfjson/terraform-json';

const store = address(R.secretStore);

function storeAuth(json: TerraformJson, resource: ResourceRef): JsonObject {
  return child(manifestSpecOf(json, resource), 'provider', 'vault', 'auth', 'kubernetes');
}

/** Adds a manifest of `kind` in the External Secrets API group. */
function addEsoObject(json: TerraformJson, kind: string, apiVersion = 'external-secrets.io/v1'): ResourceRef {
  return add(
    json,
    { type: 'kubernetes_manifest', name: `${kind.toLowerCase()}_manifest` },
    manifestResource({ apiVersion, kind, metadata: { name: 'everything' }, spec: {} }, false),
  );
}

const CLUSTER_SWITCHES = [
  'processClusterStore',
  'crds.createClusterSecretStore',
  'processClusterExternalSecret',
  'crds.createClusterExternalSecret',
  'processClusterPushSecret',
  'crds.createClusterPushSecret',
  'processClusterGenerator',
  'crds.createClusterGenerator',
];

/** Deletes a dotted values path. */
function unsetValue(values: JsonObject, path: string): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  delete nested(values, ...keys)[last];
}

export const cases: RuleCases = {
  bad: [
    ...['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret'].map((kind) => ({
      name: `${kind} manifest`,
      mutate: (j: TerraformJson) =>
        void addEsoObject(j, kind, kind === 'ClusterPushSecret' ? 'external-secrets.io/v1alpha1' : 'external-secrets.io/v1'),
      address: `kubernetes_manifest.${kind.toLowerCase()}_manifest`,
      message: `cluster-wide ${kind} is not allowed`,
    })),
    {
      name: 'ClusterGenerator manifest',
      mutate: (j) => void addEsoObject(j, 'ClusterGenerator', 'generators.external-secrets.io/v1alpha1'),
      address: 'kubernetes_manifest.clustergenerator_manifest',
      message: 'cluster-wide ClusterGenerator is not allowed',
    },
    {
      name: 'second SecretStore in the namespace',
      mutate: (j) => {
        const second = secretStore(HOMESERVER_NAMESPACE, 'homeserver', 'matrix-agency-homeserver-2', 'secret-reader');
        child(second, 'metadata').name = 'openbao-2';
        add(j, { type: 'kubernetes_manifest', name: 'second-store_manifest' }, manifestResource(second, false));
      },
      address: 'kubernetes_manifest.second-store_manifest',
      message: `namespace "${HOMESERVER_NAMESPACE}" has 2 SecretStores (openbao, openbao-2)`,
    },
    {
      name: 'ExternalSecret secretStoreRef without kind',
      mutate: (j) => delete child(esSpec(j), 'secretStoreRef').kind,
      address: externalSecret,
      message: 'spec.secretStoreRef.kind is "(absent)", not SecretStore',
    },
    {
      name: 'ExternalSecret on a ClusterSecretStore',
      mutate: (j) => (child(esSpec(j), 'secretStoreRef').kind = 'ClusterSecretStore'),
      address: externalSecret,
      message: 'spec.secretStoreRef.kind is "ClusterSecretStore"',
    },
    {
      name: 'ExternalSecret dataFrom storeRef without kind',
      mutate: (j) => (esSpec(j).dataFrom = [{ extract: { key: 'agency/synapse-keys' }, sourceRef: { storeRef: { name: 'openbao' } } }]),
      address: externalSecret,
      message: 'spec.dataFrom[0].sourceRef.storeRef.kind is "(absent)"',
    },
    {
      name: 'PushSecret store reference without kind',
      mutate: (j) => delete blocks(pushSpec(j).secretStoreRefs)[0]!.kind,
      address: pushSecret,
      message: 'spec.secretStoreRefs[0].kind is "(absent)", not SecretStore',
    },
    {
      name: 'PushSecret from a ClusterGenerator',
      mutate: (j) => (child(pushSpec(j), 'selector', 'generatorRef').kind = 'ClusterGenerator'),
      address: pushSecret,
      message: 'spec.selector.generatorRef is a ClusterGenerator',
    },
    {
      name: 'ExternalSecret from a ClusterGenerator',
      mutate: (j) => (child(blocks(makeGeneratedOnce(j).dataFrom)[0]!, 'sourceRef', 'generatorRef').kind = 'ClusterGenerator'),
      address: externalSecret,
      message: 'spec.dataFrom[0].sourceRef.generatorRef is a ClusterGenerator',
    },
    {
      name: "store authenticating as another namespace's service account",
      mutate: (j) => (child(storeAuth(j, R.secretStore), 'serviceAccountRef').namespace = GENERATION_NAMESPACE),
      address: store,
      message: `authenticates as service account "${GENERATION_NAMESPACE}"/secret-reader of another namespace`,
    },
    {
      name: 'two stores sharing one OpenBao role',
      mutate: (j) => (storeAuth(j, R.generationStore).role = 'matrix-agency-homeserver'),
      address: address(R.generationStore),
      message:
        'OpenBao role "matrix-agency-homeserver" is shared by SecretStore agency-homeserver/openbao, SecretStore agency-secret-generation/openbao',
    },
    ...CLUSTER_SWITCHES.map((key) => ({
      name: `external-secrets values ${key} absent`,
      mutate: (j: TerraformJson) => editHelmValues(j, R.externalSecretsRelease, (values) => unsetValue(values, key)),
      address: esoRelease,
      message: `values ${key} is "(absent = true)", not false`,
    })),
    {
      name: 'processClusterStore true',
      mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (values.processClusterStore = true)),
      address: esoRelease,
      message: 'values processClusterStore is true, not false',
    },
    {
      name: 'crds.createClusterSecretStore true',
      mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (nested(values, 'crds').createClusterSecretStore = true)),
      address: esoRelease,
      message: 'values crds.createClusterSecretStore is true, not false',
    },
    {
      name: 'processClusterStore switched back on by a set entry',
      mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'processClusterStore', value: 'true' }]),
      address: esoRelease,
      message: 'values processClusterStore is true, not false',
    },
    {
      name: 'crds.createClusterSecretStore overridden by a later values document',
      mutate: (j) =>
        (body(j, R.externalSecretsRelease).values = [
          ...(body(j, R.externalSecretsRelease).values as JsonValue[]),
          'crds:\n  createClusterSecretStore: true\n',
        ]),
      address: esoRelease,
      message: 'values crds.createClusterSecretStore is true, not false',
    },
    {
      name: 'external-secrets values unreadable',
      mutate: (j) => (body(j, R.externalSecretsRelease).values = ['processClusterStore: false\nprocessClusterStore: true\n']),
      address: esoRelease,
      message: 'values[0] is not valid YAML',
    },
    {
      name: 'external-secrets as an oci:// chart with cluster stores on',
      mutate: (j) => {
        Object.assign(body(j, R.externalSecretsRelease), { chart: 'oci://ghcr.io/external-secrets/charts/external-secrets' });
        editHelmValues(j, R.externalSecretsRelease, (values) => (values.processClusterStore = true));
      },
      address: esoRelease,
      message: 'values processClusterStore is true',
    },
  ],
  good: [
    {
      name: "serviceAccountRef.namespace is the store's own",
      mutate: (j) => (child(storeAuth(j, R.secretStore), 'serviceAccountRef').namespace = HOMESERVER_NAMESPACE),
    },
    { name: 'same store name in two namespaces (fixture)', mutate: () => undefined },
    { name: 'ExternalSecret from a generator only (no store reference)', mutate: (j) => void makeGeneratedOnce(j) },
    {
      name: 'another chart without the external-secrets switches',
      mutate: (j) =>
        void add(
          j,
          { type: 'helm_release', name: 'chart-cert-manager_release' },
          helmRelease('cert-manager', 'https://charts.jetstack.io', 'v1.21.2', 'matrix-cert-manager', {
            crds: { enabled: true },
            image: { repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.21.2', digest: CERT_MANAGER_DIGEST },
          }),
        ),
    },
    {
      name: 'switch kept off by a set entry',
      mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'processClusterStore', value: 'false' }]),
    },
  ],
};
