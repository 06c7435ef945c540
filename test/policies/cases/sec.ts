/** SEC rules (secret management): mutations of the compliant fixture that must fire, and near misses that must not. */
import { blocks, type JsonObject, type JsonValue, type TerraformJson } from '../../../policies/terraform-json';
import { add, address, body, CERT_MANAGER_DIGEST, child, containerAddress, containerOf, copy, editConfigFile, editHelmValues, GENERATION_NAMESPACE, helmRelease, HOMESERVER_NAMESPACE, labelsOf, manifestResource, manifestSpecOf, type Mutation, podSpecOf, R, type ResourceRef, secretStore, SYNAPSE_COMMAND, STANDALONE_CONTEXT, SYNAPSE_IMAGE } from '../fixtures';
import { esoRelease, nested, postgresContainer, REFERENCE, synapseConfigFile, synapseContainer } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';
const store = address(R.secretStore);
const externalSecret = address(R.externalSecret);
const pushSecret = address(R.pushSecret);
const certificate = address(R.synapseCertificate);

function esSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.externalSecret);
}
function pushSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.pushSecret);
}
function certSpec(json: TerraformJson): JsonObject {
  return manifestSpecOf(json, R.synapseCertificate);
}
function storeAuth(json: TerraformJson, resource: ResourceRef): JsonObject {
  return child(manifestSpecOf(json, resource), 'provider', 'vault', 'auth', 'kubernetes');
}
/** An ExternalSecret whose data is generated once into an immutable Secret (the OpenBao seal key pattern). */
function makeGeneratedOnce(json: TerraformJson): JsonObject {
  const spec = esSpec(json);
  delete spec.data;
  delete spec.secretStoreRef;
  spec.dataFrom = [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'alphanumeric-64' } } }];
  spec.refreshPolicy = 'CreatedOnce';
  spec.refreshInterval = '0s';
  child(spec, 'target').immutable = true;
  return spec;
}
/** Adds a manifest of `kind` in the External Secrets API group. */
function addEsoObject(json: TerraformJson, kind: string, apiVersion = 'external-secrets.io/v1'): ResourceRef {
  return add(json, { type: 'kubernetes_manifest', name: `${kind.toLowerCase()}_manifest` }, manifestResource({ apiVersion, kind, metadata: { name: 'everything' }, spec: {} }, false));
}
function setInline(key: string, value: JsonValue): Mutation {
  return (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (config[key] = value));
}
const GENERATOR_TYPES = ['random_password', 'random_string', 'random_bytes', 'tls_private_key', 'tls_self_signed_cert', 'tls_locally_signed_cert'];
const CLUSTER_SWITCHES = ['processClusterStore', 'crds.createClusterSecretStore', 'processClusterExternalSecret', 'crds.createClusterExternalSecret', 'processClusterPushSecret', 'crds.createClusterPushSecret', 'processClusterGenerator', 'crds.createClusterGenerator'];
const INLINE_KEYS = ['macaroon_secret_key', 'form_secret', 'registration_shared_secret', 'worker_replication_secret', 'signing_key', 'turn_shared_secret', 'recaptcha_private_key'];
/** Deletes a dotted values path. */
function unsetValue(values: JsonObject, path: string): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  delete nested(values, ...keys)[last];
}

