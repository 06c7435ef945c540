/**
 * The violation table: for every rule, mutations of the compliant fixture that must make it fire
 * (one per condition it checks), and near misses that must not.
 */
import type { AuditContext } from '../../policies/rule';
import { blocks, isObject, type JsonObject, type JsonValue, type TerraformJson } from '../../policies/terraform-json';
import {
  add,
  address,
  body,
  child,
  claimVolume,
  containerAddress,
  containerOf,
  copy,
  editConfigFile,
  editHelmValues,
  emptyDirVolume,
  CERT_MANAGER_DIGEST,
  EXTERNAL_SECRETS_IMAGE,
  GATEWAY_NAMESPACE,
  GENERATION_NAMESPACE,
  helmRelease,
  HOMESERVER_NAMESPACE,
  ipBlockOf,
  labelsOf,
  manifestResource,
  manifestSpecOf,
  metadataBlock,
  podSecurityContextOf,
  podSpecOf,
  R,
  remove,
  requiredProviders,
  ruleOf,
  securityContextOf,
  specOf,
  secretStore,
  STANDALONE_CONTEXT,
  SYNAPSE_COMMAND,
  SYNAPSE_IMAGE,
  volumeList,
  volumeOf,
  type Mutation,
  type ResourceRef,
} from './fixtures';

export interface FiringCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** Substring of the violation address (names the offending resource). */
  readonly address: string;
  /** Substring of, or pattern for, the violation message. */
  readonly message: string | RegExp;
  /** Defaults to CONFIG_CONTEXT. */
  readonly context?: AuditContext;
}

export interface NearMiss {
  readonly name: string;
  readonly mutate: Mutation;
  readonly context?: AuditContext;
}

const hsNamespace = address(R.homeserverNamespace);
const synapse = address(R.synapseDeployment);
const postgres = address(R.postgresStatefulSet);
const synapseContainer = containerAddress(R.synapseDeployment, 'synapse');
const postgresContainer = containerAddress(R.postgresStatefulSet, 'postgres');

function setLabel(json: TerraformJson, resource: ResourceRef, key: string, value: string | undefined): void {
  const labels = labelsOf(json, resource);
  if (value === undefined) delete labels[key];
  else labels[key] = value;
}

/** A second Synapse-like deployment named `name` in `namespace` mounting `claim`. */
function addClaimUser(json: TerraformJson, name: string, namespace: ResourceRef, claim: string): ResourceRef {
  const clone = copy(body(json, R.synapseDeployment));
  child(clone, 'metadata').name = name;
  child(clone, 'metadata').namespace = `\${${address(namespace)}.metadata[0].name}`;
  child(clone, 'spec', 'template', 'spec').volume = [emptyDirVolume('tmp', '512Mi'), claimVolume('media', claim)];
  return add(json, { type: 'kubernetes_deployment_v1', name: `${name}_workload` }, clone);
}

// ---------------------------------------------------------------- secret management (SEC-01..05, IMG on helm_release)

const store = address(R.secretStore);
const externalSecret = address(R.externalSecret);
const pushSecret = address(R.pushSecret);
const certificate = address(R.synapseCertificate);
const esoRelease = address(R.externalSecretsRelease);
const synapseConfigFile = `${address(R.synapseConfig)} data "homeserver.yaml"`;

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
function nested(config: JsonObject, ...keys: string[]): JsonObject {
  let current = config;
  for (const key of keys) {
    const next = current[key];
    current = isObject(next) ? next : (current[key] = {});
  }
  return current;
}
function esoImage(values: JsonObject, ...path: string[]): JsonObject {
  return nested(values, ...path, 'image');
}
const ESO_DIGEST = EXTERNAL_SECRETS_IMAGE.tag.split('@')[1] ?? '';
const GENERATOR_TYPES = ['random_password', 'random_string', 'random_bytes', 'tls_private_key', 'tls_self_signed_cert', 'tls_locally_signed_cert'];
const CLUSTER_SWITCHES = ['processClusterStore', 'crds.createClusterSecretStore', 'processClusterExternalSecret', 'crds.createClusterExternalSecret', 'processClusterPushSecret', 'crds.createClusterPushSecret', 'processClusterGenerator', 'crds.createClusterGenerator'];
const INLINE_KEYS = ['macaroon_secret_key', 'form_secret', 'registration_shared_secret', 'worker_replication_secret', 'signing_key', 'turn_shared_secret', 'recaptcha_private_key'];
/** Deletes a dotted values path. */
function unsetValue(values: JsonObject, path: string): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  delete nested(values, ...keys)[last];
}
/** A secret placeholder value: a reference, so that only the rule under test (not the literal scan) has something to say. */
const REFERENCE = '${var.not_a_literal}';

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

