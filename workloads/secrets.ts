/**
 * Every secret a homeserver's compartments consume, declared once with the files the
 * consuming pods see: External Secrets templates over the values, written so that no
 * configured text is ever evaluated (render/go-template.ts), and the email section rendered
 * with Synapse's configuration. OpenBao's policies and roles follow from these declarations
 * (model/secret-access.ts).
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { homeserverServiceName } from '../model/dns-names';
import { deriveOpenBaoAccess, type OpenBaoAccess } from '../model/secret-access';
import {
  MAC_KEY_LENGTH,
  PASSWORD_LENGTH,
  REDIS_ACL_TEMPLATE,
  SECRET_NAMES,
  SIGNING_KEY_ID,
  SIGNING_SEED_LENGTH,
  type GeneratedValue,
  type HomeserverSecrets,
  type SecretDeclaration,
  type SecretSource,
} from '../model/secrets';
import { POSTGRES_SERVICE_PORT } from '../model/workload-spec';
import { goTemplate, type TemplateValue } from '../render/go-template';
import { POSTGRES_DATABASE, POSTGRES_ROLE } from '../render/postgres';
import { emailConfigTemplate } from '../render/synapse/homeserver-config';

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
      files: {
        'signing.key': { template: goTemplate(`ed25519 ${SIGNING_KEY_ID} `, value('seed')), description: 'signing key in Synapse format' },
      },
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
        password: {
          template: goTemplate(value('password')),
          description: 'the password, read by the PostgreSQL entrypoint at first start',
        },
        pgpass: {
          template: goTemplate(options.pgpassPrefix, value('password')),
          description: 'libpq passfile line host:port:database:user:password',
        },
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
      rotation: options.inClusterDirectory
        ? `${RESTART} (the directory re-hashes the bind account's password at start)`
        : `change at the external directory first, then ${RESTART}`,
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
      source: {
        kind: 'provided',
        values: { ldif: 'LDIF of the organisation units, people and groups (no bind account: it is added from ldap-bind)' },
      },
      files: { 'bootstrap.ldif': { template: goTemplate(value('ldif')), description: 'LDIF loaded by slapadd on first start' } },
      consumers: ['directory'],
      rotation: 'read on first start only; later changes go through the directory itself',
    });
  }
  if (options.s3) {
    declarations.push({
      name: SECRET_NAMES.s3,
      purpose: 'object storage credentials of the media store',
      source: {
        kind: 'provided',
        values: {
          accessKeyId: 'access key id issued by the object storage',
          secretAccessKey: 'secret access key issued by the object storage',
        },
      },
      files: {
        credentials: {
          template: goTemplate(
            '[default]\naws_access_key_id = ',
            value('accessKeyId'),
            '\naws_secret_access_key = ',
            value('secretAccessKey'),
            '\n',
          ),
          description: 'AWS-style shared credentials file',
        },
      },
      consumers: ['media'],
      rotation: `issue new keys at the object storage, write them into OpenBao, then ${RESTART}`,
    });
  }
  return declarations;
}

/** The secrets this homeserver's compartments consume, with the email template when it sends mail. */
export function homeserverSecretDeclarations(homeserver: HomeserverSettings): SecretDeclaration[] {
  const email = emailConfigTemplate(homeserver);
  return homeserverSecrets({
    ...(email ? { smtpTemplate: email } : {}),
    inClusterDirectory: homeserver.directory.mode === 'in-cluster',
    s3: homeserver.media.s3 !== undefined,
    // Must match the host Synapse connects to (database.args.host), or libpq finds no line.
    pgpassPrefix: `${homeserverServiceName(homeserver.name, 'homeserver', 'postgres')}:${POSTGRES_SERVICE_PORT.servicePort}:${POSTGRES_DATABASE}:${POSTGRES_ROLE}:`,
  });
}

/** Every homeserver's secret declarations, in config order. */
export function deploymentSecrets(config: DeploymentConfig): HomeserverSecrets[] {
  return config.homeservers.map((homeserver) => ({
    homeserverName: homeserver.name,
    declarations: homeserverSecretDeclarations(homeserver),
  }));
}

/** The complete, declared state of OpenBao's policies and Kubernetes auth roles for a deployment. */
export function openBaoAccess(config: DeploymentConfig): OpenBaoAccess {
  return deriveOpenBaoAccess(config.deploymentName, deploymentSecrets(config));
}