const SEC_01_SOURCE_CASES: FiringCase[] = [
  ...GENERATOR_TYPES.map((type) => ({
    name: `${type} resource`,
    mutate: (j: TerraformJson) => void add(j, { type, name: 'generated' }, type.startsWith('random') ? { length: 32 } : { algorithm: 'ECDSA' }),
    address: `${type}.generated`,
    message: 'keeps its generated secret in Terraform state',
  })),
  ...(['data', 'binary_data', 'data_wo', 'binary_data_wo'] as const).map((field, index) => {
    const type = index === 1 ? 'kubernetes_secret' : 'kubernetes_secret_v1';
    return {
      name: `${type} with ${field}`,
      mutate: (j: TerraformJson) => void add(j, { type, name: 'written' }, { metadata: { name: 'written', namespace: HOMESERVER_NAMESPACE }, [field]: { value: REFERENCE } }),
      address: `${type}.written`,
      message: `Secret ${field} is written by Terraform`,
    };
  }),
  ...['set_sensitive', 'set_wo'].map((field) => ({
    name: `helm_release ${field}`,
    mutate: (j: TerraformJson) => (body(j, R.externalSecretsRelease)[field] = [{ name: 'webhook.token', value: REFERENCE }]),
    address: esoRelease,
    message: `helm_release uses ${field}`,
  })),
  ...['data', 'stringData'].map((field) => ({
    name: `Secret manifest with ${field}`,
    mutate: (j: TerraformJson) => void add(j, { type: 'kubernetes_manifest', name: 'secret_manifest' }, manifestResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'written', namespace: HOMESERVER_NAMESPACE }, [field]: { value: REFERENCE } }, false)),
    address: 'kubernetes_manifest.secret_manifest',
    message: `Secret ${HOMESERVER_NAMESPACE}/written manifest carries ${field}`,
  })),
];

