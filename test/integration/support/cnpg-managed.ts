/**
 * What the CloudNativePG operator does for the Cluster's managed roles (`spec.managed.roles`) and
 * for each `Database` object, as SQL, from the rendered objects themselves: the integration tier
 * runs these statements as the superuser once the instance is up, as the operator's reconcilers
 * would. Statement shapes follow the operator's source (release 1.30.0):
 *
 * - internal/management/controller/roles/postgres.go `Create`: `CREATE ROLE "<name>"` with every
 *   attribute spelled out (NOBYPASSRLS, NOCREATEDB, ..., CONNECTION LIMIT n) and the password of
 *   the Secret named by `passwordSecret` (its `password` key), then `COMMENT ON ROLE`. The operator
 *   sends the password already SCRAM-encoded; here the server encodes it (password_encryption is
 *   scram-sha-256 by default), which stores the same kind of verifier.
 * - internal/management/controller/database_controller_sql.go: `CREATE DATABASE "<name>"` with
 *   OWNER, TEMPLATE, ..., ENCODING, LOCALE and the other options the object sets.
 */
import type { DeploymentConfig, HomeserverSettings } from '../../../config/deployment-config';
import type { KubernetesObject, ManifestValue } from '../../../render/manifests/kubernetes-object';
import { homeserverDatabase } from '../../../workloads/postgres-database';

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

type Fields = { readonly [key: string]: ManifestValue };

function asFields(value: ManifestValue | undefined): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

/** The operator's statements for one managed role; `passwordOf(secretName)` reads the Secret's `password` key. */
export function managedRoleStatements(role: Fields, passwordOf: (secretName: string) => string | undefined): string[] {
  const name = String(role.name);
  if (role.ensure !== undefined && role.ensure !== 'present') return [];
  const flag = (key: string, yes: string, no: string) => (role[key] === true ? yes : no);
  const options = [
    flag('bypassrls', 'BYPASSRLS', 'NOBYPASSRLS'),
    flag('createdb', 'CREATEDB', 'NOCREATEDB'),
    flag('createrole', 'CREATEROLE', 'NOCREATEROLE'),
    // The operator's default for `inherit` is true (kubebuilder default); the rendered role states it.
    role.inherit === false ? 'NOINHERIT' : 'INHERIT',
    flag('login', 'LOGIN', 'NOLOGIN'),
    flag('replication', 'REPLICATION', 'NOREPLICATION'),
    flag('superuser', 'SUPERUSER', 'NOSUPERUSER'),
    `CONNECTION LIMIT ${typeof role.connectionLimit === 'number' ? role.connectionLimit : -1}`,
  ];
  const inRoles = Array.isArray(role.inRoles) ? (role.inRoles as readonly ManifestValue[]).map((inRole) => identifier(String(inRole))) : [];
  const secretName = asFields(role.passwordSecret).name;
  const password = typeof secretName === 'string' ? passwordOf(secretName) : undefined;
  if (typeof secretName === 'string' && password === undefined)
    throw new Error(`managed role ${name}: no password in Secret ${secretName}`);
  const statements = [
    `CREATE ROLE ${identifier(name)} ${options.join(' ')}${inRoles.length > 0 ? ` IN ROLE ${inRoles.join(',')}` : ''}${
      password === undefined ? ' PASSWORD NULL' : ` PASSWORD ${literal(password)}`
    }`,
  ];
  if (typeof role.comment === 'string' && role.comment !== '')
    statements.push(`COMMENT ON ROLE ${identifier(name)} IS ${literal(role.comment)}`);
  return statements;
}

/** The operator's statement for a `Database` object. */
export function databaseStatements(database: KubernetesObject): string[] {
  const spec = database.spec;
  if (spec.ensure !== undefined && spec.ensure !== 'present') return [];
  const text = (key: string, keyword: string, quote: (value: string) => string = identifier) =>
    typeof spec[key] === 'string' && spec[key] !== '' ? ` ${keyword} ${quote(spec[key])}` : '';
  const value = (key: string, keyword: string) => (spec[key] !== undefined && spec[key] !== null ? ` ${keyword} ${String(spec[key])}` : '');
  return [
    `CREATE DATABASE ${identifier(String(spec.name))}` +
      text('owner', 'OWNER') +
      text('template', 'TEMPLATE') +
      text('tablespace', 'TABLESPACE') +
      value('allowConnections', 'ALLOW_CONNECTIONS') +
      value('connectionLimit', 'CONNECTION LIMIT') +
      value('isTemplate', 'IS_TEMPLATE') +
      text('encoding', 'ENCODING') +
      text('locale', 'LOCALE') +
      text('localeProvider', 'LOCALE_PROVIDER') +
      text('localeCollate', 'LC_COLLATE') +
      text('localeCType', 'LC_CTYPE') +
      text('icuLocale', 'ICU_LOCALE') +
      text('icuRules', 'ICU_RULES'),
  ];
}

/**
 * Every statement the operator runs for the homeserver's rendered PostgreSQL objects beyond the
 * bootstrap: the Cluster's managed roles, then the Database objects (a database's owner exists first).
 */
export function managedObjectStatements(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  volumes: ReadonlyMap<string, Record<string, string>>,
): string[] {
  const objects = homeserverDatabase(config, homeserver, {});
  const managed = asFields(objects.cluster.spec.managed);
  const roles = Array.isArray(managed.roles) ? (managed.roles as readonly ManifestValue[]).map(asFields) : [];
  const databases = Object.values(objects).filter((object) => object.kind === 'Database');
  return [
    ...roles.flatMap((role) => managedRoleStatements(role, (secretName) => volumes.get(secretName)?.password)),
    ...databases.flatMap(databaseStatements),
  ];
}
