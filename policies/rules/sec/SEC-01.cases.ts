/** The case table of SEC-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { esoRelease, REFERENCE } from '../../../test/policies/case-helpers/common';
import {
  clientOf,
  editClient,
  editRealm,
  federationConfig,
  realmJsonPath,
  realmOf,
  writeRealm,
} from '../../../test/policies/case-helpers/idn';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import {
  add,
  body,
  child,
  containerOf,
  HOMESERVER_NAMESPACE,
  labelsOf,
  manifestResource,
  R,
  SYNAPSE_IMAGE,
} from '../../../test/policies/fixtures';
import type { TerraformJson } from '../../../tfjson/terraform-json';
import { escapeTemplateText } from '../../../tfjson/terraform-template';

const GENERATOR_TYPES = [
  'random_password',
  'random_string',
  'random_bytes',
  'tls_private_key',
  'tls_self_signed_cert',
  'tls_locally_signed_cert',
];

const SEC_01_SOURCE_CASES: BadCase[] = [
  ...GENERATOR_TYPES.map((type) => ({
    name: `${type} resource`,
    mutate: (j: TerraformJson) =>
      void add(j, { type, name: 'generated' }, type.startsWith('random') ? { length: 32 } : { algorithm: 'ECDSA' }),
    address: `${type}.generated`,
    message: 'keeps its generated secret in Terraform state',
  })),
  ...(['data', 'binary_data', 'data_wo', 'binary_data_wo'] as const).map((field, index) => {
    const type = index === 1 ? 'kubernetes_secret' : 'kubernetes_secret_v1';
    return {
      name: `${type} with ${field}`,
      mutate: (j: TerraformJson) =>
        void add(
          j,
          { type, name: 'written' },
          { metadata: { name: 'written', namespace: HOMESERVER_NAMESPACE }, [field]: { value: REFERENCE } },
        ),
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
    mutate: (j: TerraformJson) =>
      void add(
        j,
        { type: 'kubernetes_manifest', name: 'secret_manifest' },
        manifestResource(
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'written', namespace: HOMESERVER_NAMESPACE },
            [field]: { value: REFERENCE },
          },
          false,
        ),
      ),
    address: 'kubernetes_manifest.secret_manifest',
    message: `Secret ${HOMESERVER_NAMESPACE}/written manifest carries ${field}`,
  })),
];

/**
 * The realm file holds two references Keycloak resolves at import (the client secret from the
 * start program's environment, the bind password from its file vault): a literal in their
 * place, or any other placeholder form, still fires.
 */
const SEC_01_REALM_CASES: BadCase[] = [
  {
    name: 'a literal client secret in the realm',
    mutate: editClient((client) => (client.secret = 'Winter2026-synapse')),
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a literal bind password in the realm (a list item of bindCredential)',
    mutate: editRealm((realm) => (federationConfig(realm).bindCredential = ['Winter2026!'])),
    address: realmJsonPath,
    message: 'secret-like key "bindCredential" holds a literal value',
  },
  {
    name: 'an environment placeholder with a literal default',
    mutate: editClient((client) => (client.secret = '${MATRIX_SYNAPSE_CLIENT_SECRET:Winter2026}')),
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a placeholder with a lower-case name',
    mutate: editClient((client) => (client.secret = '${client_secret}')),
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a placeholder inside literal text',
    mutate: editClient((client) => (client.secret = 'pre-${MATRIX_SYNAPSE_CLIENT_SECRET}')),
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a vault reference without a key',
    mutate: editRealm((realm) => (federationConfig(realm).bindCredential = ['${vault.}'])),
    address: realmJsonPath,
    message: 'secret-like key "bindCredential" holds a literal value',
  },
  {
    name: 'a file path as the client secret (a realm has no path options: the path is the secret)',
    mutate: editClient((client) => (client.secret = '/secrets/oidc-client/secret')),
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a user with a password in the realm',
    mutate: editRealm(
      (realm) =>
        (realm.users = [{ username: 'admin', enabled: true, credentials: [{ type: 'password', value: 'Winter2026!', temporary: false }] }]),
    ),
    address: realmJsonPath,
    message: 'secret-like key "credentials" holds a literal value',
  },
  {
    name: 'a literal client secret in a realm written on one line (minified JSON)',
    mutate: (j) => {
      const realm = realmOf(j);
      clientOf(realm).secret = 'Winter2026-synapse';
      child(body(j, R.keycloakRealm), 'data')['realm.json'] = escapeTemplateText(JSON.stringify(realm));
    },
    address: `${realmJsonPath}1`,
    message: 'secret-like key "secret" holds a literal value',
  },
  {
    name: 'a literal secret next to the references, in a realm file holding a list of realms',
    mutate: (j) => {
      const realm = realmOf(j);
      writeRealm(j, [realm, { ...realm, realm: 'second', clients: [{ clientId: 'other', secret: 'Winter2026-other' }] }]);
    },
    address: realmJsonPath,
    message: 'secret-like key "secret" holds a literal value',
  },
];

