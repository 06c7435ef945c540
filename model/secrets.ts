/**
 * What a secret declaration is: where its values come from (generated in-cluster, or
 * provided by operators into OpenBao), the files the consuming pods see (templates over the
 * values, rendered by External Secrets in-cluster), and the compartments allowed to read
 * it; the names and sizes of every secret. Values never pass through this code or
 * Terraform; OpenBao policies, SecretStores, ExternalSecrets and generators are all
 * derived from the declarations (assembled in workloads/secrets.ts).
 */
import type { HomeserverCompartment } from './compartments';

/** A random value generated inside the cluster (External Secrets' Password generator). */
export interface GeneratedValue {
  /** Characters; letters and digits only, so no template or file format needs escaping. */
  readonly length: number;
  readonly purpose: string;
}

export type SecretSource =
  /** Generated once per install inside the cluster and written into OpenBao; never seen by anyone. */
  | { readonly kind: 'generated'; readonly values: Readonly<Record<string, GeneratedValue>> }
  /** Written into OpenBao by an operator (e.g. a password issued by another organisation). */
  | { readonly kind: 'provided'; readonly values: Readonly<Record<string, string>> };

export interface SecretFile {
  /** External Secrets template (Go text/template, ESO engine v2) over the secret's values. */
  readonly template: string;
  readonly description: string;
}

export interface SecretDeclaration {
  /** Kubernetes Secret name in each consuming namespace, and the last segment of its OpenBao path. */
  readonly name: string;
  readonly purpose: string;
  readonly source: SecretSource;
  /** File names (Secret keys) as mounted, and how each is rendered from the values. */
  readonly files: Readonly<Record<string, SecretFile>>;
  readonly consumers: readonly HomeserverCompartment[];
  /** What a new value takes to reach the processes using it. */
  readonly rotation: string;
  /** The Secret's type; default Opaque. basic-auth for a Secret an operator reads `username` and `password` from. */
  readonly secretType?: 'kubernetes.io/basic-auth';
}

export const SECRET_NAMES = {
  signingKey: 'synapse-signing-key',
  synapseKeys: 'synapse-keys',
  database: 'synapse-database',
  redis: 'redis-auth',
  ldapBind: 'ldap-bind',
  /** The identity provider's client secret for Synapse (the realm's client, Synapse's OIDC provider). */
  oidcClient: 'oidc-client',
  /** Keycloak's PostgreSQL role password (its own database in the homeserver's cluster). */
  keycloakDatabase: 'keycloak-database',
  email: 'synapse-email',
  ldapBootstrap: 'ldap-bootstrap',
  s3: 'media-s3',
  /** The backup store's S3 keys: PostgreSQL's backups and the store backup jobs of the same homeserver. */
  backup: 'postgres-backup-s3',
  /** The client-side encryption password and salt of the store backup jobs (rclone crypt). */
  storeBackupKeys: 'store-backup-encryption',
  livekitKeys: 'livekit-keys',
} as const;

/**
 * The Redis ACL file, as an External Secrets template: External Secrets renders it in-cluster
 * with the SHA-256 of the generated password (never the password itself). Dangerous commands
 * (CONFIG, KEYS, FLUSHALL, DEBUG, ...) stay refused even to the authenticated client.
 */
export const REDIS_ACL_TEMPLATE = 'user default on #{{ .password | sha256sum }} ~* &* +@all -@dangerous';

/** Synapse signing key id; a new key on rotation gets a new id (the old one moves to old_signing_keys). */
export const SIGNING_KEY_ID = 'a_mxs1';

/** 43 letters and digits decode as unpadded base64 to the 32-byte ed25519 seed Synapse expects. */
export const SIGNING_SEED_LENGTH = 43;
/** Lengths of generated values: with a quarter of the characters digits, about 234 bits of entropy for a password and 375 for a MAC key (passwordEntropyBits). */
export const PASSWORD_LENGTH = 40;
export const MAC_KEY_LENGTH = 64;

/** One homeserver's secret declarations, as workloads/secrets.ts assembles them with their file templates. */
export interface HomeserverSecrets {
  readonly homeserverName: string;
  readonly declarations: readonly SecretDeclaration[];
}

/** The value names a declaration's files may reference. */
export function valueNames(declaration: SecretDeclaration): string[] {
  return Object.keys(declaration.source.values);
}

/** Value names referenced by `{{ .name ... }}` in a template. */
export function templateReferences(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? ''))];
}

/** Entropy of an External Secrets Password of `length` letters and digits with exactly `digits` digits. */
export function passwordEntropyBits(length: number, digits: number): number {
  let combinations = 0;
  for (let i = 0; i < digits; i += 1) combinations += Math.log2(length - i) - Math.log2(i + 1);
  return combinations + digits * Math.log2(10) + (length - digits) * Math.log2(52);
}