const IMG_01_HELM_CASES: FiringCase[] = [
  { name: 'chart image by tag only', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).tag = 'v2.10.0')), address: `${esoRelease} values.image`, message: 'must be pinned by digest' },
  {
    name: 'nested chart image by tag only',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values, 'webhook').tag = 'v2.10.0')),
    address: `${esoRelease} values.webhook.image`,
    message: 'image "ghcr.io/external-secrets/external-secrets:v2.10.0" must be pinned by digest',
  },
  {
    name: 'chart image with an uppercase digest key',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values, 'certController'), { tag: 'v2.10.0', digest: ESO_DIGEST.toUpperCase().replace('SHA256', 'sha256') })),
    address: `${esoRelease} values.certController.image`,
    message: 'must have the form',
  },
  {
    name: 'chart image with a repository only (chart default tag)',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => delete esoImage(values).tag),
    address: `${esoRelease} values.image`,
    message: 'image "ghcr.io/external-secrets/external-secrets" must be pinned by digest',
  },
  {
    name: 'chart image in a list',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (values.extraContainers = [{ name: 'sidecar', image: { repository: 'ghcr.io/example/sidecar', tag: '1.0' } }])),
    address: `${esoRelease} values.extraContainers[0].image`,
    message: 'must be pinned by digest',
  },
  {
    name: 'digest replaced by a set entry',
    mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'image.tag', value: 'v2.10.0' }]),
    address: `${esoRelease} values.image`,
    message: 'must be pinned by digest',
  },
  { name: 'values not valid YAML', mutate: (j) => (body(j, R.externalSecretsRelease).values = ['image: [unclosed\n']), address: esoRelease, message: 'values[0] is not valid YAML' },
  {
    name: 'values not a mapping (opaque expression)',
    mutate: (j) => (body(j, R.externalSecretsRelease).values = ['${file("values.yaml")}']),
    address: esoRelease,
    message: 'values[0] is not a YAML mapping',
  },
];