export const cases: RuleCases = {
  bad: [
    {
      name: 'database password in the state backend block',
      mutate: (j) =>
        Object.assign(j, {
          terraform: { ...(j.terraform ?? {}), backend: { pg: { conn_str: 'postgres://terraform:Winter2026@db.internal/state' } } },
        }),
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
      mutate: (j) =>
        add(
          j,
          { type: 'kubernetes_config_map_v1', name: 'leaky' },
          {
            metadata: { name: 'leaky', namespace: HOMESERVER_NAMESPACE },
            data: { 'ldap.yaml': 'uri: ldaps://ldap\nbind_password: Winter2026!\n' },
          },
        ),
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
      mutate: (j) =>
        add(
          j,
          { type: 'kubernetes_secret_v1', name: 'tls' },
          {
            metadata: { name: 'tls', namespace: HOMESERVER_NAMESPACE },
            data: { 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n' },
          },
        ),
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
    ...SEC_01_REALM_CASES,
  ],
  good: [
    {
      name: "the realm's client secret as a vault reference (the other accepted form)",
      mutate: editClient((client) => (client.secret = '${vault.synapse-client}')),
    },
    {
      name: 'a *_path option pointing at a mounted file',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['bind_password_file'] = '/secrets/ldap/password'),
    },
    {
      name: 'a cdktf reference',
      mutate: (j) =>
        (labelsOf(j, R.synapseDeployment)['token'] = '${kubernetes_service_account_v1.synapse_service-account.metadata[0].name}'),
    },
    { name: 'an image digest', mutate: (j) => (labelsOf(j, R.synapseDeployment)['image'] = SYNAPSE_IMAGE) },
    {
      name: 'kubernetes_secret_v1 without data (filled in-cluster)',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_secret_v1', name: 'placeholder' },
          { metadata: { name: 'placeholder', namespace: HOMESERVER_NAMESPACE }, type: 'Opaque' },
        ),
    },
    {
      name: 'kubernetes_secret_v1 with empty data',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_secret_v1', name: 'placeholder' },
          { data: {}, metadata: { name: 'placeholder', namespace: HOMESERVER_NAMESPACE } },
        ),
    },
    {
      name: 'helm_release with a plain set entry',
      mutate: (j) => (body(j, R.externalSecretsRelease).set = [{ name: 'replicaCount', value: '1' }]),
    },
    {
      name: 'ephemeral random_password (never in state)',
      mutate: (j) => Object.assign(j, { ephemeral: { random_password: { seed: { length: 32 } } } }),
    },
    {
      name: 'ConfigMap manifest with data (not a Secret)',
      mutate: (j) =>
        void add(
          j,
          { type: 'kubernetes_manifest', name: 'configmap_manifest' },
          manifestResource(
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              data: { 'ca.crt': 'see trust-manager' },
              metadata: { name: 'ca', namespace: HOMESERVER_NAMESPACE },
            },
            false,
          ),
        ),
    },
  ],
};
