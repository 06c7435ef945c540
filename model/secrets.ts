/**
 * Every secret a homeserver's compartments consume, declared once: where its values come
 * from (generated in-cluster, or provided by operators into OpenBao), the files the
 * consuming pods see (templates over the values, rendered by External Secrets in-cluster),
 * and the compartments allowed to read it. Values never pass through this code or
 * Terraform; OpenBao policies, SecretStores, ExternalSecrets and generators are all
 * derived from these declarations.
 */
import { goTemplate, type TemplateValue } from '../render/go-template';
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
}

export const SECRET_NAMES = {
  signingKey: 'synapse-signing-key',
  synapseKeys: 'synapse-keys',
  database: 'synapse-database',
  redis: 'redis-auth',
  ldapBind: 'ldap-bind',
  email: 'synapse-email',
  ldapBootstrap: 'ldap-bootstrap',
  s3: 'media-s3',
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
/** At least 238 bits of entropy for passwords, 381 bits for Synapse's MAC keys. */
export const PASSWORD_LENGTH = 40;
export const MAC_KEY_LENGTH = 64;

export interface SecretOptions {
  /** The email.yaml template (literal text and the password action), present when the homeserver sends mail. */
  readonly smtpTemplate?: string;
  readonly inClusterDirectory: boolean;
  readonly s3: boolean;
  /** `host:port:database:user:` prefix of the libpq passfile line (the password completes it). */
  readonly pgpassPrefix: string;
}

const value = (name: string): TemplateValue => ({ value: name });
const generated = (values: Record<string, GeneratedValue>): SecretSource => ({ kind: 'generated', values });
const RESTART = 'rolling restart of the consuming workloads (the process reads the file at start)';

export function homeserverSecrets(options: SecretOptions): SecretDeclaration[] {
  const { smtpTemplate } = options;
  const declarations: SecretDeclaration[] = [
    {
      name: SECRET_NAMES.signingKey,
      purpose: 'Synapse federation signing key (every Synapse process loads it)',
      source: generated({ seed: { length: SIGNING_SEED_LENGTH, purpose: 'ed25519 seed, unpadded base64' } }),
      files: { 'signing.key': { template: goTemplate(`ed25519 ${SIGNING_KEY_ID} `, value('seed')), description: 'signing key in Synapse format' } },
      consumers: ['homeserver', 'media'],
      rotation: `a new key under a new key id, the old one listed in old_signing_keys for peers, then ${RESTART}`,
    },
    {
      name: SECRET_NAMES.synapseKeys,
      purpose: 'Synapse macaroon, form and worker replication secrets',
      source: generated({
        macaroon: { length: MAC_KEY_LENGTH, purpose: 'macaroon secret key' },
        form: { length: MAC_KEY_LENGTH, purpose: 'form secret' },
        replication: { length: MAC_KEY_LENGTH, purpose: 'worker replication secret' },
      }),
      files: {
        macaroon: { template: goTemplate(value('macaroon')), description: 'macaroon secret key' },
        form: { template: goTemplate(value('form')), description: 'form secret' },
        replication: { template: goTemplate(value('replication')), description: 'worker replication secret' },
      },
      consumers: ['homeserver', 'media'],
      rotation: `${RESTART}; a new macaroon key ends every login session`,
    },
    {
      name: SECRET_NAMES.database,
      purpose: 'PostgreSQL password of the synapse role',
      source: generated({ password: { length: PASSWORD_LENGTH, purpose: 'password of the synapse role' } }),
      files: {
        password: { template: goTemplate(value('password')), description: 'the password, read by the PostgreSQL entrypoint at first start' },
        pgpass: { template: goTemplate(options.pgpassPrefix, value('password')), description: 'libpq passfile line host:port:database:user:password' },
      },
      consumers: ['homeserver', 'media'],
      rotation: `ALTER ROLE synapse PASSWORD with the new value (the entrypoint reads the file only at initdb), then ${RESTART}`,
    },
    {
      name: SECRET_NAMES.redis,
      purpose: 'Redis authentication',
      source: generated({ password: { length: PASSWORD_LENGTH, purpose: 'password Synapse presents to Redis' } }),
      files: {
        password: { template: goTemplate(value('password')), description: 'password Synapse presents' },
        'users.acl': { template: `${REDIS_ACL_TEMPLATE}\n`, description: 'Redis ACL file holding only the SHA-256 of the password' },
      },
      consumers: ['homeserver', 'media'],
      rotation: RESTART,
    },
    {
      name: SECRET_NAMES.ldapBind,
      purpose: 'read-only LDAP bind account used by Synapse',
      source: options.inClusterDirectory
        ? generated({ password: { length: PASSWORD_LENGTH, purpose: 'bind password of the Synapse reader account' } })
        : { kind: 'provided', values: { password: 'bind password issued by the external directory' } },
      files: { password: { template: goTemplate(value('password')), description: 'bind password' } },
      // The directory hashes it into the bind account's entry at every start.
      consumers: options.inClusterDirectory ? ['directory', 'homeserver'] : ['homeserver'],
      rotation: options.inClusterDirectory ? `${RESTART} (the directory re-hashes the bind account's password at start)` : `change at the external directory first, then ${RESTART}`,
    },
  ];
  if (smtpTemplate) {
    declarations.push({
      name: SECRET_NAMES.email,
      purpose: 'Synapse email section including the SMTP password (Synapse has no smtp_pass_path)',
      source: { kind: 'provided', values: { password: 'SMTP password of the notification account' } },
      files: { 'email.yaml': { template: smtpTemplate, description: 'complete `email:` section, loaded as an extra --config-path' } },
      consumers: ['homeserver'],
      rotation: RESTART,
    });
  }
  if (options.inClusterDirectory) {
    declarations.push({
      name: SECRET_NAMES.ldapBootstrap,
      purpose: 'initial directory entries (people, admission group with memberOf on members) with password hashes only',
      source: { kind: 'provided', values: { ldif: 'LDIF of the organisation units, people and groups (no bind account: it is added from ldap-bind)' } },
      files: { 'bootstrap.ldif': { template: goTemplate(value('ldif')), description: 'LDIF loaded by slapadd on first start' } },
      consumers: ['directory'],
      rotation: 'read on first start only; later changes go through the directory itself',
    });
  }
  if (options.s3) {
    declarations.push({
      name: SECRET_NAMES.s3,
      purpose: 'object storage credentials of the media store',
      source: { kind: 'provided', values: { accessKeyId: 'access key id issued by the object storage', secretAccessKey: 'secret access key issued by the object storage' } },
      files: {
        credentials: {
          template: goTemplate('[default]\naws_access_key_id = ', value('accessKeyId'), '\naws_secret_access_key = ', value('secretAccessKey'), '\n'),
          description: 'AWS-style shared credentials file',
        },
      },
      consumers: ['media'],
      rotation: `issue new keys at the object storage, write them into OpenBao, then ${RESTART}`,
    });
  }
  return declarations;
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
