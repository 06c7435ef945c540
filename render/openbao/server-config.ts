/**
 * OpenBao's server configuration: TLS-only listener (certificate from the internal CA),
 * integrated storage on the compartment's own volume, auto-unseal with a static key that
 * was generated in-cluster, an audit log on stdout, no UI, and the declarative
 * self-initialisation that runs once on empty storage. Self-initialisation enables the KV
 * mount and Kubernetes auth and creates exactly one role: the configurator, which applies
 * every other policy and role on each deploy. The root token it uses is revoked when it
 * ends: no one, and nothing in Terraform, ever holds it. Contains no secret.
 */
import { MANAGED_PREFIX, OPENBAO_AUDIENCE, OPENBAO_PORT, openbaoHosts, SECRET_MOUNT } from '../../model/platform';
import { attribute, block, renderHcl, type HclEntry } from './hcl';

/** Where the OpenBao pod finds its files (mounted by the chart values). */
export const OPENBAO_PATHS = {
  data: '/openbao/data',
  tls: '/openbao/tls',
  sealKey: '/openbao/seal/key',
} as const;

export const OPENBAO_CLUSTER_PORT = 8201;
export const CONFIGURATOR_POLICY = 'openbao-configurator';
export const CONFIGURATOR_ROLE = 'openbao-configurator';

/** TLS 1.2 suites with forward secrecy and AEAD (TLS 1.3 suites are fixed by Go). */
const TLS12_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
];

export interface OpenBaoServerInput {
  /** The OpenBao namespace (service names are derived from it). */
  readonly namespace: string;
  /** The Helm release name (the chart names the Service and the StatefulSet after it). */
  readonly release: string;
  /** Namespace and service account of the configurator Job. */
  readonly configurator: { readonly namespace: string; readonly serviceAccount: string };
}

/**
 * What the configurator may change: only policies and roles under the managed prefix. It can
 * therefore grant any access to those roles, so its login is bound to one service account,
 * one namespace and the OpenBao audience, with tokens that live minutes.
 */
export function configuratorPolicy(): string {
  return [
    `path "sys/policies/acl/${MANAGED_PREFIX}*" {`,
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    'path "sys/policies/acl" {',
    '  capabilities = ["list"]',
    '}',
    `path "auth/kubernetes/role/${MANAGED_PREFIX}*" {`,
    '  capabilities = ["create", "read", "update", "delete"]',
    '}',
    'path "auth/kubernetes/role" {',
    '  capabilities = ["list"]',
    '}',
    '',
  ].join('\n');
}

function request(
  name: string,
  path: string,
  data: { readonly [key: string]: string | readonly string[] | { readonly [key: string]: string } },
): HclEntry {
  return block('request', [name], [attribute('operation', 'update'), attribute('path', path), attribute('data', data)]);
}

export function renderOpenBaoServerConfig(input: OpenBaoServerInput): string {
  // The pod is the first (and only) one of the StatefulSet.
  const hosts = openbaoHosts(input.release, input.namespace);
  const entries: HclEntry[] = [
    attribute('ui', false),
    // mlock needs CAP_IPC_LOCK, which every container here drops; memory is not swapped on Kubernetes nodes.
    attribute('disable_mlock', true),
    attribute('log_level', 'info'),
    attribute('log_format', 'json'),
    attribute('api_addr', `https://${hosts.service}:${OPENBAO_PORT}`),
    attribute('cluster_addr', `https://${hosts.pod}:${OPENBAO_CLUSTER_PORT}`),
    block(
      'listener',
      ['tcp'],
      [
        attribute('address', `0.0.0.0:${OPENBAO_PORT}`),
        attribute('cluster_address', `0.0.0.0:${OPENBAO_CLUSTER_PORT}`),
        attribute('tls_disable', false),
        attribute('tls_cert_file', `${OPENBAO_PATHS.tls}/tls.crt`),
        attribute('tls_key_file', `${OPENBAO_PATHS.tls}/tls.key`),
        attribute('tls_min_version', 'tls12'),
        attribute('tls_cipher_suites', TLS12_SUITES.join(',')),
        block('telemetry', [], [attribute('unauthenticated_metrics_access', false)]),
      ],
    ),
    block('storage', ['raft'], [attribute('path', OPENBAO_PATHS.data), attribute('node_id', `${input.release}-0`)]),
    // The key is a 43-character generated value, read as raw URL-safe base64 (32 bytes).
    block('seal', ['static'], [attribute('current_key_id', 'generated-1'), attribute('current_key', `file://${OPENBAO_PATHS.sealKey}`)]),
    // Every request and response, HMAC'd, on stdout for the log pipeline: the breach was noticed only from traffic.
    block(
      'audit',
      ['file', 'stdout'],
      [
        attribute('description', 'every request, for the log pipeline'),
        block('options', [], [attribute('file_path', 'stdout'), attribute('log_raw', 'false')]),
      ],
    ),
    block(
      'initialize',
      ['secret-store'],
      [
        request('kv-mount', `sys/mounts/${SECRET_MOUNT}`, {
          type: 'kv',
          description: 'generated and provided values of every homeserver',
          options: { version: '2' },
        }),
      ],
    ),
    block(
      'initialize',
      ['kubernetes-auth'],
      [
        request('enable', 'sys/auth/kubernetes', {
          type: 'kubernetes',
          description: 'service accounts of the SecretStores and the configurator',
        }),
        // OpenBao reviews presented tokens with its own service account (system:auth-delegator).
        request('config', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc' }),
      ],
    ),
    block(
      'initialize',
      ['configurator'],
      [
        request('policy', `sys/policies/acl/${CONFIGURATOR_POLICY}`, { policy: configuratorPolicy() }),
        request('role', `auth/kubernetes/role/${CONFIGURATOR_ROLE}`, {
          bound_service_account_names: [input.configurator.serviceAccount],
          bound_service_account_namespaces: [input.configurator.namespace],
          audience: OPENBAO_AUDIENCE,
          alias_name_source: 'serviceaccount_uid',
          token_policies: [CONFIGURATOR_POLICY],
          token_ttl: '5m',
          token_max_ttl: '10m',
          token_type: 'service',
        }),
      ],
    ),
  ];
  return `# OpenBao server configuration, generated by matrix-sovereign-iac. Contains no secret.\n${renderHcl(entries)}`;
}