const IMG_02_HELM_CASES: FiringCase[] = [
  {
    name: 'chart image from a registry not allowlisted',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets')),
    address: `${esoRelease} values.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets:v2.10.0@sha256:',
  },
  {
    name: 'chart image registry key not allowlisted',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values, 'webhook'), { registry: 'registry.example.org', repository: 'external-secrets/external-secrets' })),
    address: `${esoRelease} values.webhook.image`,
    message: 'registry of "registry.example.org/external-secrets/external-secrets',
  },
  {
    name: 'chart image without registry host (standalone)',
    mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'external-secrets/external-secrets')),
    context: STANDALONE_CONTEXT,
    address: `${esoRelease} values.image`,
    message: 'is not allowlisted (no registry host named)',
  },
];

const IMG_03_HELM_CASES: FiringCase[] = [
  { name: 'chart version range', mutate: (j) => (body(j, R.externalSecretsRelease).version = '~2.10'), address: esoRelease, message: 'chart version "~2.10" is not an exact version' },
  { name: 'chart version absent', mutate: (j) => delete body(j, R.externalSecretsRelease).version, address: esoRelease, message: 'chart version null is not an exact version' },
  { name: 'chart version with two parts', mutate: (j) => (body(j, R.externalSecretsRelease).version = '2.10'), address: esoRelease, message: 'chart version "2.10" is not an exact version' },
  { name: 'chart version "latest"', mutate: (j) => (body(j, R.externalSecretsRelease).version = 'latest'), address: esoRelease, message: 'chart version "latest"' },
  { name: 'http:// repository', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'http://charts.external-secrets.io'), address: esoRelease, message: 'repository "http://charts.external-secrets.io" is not an https:// or oci:// URL' },
  { name: 'no repository, chart by name', mutate: (j) => delete body(j, R.externalSecretsRelease).repository, address: esoRelease, message: 'chart "external-secrets" has no repository and is not an oci:// reference' },
  {
    name: 'no repository, local chart path',
    mutate: (j) => {
      delete body(j, R.externalSecretsRelease).repository;
      body(j, R.externalSecretsRelease).chart = './charts/external-secrets';
    },
    address: esoRelease,
    message: 'chart "./charts/external-secrets" has no repository',
  },
  { name: 'repository not allowlisted', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'), address: esoRelease, message: 'repository "https://charts.example.org" is not in platform.charts.allowedRepositories' },
  {
    name: 'oci:// chart not allowlisted',
    mutate: (j) => {
      delete body(j, R.externalSecretsRelease).repository;
      body(j, R.externalSecretsRelease).chart = 'oci://ghcr.io/external-secrets/charts/external-secrets';
    },
    address: esoRelease,
    message: 'repository "oci://ghcr.io/external-secrets/charts" is not in platform.charts.allowedRepositories',
  },
  { name: 'devel true', mutate: (j) => (body(j, R.externalSecretsRelease).devel = true), address: esoRelease, message: 'devel is true' },
];

const SEC_NEAR_MISSES: Readonly<Record<string, readonly NearMiss[]>> = {
  'SEC-01': [
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
    { name: 'registration_shared_secret_path (a file)', mutate: setInline('registration_shared_secret_path', '/secrets/keys/registration') },
    { name: 'a YAML file that is not a Synapse config', mutate: (j) => (child(body(j, R.synapseConfig), 'data')['log.yaml'] = 'version: 1\nformatters:\n  precise:\n    format: "%(asctime)s %(message)s"\n') },
  ],
  'SEC-05': [
    { name: 'env from a config_map_key_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env = [{ name: 'SYNAPSE_CONFIG_DIR', value_from: { config_map_key_ref: { key: 'dir', name: 'synapse-config' } } }]) },
    { name: 'env_from a config_map_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env_from = [{ config_map_ref: { name: 'synapse-config' } }]) },
    { name: 'env from a field_ref', mutate: (j) => (containerOf(j, R.synapseDeployment).env = [{ name: 'POD_NAME', value_from: { field_ref: { field_path: 'metadata.name' } } }]) },
  ],
};

const IMG_HELM_NEAR_MISSES: Readonly<Record<string, readonly NearMiss[]>> = {
  'IMG-01': [
    { name: 'chart image as registry + repository + tag + digest keys', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { registry: 'ghcr.io', repository: 'external-secrets/external-secrets', tag: 'v2.10.0', digest: ESO_DIGEST })) },
    { name: 'chart image by digest without tag', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { tag: '', digest: ESO_DIGEST })) },
  ],
  'IMG-02': [
    { name: 'chart image registry given as a registry key', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => Object.assign(esoImage(values), { registry: 'quay.io', repository: 'external-secrets/external-secrets' })) },
    { name: 'chart image from any explicit registry without config', mutate: (j) => editHelmValues(j, R.externalSecretsRelease, (values) => (esoImage(values).repository = 'registry.example.org/external-secrets/external-secrets')), context: STANDALONE_CONTEXT },
  ],
  'IMG-03': [
    { name: 'chart version without the v prefix ("2.10.0", fixture) or with it', mutate: (j) => (body(j, R.externalSecretsRelease).version = 'v2.10.0') },
    { name: 'allowlisted repository with a trailing slash', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.external-secrets.io/') },
    { name: 'devel false explicitly (fixture) or absent', mutate: (j) => delete body(j, R.externalSecretsRelease).devel },
    {
      name: 'oci:// chart without repository (standalone)',
      mutate: (j) => {
        delete body(j, R.externalSecretsRelease).repository;
        body(j, R.externalSecretsRelease).chart = 'oci://ghcr.io/external-secrets/charts/external-secrets';
      },
      context: STANDALONE_CONTEXT,
    },
    { name: 'repository not allowlisted without config', mutate: (j) => (body(j, R.externalSecretsRelease).repository = 'https://charts.example.org'), context: STANDALONE_CONTEXT },
  ],
};

export const FIRING_CASES: Readonly<Record<string, readonly FiringCase[]>> = {
  // ---------------------------------------------------------------- POD
  'POD-01': [
    { name: 'enforce=baseline', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce', 'baseline'), address: hsNamespace, message: 'enforce=baseline' },
    { name: 'enforce-version "latest"', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/enforce-version', 'latest'), address: hsNamespace, message: 'enforce-version=latest (must be pinned)' },
    { name: 'audit label absent', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/audit', undefined), address: hsNamespace, message: 'audit=(absent)' },
    { name: 'warn-version absent', mutate: (j) => setLabel(j, R.homeserverNamespace, 'pod-security.kubernetes.io/warn-version', undefined), address: hsNamespace, message: 'warn-version=(absent)' },
    { name: 'no labels at all', mutate: (j) => delete metadataBlock(j, R.gatewayNamespace).labels, address: address(R.gatewayNamespace), message: /enforce=\(absent\).*audit=\(absent\).*warn=\(absent\)/ },
  ],
  'POD-02': [
    { name: 'pod run_as_non_root false', mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_non_root = false), address: synapse, message: 'pod security_context.run_as_non_root is not true' },
    { name: 'pod run_as_user 0', mutate: (j) => (podSecurityContextOf(j, R.synapseDeployment).run_as_user = '0'), address: synapse, message: 'explicit non-zero run_as_user and run_as_group' },
    { name: 'pod run_as_group absent', mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).run_as_group, address: postgres, message: 'explicit non-zero run_as_user and run_as_group' },
    { name: 'pod security_context absent', mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).security_context, address: postgres, message: 'run_as_non_root is not true' },
    { name: 'container run_as_non_root false', mutate: (j) => (securityContextOf(j, R.synapseDeployment).run_as_non_root = false), address: synapseContainer, message: 'run_as_non_root is false' },
    { name: 'container run_as_user 0', mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).run_as_user = 0), address: postgresContainer, message: 'run_as_user must be non-zero' },
  ],
  'POD-03': [
    { name: 'allow_privilege_escalation absent', mutate: (j) => delete securityContextOf(j, R.synapseDeployment).allow_privilege_escalation, address: synapseContainer, message: 'allow_privilege_escalation is not explicitly false' },
    { name: 'allow_privilege_escalation true', mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).allow_privilege_escalation = true), address: postgresContainer, message: 'allow_privilege_escalation is not explicitly false' },
    {
      name: 'init container without the flag',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        init.name = 'migrate';
        delete child(init, 'security_context').allow_privilege_escalation;
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
      address: containerAddress(R.synapseDeployment, 'migrate'),
      message: 'allow_privilege_escalation is not explicitly false',
    },
  ],
  'POD-04': [
    { name: 'drop without ALL', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').drop = ['NET_RAW']), address: synapseContainer, message: 'capabilities.drop does not contain "ALL"' },
    { name: 'capabilities absent', mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).capabilities, address: postgresContainer, message: 'capabilities.drop does not contain "ALL"' },
    { name: 'add NET_ADMIN', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'capabilities').add = ['NET_ADMIN']), address: synapseContainer, message: 'capabilities.add is not empty (NET_ADMIN)' },
  ],
  'POD-05': [
    { name: 'pod seccomp Unconfined', mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'), address: synapse, message: 'pod seccomp_profile.type is "Unconfined"' },
    { name: 'pod seccomp absent', mutate: (j) => delete podSecurityContextOf(j, R.postgresStatefulSet).seccomp_profile, address: postgres, message: 'pod seccomp_profile.type is null' },
    { name: 'container seccomp Unconfined', mutate: (j) => (child(securityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Unconfined'), address: synapseContainer, message: 'seccomp_profile.type is "Unconfined"' },
  ],
  'POD-06': [
    { name: 'host_network true', mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_network = true), address: synapse, message: 'host_network is not explicitly false' },
    { name: 'host_pid absent', mutate: (j) => delete podSpecOf(j, R.postgresStatefulSet).host_pid, address: postgres, message: 'host_pid is not explicitly false' },
    { name: 'host_ipc true', mutate: (j) => (podSpecOf(j, R.synapseDeployment).host_ipc = true), address: synapse, message: 'host_ipc is not explicitly false' },
    { name: 'privileged true', mutate: (j) => (securityContextOf(j, R.synapseDeployment).privileged = true), address: synapseContainer, message: 'privileged is true' },
    { name: 'host_port set', mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'port').host_port = 5432), address: postgresContainer, message: 'host_port 5432 is set' },
  ],
  'POD-07': [
    { name: 'host_path volume', mutate: (j) => volumeList(j, R.synapseDeployment).push({ host_path: { path: '/var/run' }, name: 'host' }), address: `${synapse} volume "host"`, message: 'volume type host_path is not allowed' },
    { name: 'nfs volume', mutate: (j) => volumeList(j, R.postgresStatefulSet).push({ name: 'share', nfs: [{ path: '/export', server: 'nas' }] }), address: `${postgres} volume "share"`, message: 'volume type nfs is not allowed' },
  ],
  'POD-08': [
    { name: 'read_only_root_filesystem false', mutate: (j) => (securityContextOf(j, R.synapseDeployment).read_only_root_filesystem = false), address: synapseContainer, message: 'read_only_root_filesystem is not true' },
    { name: 'read_only_root_filesystem absent', mutate: (j) => delete securityContextOf(j, R.postgresStatefulSet).read_only_root_filesystem, address: postgresContainer, message: 'read_only_root_filesystem is not true' },
    { name: 'emptyDir without size_limit', mutate: (j) => delete child(volumeOf(j, R.synapseDeployment, 'tmp'), 'empty_dir').size_limit, address: `${synapse} volume "tmp"`, message: 'emptyDir has no size_limit' },
    { name: 'emptyDir with a malformed size_limit', mutate: (j) => (child(volumeOf(j, R.postgresStatefulSet, 'run'), 'empty_dir').size_limit = 'lots'), address: `${postgres} volume "run"`, message: 'emptyDir has no size_limit' },
  ],
  'POD-09': [
    { name: 'deployment without namespace', mutate: (j) => delete metadataBlock(j, R.synapseDeployment).namespace, address: synapse, message: 'namespace is "(absent = default)"' },
    { name: 'service in "default"', mutate: (j) => (metadataBlock(j, R.synapseService).namespace = 'default'), address: address(R.synapseService), message: 'namespace is "default"' },
    { name: 'service account with empty namespace', mutate: (j) => (metadataBlock(j, R.postgresAccount).namespace = ''), address: address(R.postgresAccount), message: 'namespace is ""' },
  ],

  // ---------------------------------------------------------------- NET
  'NET-01': [
    { name: 'default deny removed', mutate: (j) => remove(j, R.homeserverDefaultDeny), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy for both ingress and egress' },
    { name: 'default deny covers ingress only', mutate: (j) => (specOf(j, R.gatewayDefaultDeny).policy_types = ['Ingress']), address: `namespace "${GATEWAY_NAMESPACE}"`, message: 'no default-deny policy' },
    { name: 'default deny selects some pods only', mutate: (j) => (specOf(j, R.homeserverDefaultDeny).pod_selector = { match_labels: { 'matrix.sovereign/workload': 'synapse' } }), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy' },
    { name: 'default deny has an allow rule', mutate: (j) => (specOf(j, R.homeserverDefaultDeny).egress = [copy(ruleOf(j, R.homeserverDns, 'egress'))]), address: `namespace "${HOMESERVER_NAMESPACE}"`, message: 'no default-deny policy' },
  ],
  'NET-02': [
    { name: 'DNS baseline removed', mutate: (j) => remove(j, R.gatewayDns), address: `namespace "${GATEWAY_NAMESPACE}"`, message: 'no DNS-only baseline egress policy' },
    { name: 'namespace-wide egress on port 443', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ port: '443', protocol: 'TCP' }]), address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS to selected resolver pods' },
    { name: 'namespace-wide DNS to an address block', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').to = [{ ip_block: { cidr: '10.96.0.10/32', except: [] } }]), address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS' },
    {
      name: 'namespace-wide port range starting at 53',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 65535, port: '53', protocol: 'TCP' }]),
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS',
    },
    { name: 'namespace-wide DNS without ports', mutate: (j) => delete ruleOf(j, R.homeserverDns, 'egress').ports, address: address(R.homeserverDns), message: 'namespace-wide egress rule other than DNS' },
    { name: 'namespace-wide ingress allow', mutate: (j) => (specOf(j, R.gatewayDns).ingress = [copy(ruleOf(j, R.synapseIngress, 'ingress'))]), address: address(R.gatewayDns), message: 'namespace-wide ingress allow rule' },
  ],
  'NET-03': [
    { name: 'empty namespace selector', mutate: (j) => (child(ruleOf(j, R.synapseIngress, 'ingress'), 'from', 'namespace_selector').match_labels = {}), address: address(R.synapseIngress), message: 'ingress: peer without a namespace selector label' },
    { name: 'pod selector absent', mutate: (j) => delete child(ruleOf(j, R.synapseIngress, 'ingress'), 'from').pod_selector, address: address(R.synapseIngress), message: 'ingress: peer without a pod selector label' },
    { name: 'egress peer with empty selectors', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').to = [{ namespace_selector: { match_labels: {} }, pod_selector: { match_labels: {} } }]), address: address(R.homeserverDns), message: 'egress: peer without a namespace selector label' },
    { name: 'ingress rule without peers', mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = []), address: address(R.synapseIngress), message: 'ingress rule without peers allows every source/destination' },
    { name: '0.0.0.0/0 ingress outside the gateway', mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }]), address: address(R.synapseIngress), message: 'ingress from 0.0.0.0/0 outside the gateway compartment' },
    { name: 'gateway namespace loses its compartment label', mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined), address: address(R.haproxyIngress), message: 'ingress from 0.0.0.0/0 outside the gateway compartment' },
    { name: '0.0.0.0/0 egress without except', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = []), address: address(R.synapseFederation), message: 'egress to 0.0.0.0/0 without excluded ranges' },
    { name: '::/0 egress with except absent', mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0' } }]), address: address(R.synapseFederation), message: 'egress to ::/0 without excluded ranges' },
  ],
  'NET-06': [
    { name: 'LoadBalancer outside the gateway', mutate: (j) => (specOf(j, R.synapseService).type = 'LoadBalancer'), address: address(R.synapseService), message: 'type LoadBalancer in compartment homeserver' },
    { name: 'NodePort outside the gateway', mutate: (j) => (specOf(j, R.synapseService).type = 'NodePort'), address: address(R.synapseService), message: 'type NodePort in compartment homeserver' },
    { name: 'ExternalName even in the gateway', mutate: (j) => (specOf(j, R.haproxyService).type = 'ExternalName'), address: address(R.haproxyService), message: 'type ExternalName in compartment gateway' },
    { name: 'LoadBalancer in a namespace without compartment label', mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined), address: address(R.haproxyService), message: 'type LoadBalancer in compartment (unknown)' },
    { name: 'external_ips on a ClusterIP service', mutate: (j) => (specOf(j, R.synapseService).external_ips = ['203.0.113.10']), address: address(R.synapseService), message: 'external_ips set' },
  ],
  'NET-07': [
    {
      name: 'metadata endpoint not excluded (standalone)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['10.0.0.0/8']),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to 0.0.0.0/0 does not exclude 169.254.169.254/32',
    },
    {
      name: 'IPv6 metadata endpoint not excluded (standalone)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0', except: ['2001:db8::/32'] } }]),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to ::/0 does not exclude fd00:ec2::254/128',
    },
    {
      name: 'pod CIDR not excluded (config)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.96.0.0/12', '192.168.0.0/16']),
      address: address(R.synapseFederation),
      message: /does not exclude 10\.244\.0\.0\/16$/,
    },
    {
      name: 'internal range containing cluster ranges (config)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '10.0.0.0/8', except: [] } }]),
      address: address(R.synapseFederation),
      message: 'egress to 10.0.0.0/8 does not exclude 10.244.0.0/16, 10.96.0.0/12',
    },
    { name: 'invalid CIDR', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').cidr = '0.0.0.0/33'), address: address(R.synapseFederation), message: 'invalid CIDR 0.0.0.0/33' },
  ],

  // ---------------------------------------------------------------- RBAC
  'RBAC-01': [
    { name: 'service_account_name absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).service_account_name, address: synapse, message: 'service_account_name is "(absent = default)"' },
    { name: 'service_account_name "default"', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).service_account_name = 'default'), address: postgres, message: 'service_account_name is "default"' },
    { name: 'service_account_name empty', mutate: (j) => (podSpecOf(j, R.synapseDeployment).service_account_name = ''), address: synapse, message: 'service_account_name is ""' },
  ],
  'RBAC-02': [
    { name: 'pod automount absent', mutate: (j) => delete podSpecOf(j, R.synapseDeployment).automount_service_account_token, address: synapse, message: 'pod automount_service_account_token is not false' },
    { name: 'pod automount true', mutate: (j) => (podSpecOf(j, R.postgresStatefulSet).automount_service_account_token = true), address: postgres, message: 'pod automount_service_account_token is not false' },
    { name: 'service account automount absent', mutate: (j) => delete body(j, R.synapseAccount).automount_service_account_token, address: address(R.synapseAccount), message: 'automount_service_account_token is not false' },
    { name: 'default service account automount true', mutate: (j) => (body(j, R.gatewayDefaultAccount).automount_service_account_token = true), address: address(R.gatewayDefaultAccount), message: 'automount_service_account_token is not false' },
    {
      name: 'default service account not managed',
      mutate: (j) => remove(j, R.homeserverDefaultAccount),
      address: hsNamespace,
      message: `the default service account of "${HOMESERVER_NAMESPACE}" is not managed with automount false`,
    },
  ],

  // ---------------------------------------------------------------- IMG
  'IMG-01': [
    { name: 'tag-only image', mutate: (j) => (containerOf(j, R.synapseDeployment).image = 'ghcr.io/element-hq/synapse:v1.159.0'), address: synapseContainer, message: 'must be pinned by digest' },
    { name: 'Docker Hub shorthand', mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = `library/postgres@${SYNAPSE_IMAGE.split('@')[1] ?? ''}`), address: postgresContainer, message: 'must name its registry explicitly' },
    { name: 'uppercase digest', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace(/sha256:([a-f0-9]+)/, (_match, hex: string) => `sha256:${hex.toUpperCase()}`)), address: synapseContainer, message: 'must have the form' },
    { name: 'image absent', mutate: (j) => delete containerOf(j, R.synapseDeployment).image, address: synapseContainer, message: 'image "" must be pinned by digest' },
    ...IMG_01_HELM_CASES,
  ],
  'IMG-02': [
    { name: 'registry not allowlisted', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'registry.example.org')), address: synapseContainer, message: 'registry of "registry.example.org/element-hq/synapse' },
    {
      name: 'no explicit registry (standalone)',
      mutate: (j) => (containerOf(j, R.postgresStatefulSet).image = 'postgres:17'),
      context: STANDALONE_CONTEXT,
      address: postgresContainer,
      message: 'registry of "postgres:17" is not allowlisted',
    },
    ...IMG_02_HELM_CASES,
  ],
  'IMG-03': [
    { name: 'version "~> 2.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '~> 2.0'), address: 'terraform.required_providers.kubernetes', message: 'version "~> 2.0" is not exact' },
    { name: 'version absent', mutate: (j) => delete child(requiredProviders(j), 'kubernetes').version, address: 'terraform.required_providers.kubernetes', message: 'version null is not exact' },
    { name: 'short source "kubernetes"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').source = 'kubernetes'), address: 'terraform.required_providers.kubernetes', message: 'source "kubernetes" is not a full host/namespace/name address' },
    { name: 'namespace/name source', mutate: (j) => (requiredProviders(j).helm = { source: 'hashicorp/helm', version: '2.17.0' }), address: 'terraform.required_providers.helm', message: 'source "hashicorp/helm" is not a full' },
    { name: 'bare version string', mutate: (j) => (requiredProviders(j).kubernetes = '2.38.0'), address: 'terraform.required_providers.kubernetes', message: 'not an object with source and version' },
    ...IMG_03_HELM_CASES,
  ],

  'NET-04': [
    {
      name: 'directory reachable from the gateway',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'directory'),
      address: address(R.synapseIngress),
      message: 'ingress from gateway/haproxy (only homeserver/synapse may connect)',
    },
  ],
  'NET-05': [
    {
      name: 'media reachable from the directory',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        child(blocks(ruleOf(j, R.synapseIngress, 'ingress').from)[0]!, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] = 'agency-directory';
      },
      address: address(R.synapseIngress),
      message: 'ingress from directory (only gateway and homeserver may connect)',
    },
    {
      name: 'media reachable from the gateway on a non-HTTP port',
      mutate: (j) => {
        labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media';
        ruleOf(j, R.synapseIngress, 'ingress').ports = [{ port: '9000', protocol: 'TCP' }];
      },
      address: address(R.synapseIngress),
      message: 'ingress from gateway on ports [9000]',
    },
  ],
  // ---------------------------------------------------------------- SEC
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

  // ---------------------------------------------------------------- RES
  'RES-01': [
    { name: 'limits.memory absent', mutate: (j) => delete child(containerOf(j, R.synapseDeployment), 'resources', 'limits').memory, address: synapseContainer, message: 'missing limits.memory' },
    { name: 'requests.cpu empty', mutate: (j) => (child(containerOf(j, R.postgresStatefulSet), 'resources', 'requests').cpu = ''), address: postgresContainer, message: 'missing requests.cpu' },
    { name: 'resources absent', mutate: (j) => delete containerOf(j, R.synapseDeployment).resources, address: synapseContainer, message: 'missing requests.cpu, requests.memory, limits.cpu, limits.memory' },
  ],
  'RES-02': [
    { name: 'namespace without quota', mutate: (j) => remove(j, R.homeserverQuota), address: hsNamespace, message: `namespace "${HOMESERVER_NAMESPACE}" has no ResourceQuota` },
    { name: 'namespace without limit range', mutate: (j) => remove(j, R.gatewayLimits), address: address(R.gatewayNamespace), message: `namespace "${GATEWAY_NAMESPACE}" has no LimitRange` },
    { name: 'quota in another namespace', mutate: (j) => (metadataBlock(j, R.homeserverQuota).namespace = GATEWAY_NAMESPACE), address: hsNamespace, message: 'has no ResourceQuota' },
  ],

  // ---------------------------------------------------------------- STO
  'STO-01': [
    { name: 'claim without storage class', mutate: (j) => delete specOf(j, R.synapseClaim).storage_class_name, address: address(R.synapseClaim), message: 'no explicit storage_class_name' },
    { name: 'claim with empty storage class', mutate: (j) => (specOf(j, R.synapseClaim).storage_class_name = ''), address: address(R.synapseClaim), message: 'no explicit storage_class_name' },
    {
      name: 'volume claim template with a non-allowlisted class',
      mutate: (j) => (child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name = 'standard'),
      address: `${postgres} volume_claim_template`,
      message: 'storage class "standard" is not allowlisted',
    },
    { name: 'volume claim template without class', mutate: (j) => delete child(specOf(j, R.postgresStatefulSet), 'volume_claim_template', 'spec').storage_class_name, address: `${postgres} volume_claim_template`, message: 'no explicit storage_class_name' },
    {
      name: 'generic ephemeral volume on the cluster default class',
      mutate: (j) => volumeList(j, R.synapseDeployment).push({ name: 'scratch', ephemeral: { volume_claim_template: { spec: { access_modes: ['ReadWriteOncePod'] } } } }),
      address: `${synapse} volume "scratch" (ephemeral)`,
      message: 'no explicit storage_class_name',
    },
  ],
  'STO-03': [
    {
      name: 'claim mounted by two deployments in one namespace',
      mutate: (j) => addClaimUser(j, 'synapse-copy', R.homeserverNamespace, 'synapse-media'),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: `mounted by ${synapse}, kubernetes_deployment_v1.synapse-copy_workload`,
    },
    {
      name: 'claim mounted by a deployment and a stateful set',
      mutate: (j) => volumeList(j, R.postgresStatefulSet).push(claimVolume('media', 'synapse-media')),
      address: `claim "${HOMESERVER_NAMESPACE}/synapse-media"`,
      message: postgres,
    },
  ],
};

/** Variants close to a violation that the rule must still accept. */
export const NEAR_MISSES: Readonly<Record<string, readonly NearMiss[]>> = {
  'NET-05': [{ name: 'media reached from the gateway on 8008', mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'media') }],
  'SEC-01': [
    { name: 'a *_path option pointing at a mounted file', mutate: (j) => (labelsOf(j, R.synapseDeployment)['bind_password_file'] = '/secrets/ldap/password') },
    { name: 'a cdktf reference', mutate: (j) => (labelsOf(j, R.synapseDeployment)['token'] = '${kubernetes_secret_v1.x.metadata[0].name}') },
    { name: 'an image digest', mutate: (j) => (labelsOf(j, R.synapseDeployment)['image'] = SYNAPSE_IMAGE) },
    ...(SEC_NEAR_MISSES['SEC-01'] ?? []),
  ],
  'SEC-02': SEC_NEAR_MISSES['SEC-02'] ?? [],
  'SEC-03': SEC_NEAR_MISSES['SEC-03'] ?? [],
  'SEC-04': SEC_NEAR_MISSES['SEC-04'] ?? [],
  'SEC-05': SEC_NEAR_MISSES['SEC-05'] ?? [],
  'IMG-01': IMG_HELM_NEAR_MISSES['IMG-01'] ?? [],
  'POD-06': [{ name: 'host_port 0', mutate: (j) => (child(containerOf(j, R.synapseDeployment), 'port').host_port = 0) }],
  'POD-05': [{ name: 'Localhost seccomp profile', mutate: (j) => (child(podSecurityContextOf(j, R.synapseDeployment), 'seccomp_profile').type = 'Localhost') }],
  'NET-02': [{ name: 'DNS with end_port 53', mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 53, port: '53', protocol: 'UDP' }]) }],
  'NET-03': [{ name: '0.0.0.0/0 ingress in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-06': [{ name: 'LoadBalancer in the gateway compartment (fixture)', mutate: () => undefined }],
  'NET-07': [
    { name: 'cluster ranges carved by a wider except', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.0.0.0/8', '192.168.0.0/16']) },
    { name: 'pod CIDR not excluded without config', mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32']), context: STANDALONE_CONTEXT },
  ],
  'IMG-02': [{ name: 'explicit registry without config', mutate: (j) => (containerOf(j, R.synapseDeployment).image = SYNAPSE_IMAGE.replace('ghcr.io', 'quay.io')), context: STANDALONE_CONTEXT }, ...(IMG_HELM_NEAR_MISSES['IMG-02'] ?? [])],
  'IMG-03': [{ name: 'version "= 2.38.0"', mutate: (j) => (child(requiredProviders(j), 'kubernetes').version = '= 2.38.0') }, ...(IMG_HELM_NEAR_MISSES['IMG-03'] ?? [])],
  'STO-03': [
    { name: 'same claim name in another namespace', mutate: (j) => addClaimUser(j, 'gateway-media', R.gatewayNamespace, 'synapse-media') },
    { name: 'two claims in one namespace', mutate: (j) => addClaimUser(j, 'synapse-other', R.homeserverNamespace, 'synapse-other-media') },
  ],
};

/** The firing cases of one rule; throws when the table has none. */
export function firingCases(ruleId: string): readonly FiringCase[] {
  const cases = FIRING_CASES[ruleId];
  if (!cases || cases.length === 0) throw new Error(`no firing cases for ${ruleId}`);
  return cases;
}

export function nearMisses(ruleId: string): readonly NearMiss[] {
  return NEAR_MISSES[ruleId] ?? [];
}
