/**
 * Every secret a homeserver's compartments consume, declared once with its files and the
 * compartments allowed to read it. Values never pass through this code or Terraform: they
 * are generated and delivered in-cluster (secret management, issue 5) under these names,
 * and workloads mount them as files. Delivery policies are derived from `consumers`.
 */
import { REDIS_ACL_TEMPLATE } from '../render/redis-acl';
import type { HomeserverCompartment } from './compartments';

export interface SecretDeclaration {
  /** Kubernetes Secret name in each consuming namespace. */
  readonly name: string;
  readonly purpose: string;
  /** File names (Secret keys) and what each holds. */
  readonly files: Readonly<Record<string, string>>;
  readonly consumers: readonly HomeserverCompartment[];
  /**
   * For secrets that are whole files mixing settings and a secret: the file with
   * `{{ .password }}` where the in-cluster generator substitutes the value.
   */
  readonly templates?: Readonly<Record<string, string>>;
}

export const SECRET_NAMES = {
  signingKey: 'synapse-signing-key',
  synapseKeys: 'synapse-keys',
  database: 'synapse-database',
  redis: 'redis-auth',
  ldapBind: 'ldap-bind',
  postgresTls: 'postgres-tls',
  internalCa: 'internal-ca',
  email: 'synapse-email',
  ldapTls: 'ldap-tls',
  ldapBootstrap: 'ldap-bootstrap',
  s3: 'media-s3',
  gatewayTls: 'gateway-tls',
} as const;

export interface SecretOptions {
  /** The rendered email section, present when the homeserver sends mail. */
  readonly smtpTemplate?: string;
  readonly inClusterDirectory: boolean;
  readonly s3: boolean;
}

export function homeserverSecrets(options: SecretOptions): SecretDeclaration[] {
  const { smtpTemplate } = options;
  const email: SecretDeclaration[] = smtpTemplate
    ? [
        {
          name: SECRET_NAMES.email,
          purpose: 'Synapse email section including the SMTP password (Synapse has no smtp_pass_path)',
          files: { 'email.yaml': 'complete `email:` section, loaded as an extra --config-path' },
          consumers: ['homeserver'],
          templates: { 'email.yaml': smtpTemplate },
        },
      ]
    : [];
  return [
    ...email,
    {
      name: SECRET_NAMES.signingKey,
      purpose: 'Synapse federation signing key (every Synapse process loads it)',
      files: { 'signing.key': 'ed25519 signing key in Synapse format' },
      consumers: ['homeserver', 'media'],
    },
    {
      name: SECRET_NAMES.synapseKeys,
      purpose: 'Synapse macaroon, form and worker replication secrets',
      files: { macaroon: 'macaroon secret key', form: 'form secret', replication: 'worker replication secret' },
      consumers: ['homeserver', 'media'],
    },
    {
      name: SECRET_NAMES.database,
      purpose: 'PostgreSQL password of the synapse role',
      files: { password: 'the password, read by the PostgreSQL entrypoint at first start', pgpass: 'libpq passfile line host:port:db:user:password' },
      consumers: ['homeserver', 'media'],
    },
    {
      name: SECRET_NAMES.redis,
      purpose: 'Redis authentication',
      files: { password: 'password Synapse presents', 'users.acl': 'Redis ACL file holding only the password hash' },
      consumers: ['homeserver', 'media'],
      templates: { 'users.acl': `${REDIS_ACL_TEMPLATE}\n` },
    },
    {
      name: SECRET_NAMES.ldapBind,
      purpose: 'read-only LDAP bind account used by Synapse',
      files: { password: 'bind password' },
      // The directory side hashes it into the bootstrap entry of the bind account.
      consumers: options.inClusterDirectory ? ['directory', 'homeserver'] : ['homeserver'],
    },
    ...(options.inClusterDirectory
      ? [
          {
            name: SECRET_NAMES.ldapTls,
            purpose: 'LDAPS server certificate from the internal CA',
            files: { 'tls.crt': 'certificate', 'tls.key': 'private key', 'ca.crt': 'internal CA certificate' },
            consumers: ['directory'],
          } satisfies SecretDeclaration,
          {
            name: SECRET_NAMES.ldapBootstrap,
            purpose: 'initial directory entries (people, admission group with memberOf on members, bind account) with password hashes only',
            files: { 'bootstrap.ldif': 'LDIF loaded by slapadd on first start' },
            consumers: ['directory'],
          } satisfies SecretDeclaration,
        ]
      : []),
    ...(options.s3
      ? [
          {
            name: SECRET_NAMES.s3,
            purpose: 'object storage credentials of the media store',
            files: { credentials: 'AWS-style shared credentials file ([default] aws_access_key_id / aws_secret_access_key)' },
            consumers: ['media'],
          } satisfies SecretDeclaration,
        ]
      : []),
    {
      name: SECRET_NAMES.gatewayTls,
      purpose: 'public TLS certificate and key of the gateway, as one PEM',
      files: { 'tls.pem': 'certificate chain followed by the private key' },
      consumers: ['gateway'],
    },
    {
      name: SECRET_NAMES.postgresTls,
      purpose: 'PostgreSQL server certificate from the internal CA',
      files: { 'tls.crt': 'certificate', 'tls.key': 'private key', 'ca.crt': 'internal CA certificate' },
      consumers: ['homeserver'],
    },
    {
      name: SECRET_NAMES.internalCa,
      purpose: 'internal CA certificate, to verify PostgreSQL and LDAPS servers',
      files: { 'ca.crt': 'internal CA certificate' },
      consumers: ['homeserver', 'media'],
    },
  ];
}