const SEC_02_CASES: FiringCase[] = [
  ...['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret'].map((kind) => ({
    name: `${kind} manifest`,
    mutate: (j: TerraformJson) => void addEsoObject(j, kind, kind === 'ClusterPushSecret' ? 'external-secrets.io/v1alpha1' : 'external-secrets.io/v1'),
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
  { name: 'ExternalSecret secretStoreRef without kind', mutate: (j) => delete child(esSpec(j), 'secretStoreRef').kind, address: externalSecret, message: 'spec.secretStoreRef.kind is "(absent)", not SecretStore' },
  { name: 'ExternalSecret on a ClusterSecretStore', mutate: (j) => (child(esSpec(j), 'secretStoreRef').kind = 'ClusterSecretStore'), address: externalSecret, message: 'spec.secretStoreRef.kind is "ClusterSecretStore"' },
  {
    name: 'ExternalSecret dataFrom storeRef without kind',
    mutate: (j) => (esSpec(j).dataFrom = [{ extract: { key: 'agency/synapse-keys' }, sourceRef: { storeRef: { name: 'openbao' } } }]),
    address: externalSecret,
    message: 'spec.dataFrom[0].sourceRef.storeRef.kind is "(absent)"',
  },
  { name: 'PushSecret store reference without kind', mutate: (j) => delete blocks(pushSpec(j).secretStoreRefs)[0]!.kind, address: pushSecret, message: 'spec.secretStoreRefs[0].kind is "(absent)", not SecretStore' },
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
    name: 'store authenticating as another namespace\'s service account',
    mutate: (j) => (child(storeAuth(j, R.secretStore), 'serviceAccountRef').namespace = GENERATION_NAMESPACE),
    address: store,
    message: `authenticates as service account "${GENERATION_NAMESPACE}"/secret-reader of another namespace`,
  },
  {
    name: 'two stores sharing one OpenBao role',
    mutate: (j) => (storeAuth(j, R.generationStore).role = 'matrix-agency-homeserver'),
    address: address(R.generationStore),
    message: 'OpenBao role "matrix-agency-homeserver" is shared by SecretStore agency-homeserver/openbao, SecretStore agency-secret-generation/openbao',
  },
  ...CLUSTER_SWITCHES.map((key) => ({
    name: `external-secrets values ${key} absent`,
    mutate: (j: TerraformJson) => editHelmValues(j, R.externalSecretsRelease, (values) => unsetValue(values, key)),
    address: esoRelease,
    message: `values ${key} is "(absent = true)", not false`,
  })),
  { name: 'processClusterStore true', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (values.processClusterStore = true)), address: esoRelease, message: 'values processClusterStore is true, not false' },
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
    mutate: (j) => (body(j, R.externalSecretsRelease).values = [...(body(j, R.externalSecretsRelease).values as JsonValue[]), 'crds:\n  createClusterSecretStore: true\n']),
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
];

const SEC_03_CASES: FiringCase[] = [
  { name: 'ExternalSecret refreshPolicy absent', mutate: (j) => delete esSpec(j).refreshPolicy, address: externalSecret, message: 'refreshPolicy is absent' },
  { name: 'ExternalSecret refreshPolicy OnChange', mutate: (j) => (esSpec(j).refreshPolicy = 'OnChange'), address: externalSecret, message: 'refreshPolicy "OnChange" is not allowed' },
  { name: 'Periodic without refreshInterval', mutate: (j) => delete esSpec(j).refreshInterval, address: externalSecret, message: 'refreshInterval is absent' },
  { name: 'Periodic with refreshInterval 0s', mutate: (j) => (esSpec(j).refreshInterval = '0s'), address: externalSecret, message: 'refreshInterval "0s" never refreshes' },
  { name: 'Periodic with refreshInterval 25h', mutate: (j) => (esSpec(j).refreshInterval = '25h'), address: externalSecret, message: 'refreshInterval "25h" is longer than 24h' },
  { name: 'Periodic with refreshInterval 1d (no day unit in Go)', mutate: (j) => (esSpec(j).refreshInterval = '1d'), address: externalSecret, message: 'refreshInterval "1d" is not a Go duration' },
  {
    name: 'CreatedOnce for data read from the store',
    mutate: (j) => {
      esSpec(j).refreshPolicy = 'CreatedOnce';
      child(esSpec(j), 'target').immutable = true;
    },
    address: externalSecret,
    message: 'refreshPolicy CreatedOnce is allowed only for generated data',
  },
  { name: 'CreatedOnce generated but mutable', mutate: (j) => delete child(makeGeneratedOnce(j), 'target').immutable, address: externalSecret, message: 'refreshPolicy CreatedOnce requires target.immutable: true' },
  { name: 'PushSecret refreshInterval absent', mutate: (j) => delete pushSpec(j).refreshInterval, address: pushSecret, message: 'refreshInterval is absent' },
  { name: 'PushSecret refreshInterval 0s', mutate: (j) => (pushSpec(j).refreshInterval = '0s'), address: pushSecret, message: 'refreshInterval "0s" never refreshes' },
  { name: 'PushSecret refreshInterval 48h', mutate: (j) => (pushSpec(j).refreshInterval = '48h'), address: pushSecret, message: 'refreshInterval "48h" is longer than 24h' },
  { name: 'PushSecret refreshInterval "weekly"', mutate: (j) => (pushSpec(j).refreshInterval = 'weekly'), address: pushSecret, message: 'refreshInterval "weekly" is not a Go duration' },
  { name: 'Certificate duration absent', mutate: (j) => delete certSpec(j).duration, address: certificate, message: 'duration "(absent)" is not an explicit positive Go duration' },
  { name: 'Certificate duration 90d', mutate: (j) => (certSpec(j).duration = '90d'), address: certificate, message: 'duration "90d" is not an explicit positive Go duration' },
  { name: 'Certificate renewBefore absent', mutate: (j) => delete certSpec(j).renewBefore, address: certificate, message: 'renewBefore "(absent)" is not an explicit' },
  { name: 'Certificate renewBefore equal to duration', mutate: (j) => (certSpec(j).renewBefore = '2160h'), address: certificate, message: 'renewBefore 2160h is not shorter than duration 2160h' },
  { name: 'Certificate rotationPolicy absent', mutate: (j) => delete child(certSpec(j), 'privateKey').rotationPolicy, address: certificate, message: 'privateKey.rotationPolicy is absent' },
  { name: 'leaf Certificate rotationPolicy Never', mutate: (j) => (child(certSpec(j), 'privateKey').rotationPolicy = 'Never'), address: certificate, message: 'privateKey.rotationPolicy "Never" is not allowed for a leaf certificate' },
  { name: 'leaf Certificate longer than 397 days', mutate: (j) => (certSpec(j).duration = '9529h'), address: certificate, message: 'duration 9529h is longer than 397 days' },
  {
    name: 'CA Certificate with an unknown rotationPolicy',
    mutate: (j) => Object.assign(certSpec(j), { isCA: true, privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Sometimes' } }),
    address: certificate,
    message: 'privateKey.rotationPolicy "Sometimes" is not allowed',
  },
];

const SEC_04_CASES: FiringCase[] = [
  { name: 'synapse.app without the flag', mutate: (j) => (containerOf(j, R.synapseDeployment).command = SYNAPSE_COMMAND.slice(0, -1)), address: synapseContainer, message: 'runs synapse.app.* without --no-secrets-in-config' },
  {
    name: 'worker app in args without the flag',
    mutate: (j) => Object.assign(containerOf(j, R.synapseDeployment), { command: ['python'], args: ['-m', 'synapse.app.generic_worker', '--config-path', '/config/homeserver.yaml'] }),
    address: synapseContainer,
    message: 'without --no-secrets-in-config',
  },
  {
    name: 'shell command without the flag',
    mutate: (j) => (containerOf(j, R.synapseDeployment).command = ['/bin/sh', '-c', 'exec python -m synapse.app.homeserver --config-path /config/homeserver.yaml']),
    address: synapseContainer,
    message: 'without --no-secrets-in-config',
  },
  { name: 'Synapse image entrypoint (no command)', mutate: (j) => delete containerOf(j, R.synapseDeployment).command, address: synapseContainer, message: 'runs the Synapse image entrypoint' },
  ...INLINE_KEYS.map((key) => ({ name: `inline ${key}`, mutate: setInline(key, REFERENCE), address: synapseConfigFile, message: `inline secret ${key};` })),
  {
    name: 'inline database.args.password',
    mutate: (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (nested(config, 'database', 'args').password = REFERENCE)),
    address: synapseConfigFile,
    message: 'inline secret database.args.password',
  },
  { name: 'inline redis.password', mutate: (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (nested(config, 'redis').password = REFERENCE)), address: synapseConfigFile, message: 'inline secret redis.password' },
  {
    name: 'inline email.smtp_pass',
    mutate: (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (config.email = { smtp_host: 'smtp.example.org', smtp_user: 'synapse', smtp_pass: REFERENCE })),
    address: synapseConfigFile,
    message: 'inline secret email.smtp_pass',
  },
  {
    name: 'inline LDAP bind_password in a module',
    mutate: (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (child(blocks(config.modules)[0]!, 'config').bind_password = REFERENCE)),
    address: synapseConfigFile,
    message: 'inline secret modules[0].config.bind_password',
  },
  {
    name: 'worker config (worker_app only) with an inline secret',
    mutate: (j) => (child(body(j, R.synapseConfig), 'data')['worker.yaml'] = `worker_app: synapse.app.generic_worker\nworker_replication_secret: "${REFERENCE}"\n`),
    address: `${address(R.synapseConfig)} data "worker.yaml"`,
    message: 'inline secret worker_replication_secret',
  },
];

const SEC_05_CASES: FiringCase[] = [
  {
    name: 'env from a secret_key_ref',
    mutate: (j) => (containerOf(j, R.synapseDeployment).env = [{ name: 'SYNAPSE_FORM_SECRET', value_from: { secret_key_ref: { key: 'form', name: 'synapse-keys' } } }]),
    address: synapseContainer,
    message: 'env "SYNAPSE_FORM_SECRET" reads Secret "synapse-keys" key "form"',
  },
  {
    name: 'env_from a secret_ref',
    mutate: (j) => (containerOf(j, R.postgresStatefulSet).env_from = [{ secret_ref: { name: 'synapse-database' } }]),
    address: postgresContainer,
    message: 'env_from imports every key of Secret "synapse-database"',
  },
  {
    name: 'init container env from a secret_key_ref',
    mutate: (j) => {
      const init = copy(containerOf(j, R.synapseDeployment));
      Object.assign(init, { name: 'migrate', command: ['/bin/true'], env: [{ name: 'PGPASSWORD', value_from: [{ secret_key_ref: [{ key: 'password', name: 'synapse-database' }] }] }] });
      podSpecOf(j, R.synapseDeployment).init_container = [init];
    },
    address: containerAddress(R.synapseDeployment, 'migrate'),
    message: 'env "PGPASSWORD" reads Secret "synapse-database"',
  },
];

/** A data file of the Synapse ConfigMap, set to a template. */
function configFile(text: string): Mutation {
  return (j) => (child(body(j, R.synapseConfig), 'data')['probe.sh'] = text);
}
const synapseConfigMap = address(R.synapseConfig);
const DECLARED_REFERENCE = '${kubernetes_namespace_v1.homeserver_namespace.metadata[0].name}';

const SEC_06_CASES: FiringCase[] = [
  { name: 'a raw interpolation in a file', mutate: configFile('name="${x}"'), address: synapseConfigMap, message: 'data["probe.sh"]: interpolation ${x} is not a reference to a resource' },
  { name: 'a function call reading a file at plan time', mutate: (j) => (labelsOf(j, R.synapseDeployment).owner = '${file("/etc/passwd")}'), address: address(R.synapseDeployment), message: 'metadata.labels.owner: interpolation ${file("/etc/passwd")} is not a reference' },
  { name: 'an environment lookup in a provider block', mutate: (j) => ((j.provider as JsonObject).kubernetes = [{ config_path: '${pathexpand("~/.kube/config")}' }]), address: 'provider.kubernetes', message: 'config_path: interpolation ${pathexpand("~/.kube/config")} is not a reference' },
  { name: 'a variable in an output', mutate: (j) => Object.assign(j, { output: { leak: { value: 'x-${var.token}' } } }), address: 'output.leak', message: 'value: interpolation ${var.token} is not a reference' },
  { name: 'a template directive', mutate: configFile('%{ if true }x%{ endif }'), address: synapseConfigMap, message: 'directive %{ if true }' },
  { name: 'a stripped directive', mutate: configFile('%{~ for x in [1] ~}y%{ endfor }'), address: synapseConfigMap, message: 'directive %{ for x in [1] }' },
  { name: 'an unterminated interpolation', mutate: configFile('echo ${HOME'), address: synapseConfigMap, message: 'malformed template (unterminated ${' },
  { name: 'an unterminated directive in a label key', mutate: (j) => (labelsOf(j, R.synapseDeployment)['a%{b'] = 'c'), address: address(R.synapseDeployment), message: 'key "a%{b" of metadata.labels: malformed template' },
  { name: 'an interpolation in a label key', mutate: (j) => (labelsOf(j, R.synapseDeployment)['${x}'] = 'c'), address: address(R.synapseDeployment), message: 'key "${x}" of metadata.labels: interpolation ${x}' },
  {
    name: 'a reference to a resource the stack does not declare',
    mutate: configFile('${kubernetes_namespace_v1.nowhere.metadata[0].name}'),
    address: synapseConfigMap,
    message: 'refers to kubernetes_namespace_v1.nowhere, which this stack does not declare',
  },
  { name: 'a reference to an undeclared data source', mutate: (j) => Object.assign(j, { locals: { x: '${data.terraform_remote_state.other.outputs.y}' } }), address: 'locals', message: 'refers to data.terraform_remote_state.other' },
  { name: 'a reference inside a hand-written expression', mutate: configFile(`\${upper(${DECLARED_REFERENCE.slice(2, -1)})}`), address: synapseConfigMap, message: 'is not a reference to a resource' },
];

const openbaoNamespace = address(R.openbaoNamespace);
const sealKey = address(R.sealKey);
/** Removes `lifecycle.prevent_destroy` from a resource. */
function destroyable(resource: ResourceRef): Mutation {
  return (j) => void delete body(j, resource).lifecycle;
}

const SEC_07_CASES: FiringCase[] = [
  { name: 'the namespace holding the seal key can be destroyed', mutate: destroyable(R.openbaoNamespace), address: openbaoNamespace, message: 'namespace "matrix-openbao" holds OpenBao\'s seal key (Secret openbao-seal-key) and its data: lifecycle.prevent_destroy is not set' },
  { name: 'the same, without a site config (seal key found through the OpenBao release)', mutate: destroyable(R.openbaoNamespace), address: openbaoNamespace, message: 'lifecycle.prevent_destroy is not set', context: STANDALONE_CONTEXT },
  { name: 'prevent_destroy false on the namespace', mutate: (j) => (body(j, R.openbaoNamespace).lifecycle = { prevent_destroy: false }), address: openbaoNamespace, message: 'prevent_destroy is not set' },
  { name: 'the seal key\'s ExternalSecret can be destroyed', mutate: destroyable(R.sealKey), address: sealKey, message: 'ExternalSecret creating OpenBao\'s seal key matrix-openbao/openbao-seal-key: lifecycle.prevent_destroy is not set' },
  { name: 'the same, without a site config', mutate: destroyable(R.sealKey), address: sealKey, message: 'ExternalSecret creating OpenBao\'s seal key', context: STANDALONE_CONTEXT },
  {
    name: 'a seal key Secret written as a manifest, destroyable',
    mutate: (j) => void add(j, { type: 'kubernetes_manifest', name: 'seal_manifest' }, manifestResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openbao-seal-key', namespace: 'matrix-openbao' }, type: 'Opaque' }, false)),
    address: 'kubernetes_manifest.seal_manifest',
    message: 'Secret creating OpenBao\'s seal key matrix-openbao/openbao-seal-key',
  },
  {
    name: 'a seal key mounted from another Secret (found through the release), destroyable',
    mutate: (j) => {
      editHelmValues(j, R.openbaoRelease, (values) => {
        const volumes = nested(values, 'server').volumes as JsonObject[];
        const seal = volumes.find((volume) => volume.name === 'seal-key');
        if (seal) seal.secret = { secretName: 'other-seal', defaultMode: 256 };
      });
      const spec = manifestSpecOf(j, R.sealKey);
      child(spec, 'target').name = 'other-seal';
      delete body(j, R.sealKey).lifecycle;
    },
    address: sealKey,
    message: 'seal key matrix-openbao/other-seal',
    context: STANDALONE_CONTEXT,
  },
  {
    name: 'External Secrets uninstalled with its CRDs (every ExternalSecret deleted with them)',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => delete (nested(values, 'crds').annotations as JsonObject)['helm.sh/resource-policy']),
    address: address(R.externalSecretsRelease),
    message: 'uninstalling External Secrets deletes its CRDs',
  },
];

export const SEC_FIRING_CASES: CaseTable<FiringCase> = {
  'SEC-01': [
    {
      name: 'database password in the state backend block',
      mutate: (j) => Object.assign(j, { terraform: { ...(j.terraform ?? {}), backend: { pg: { conn_str: 'postgres://terraform:Winter2026@db.internal/state' } } } }),
      address: '$.terraform.backend.pg.conn_str',
      message: 'URL with embedded credentials',
    },
    {
      name: 'secret in a Terraform output',
      mutate: (j) => Object.assign(j, { output: { admin_token: { value: 'syt_YWRtaW4_AbCdEfGhIjKlMnOpQrSt_123456' } } }),
      address: '$.output.admin_token',
      message: /Synapse access token|secret-like key/,
    },
    {
      name: 'password literal in a ConfigMap file',
      mutate: (j) => add(j, { type: 'kubernetes_config_map_v1', name: 'leaky' }, { metadata: { name: 'leaky', namespace: HOMESERVER_NAMESPACE }, data: { 'ldap.yaml': 'uri: ldaps://ldap\nbind_password: Winter2026!\n' } }),
      address: 'resource.kubernetes_config_map_v1.leaky.data.ldap.yaml:2',
      message: 'secret-like key "bind_password" holds a literal value',
    },
    {
      name: 'token in an environment variable',
      mutate: (j) => ((containerOf(j, R.synapseDeployment).env = [{ name: 'ADMIN_TOKEN', value: 'tok-not-a-path' }]), undefined),
      address: 'env[0]',
      message: /secret-like key|high-entropy|literal/,
    },
    {
      name: 'PEM private key in a Secret data block',
      mutate: (j) => add(j, { type: 'kubernetes_secret_v1', name: 'tls' }, { metadata: { name: 'tls', namespace: HOMESERVER_NAMESPACE }, data: { 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n' } }),
      address: 'resource.kubernetes_secret_v1.tls.data',
      message: 'PEM private key',
    },
    {
      name: 'random key material in an annotation',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['note'] = 'k7Qz9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0Gc'),
      address: 'labels.note',
      message: 'high-entropy token',
    },
    {
      name: 'credentials in a connection URL',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['db'] = 'postgres://synapse:hunter2@postgres/synapse'),
      address: 'labels.db',
      message: 'URL with embedded credentials',
    },
    ...SEC_01_SOURCE_CASES,
  ],
  'SEC-02': SEC_02_CASES,
  'SEC-03': SEC_03_CASES,
  'SEC-04': SEC_04_CASES,
  'SEC-05': SEC_05_CASES,
  'SEC-06': SEC_06_CASES,
  'SEC-07': SEC_07_CASES,
};

export const SEC_NEAR_MISSES: CaseTable<NearMiss> = {
  'SEC-01': [
    { name: 'a *_path option pointing at a mounted file', mutate: (j) => (labelsOf(j, R.synapseDeployment)['bind_password_file'] = '/secrets/ldap/password') },
    { name: 'a cdktf reference', mutate: (j) => (labelsOf(j, R.synapseDeployment)['token'] = '${kubernetes_service_account_v1.synapse_service-account.metadata[0].name}') },
    { name: 'an image digest', mutate: (j) => (labelsOf(j, R.synapseDeployment)['image'] = SYNAPSE_IMAGE) },
    { name: 'kubernetes_secret_v1 without data (filled in-cluster)', mutate: (j) => void add(j, { type: 'kubernetes_secret_v1', name: 'placeholder' }, { metadata: { name: 'placeholder', namespace: HOMESERVER_NAMESPACE }, type: 'Opaque' }) },
    { name: 'kubernetes_secret_v1 with empty data', mutate: (j) => void add(j, { type: 'kubernetes_secret_v1', name: 'placeholder' }, { data: {}, metadata: { name: 'placeholder', namespace: HOMESERVER_NAMESPACE } }) },
    { name: 'helm_release with a plain set entry', mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'replicaCount', value: '1' }]) },
    { name: 'ephemeral random_password (never in state)', mutate: (j) => Object.assign(j, { ephemeral: { random_password: { seed: { length: 32 } } } }) },
    {
      name: 'ConfigMap manifest with data (not a Secret)',
      mutate: (j) => void add(j, { type: 'kubernetes_manifest', name: 'configmap_manifest' }, manifestResource({ apiVersion: 'v1', kind: 'ConfigMap', data: { 'ca.crt': 'see trust-manager' }, metadata: { name: 'ca', namespace: HOMESERVER_NAMESPACE } }, false)),
    },
  ],
  'SEC-02': [
    { name: 'serviceAccountRef.namespace is the store\'s own', mutate: (j) => (child(storeAuth(j, R.secretStore), 'serviceAccountRef').namespace = HOMESERVER_NAMESPACE) },
    { name: 'same store name in two namespaces (fixture)', mutate: () => undefined },
    { name: 'ExternalSecret from a generator only (no store reference)', mutate: (j) => void makeGeneratedOnce(j) },
    {
      name: 'another chart without the external-secrets switches',
      mutate: (j) =>
        void add(
          j,
          { type: 'helm_release', name: 'chart-cert-manager_release' },
          helmRelease('cert-manager', 'https://charts.jetstack.io', 'v1.21.2', 'matrix-cert-manager', { crds: { enabled: true }, image: { repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.21.2', digest: CERT_MANAGER_DIGEST } }),
        ),
    },
    { name: 'switch kept off by a set entry', mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'processClusterStore', value: 'false' }]) },
  ],
  'SEC-03': [
    { name: 'Periodic refreshInterval 24h', mutate: (j) => (esSpec(j).refreshInterval = '24h') },
    { name: 'Periodic refreshInterval 1h30m', mutate: (j) => (esSpec(j).refreshInterval = '1h30m') },
    { name: 'CreatedOnce for generated, immutable data', mutate: (j) => void makeGeneratedOnce(j) },
    { name: 'PushSecret refreshInterval 24h', mutate: (j) => (pushSpec(j).refreshInterval = '24h') },
    { name: 'leaf Certificate of exactly 397 days', mutate: (j) => (certSpec(j).duration = '9528h') },
    {
      name: 'CA Certificate keeping its key (Never), 10 years',
      mutate: (j) => Object.assign(certSpec(j), { isCA: true, duration: '87600h', renewBefore: '17520h', privateKey: { algorithm: 'ECDSA', encoding: 'PKCS8', rotationPolicy: 'Never', size: 384 } }),
    },
  ],
  'SEC-04': [
    { name: 'flag inside a shell command', mutate: (j) => (containerOf(j, R.synapseDeployment).command = ['/bin/sh', '-c', 'exec python -m synapse.app.homeserver --config-path /config/homeserver.yaml --no-secrets-in-config']) },
    { name: 'worker app in args with the flag', mutate: (j) => Object.assign(containerOf(j, R.synapseDeployment), { command: ['python'], args: ['-m', 'synapse.app.generic_worker', '--config-path', '/config/homeserver.yaml', '--no-secrets-in-config'] }) },
    {
      name: 'init container on the Synapse image running another command',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        Object.assign(init, { name: 'pgpass', command: ['install', '-m', '0600', '/secrets/database/pgpass', '/run/secrets/pgpass'] });
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
    },
    { name: 'turn_shared_secret_path (a file)', mutate: setInline('turn_shared_secret_path', '/secrets/turn/shared-secret') },
    { name: 'a YAML file that is not a Synapse config', mutate: (j) => (child(body(j, R.synapseConfig), 'data')['formatters.yaml'] = 'version: 1\nformatters:\n  precise:\n    format: "%(asctime)s %(message)s"\n') },
  ],
  'SEC-05': [
    { name: 'env from a config_map_key_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env = [{ name: 'SYNAPSE_CONFIG_DIR', value_from: { config_map_key_ref: { key: 'dir', name: 'synapse-config' } } }]) },
    { name: 'env_from a config_map_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env_from = [{ config_map_ref: { name: 'synapse-config' } }]) },
    { name: 'env from a field_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env = [{ name: 'POD_NAME', value_from: { field_ref: { field_path: 'metadata.name' } } }]) },
  ],
  'SEC-06': [
    { name: 'an escaped interpolation', mutate: configFile('name="$${file#policy.}"; $${x}') },
    { name: 'an escaped directive', mutate: configFile('%%{ if }') },
    { name: 'a lone $ and %', mutate: configFile('cost: 5$ or 10% {of it}') },
    { name: 'an author\'s escape of an escape', mutate: configFile('$$${x}') },
    { name: 'a reference to a declared resource', mutate: configFile(DECLARED_REFERENCE) },
    { name: 'a declared reference inside literal text', mutate: configFile(`host=${DECLARED_REFERENCE}.svc`) },
    { name: 'Go template braces', mutate: configFile('{{ .password }}') },
    { name: 'template syntax in the terraform block (not a template)', mutate: (j) => Object.assign(j, { terraform: { ...(j.terraform ?? {}), backend: { local: { path: 'state/${x}.tfstate' } } } }) },
    { name: 'template syntax in a comment', mutate: (j) => (body(j, R.synapseConfig)['//'] = { note: '${x}' }) },
    { name: 'template syntax in a variable default', mutate: (j) => Object.assign(j, { variable: { v: { type: 'string', default: '${x}', description: '%{ if }' } } }) },
    { name: 'depends_on a declared resource', mutate: (j) => (body(j, R.synapseConfig).depends_on = ['kubernetes_namespace_v1.homeserver_namespace']) },
  ],
  'SEC-07': [
    { name: 'an ExternalSecret of another Secret in the OpenBao namespace, destroyable', mutate: (j) => void (child(manifestSpecOf(j, R.sealKey), 'target').name = 'openbao-scratch', delete body(j, R.sealKey).lifecycle) },
    { name: 'a seal key of the same name in another namespace, destroyable', mutate: (j) => void ((body(j, R.openbaoNamespace).metadata as JsonObject).name = 'matrix-scratch', delete body(j, R.openbaoNamespace).lifecycle), context: STANDALONE_CONTEXT },
    { name: 'prevent_destroy on a namespace that holds no seal key', mutate: (j) => (body(j, R.homeserverNamespace).lifecycle = { prevent_destroy: true }) },
    { name: 'External Secrets without CRDs of its own (installed by the site, not uninstalled with the release)', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => void ((values as JsonObject).installCRDs = false, delete (nested(values, 'crds').annotations as JsonObject)['helm.sh/resource-policy'])) },
  ],
};
