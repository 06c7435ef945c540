/**
 * A PostgreSQL instance laid out as the CloudNativePG instance manager lays it out, for the
 * tests that boot real PostgreSQL with the rendered settings. The rendered part (our
 * `postgresql.parameters`, our pg_hba rules, the initdb locale) comes from render/postgres.ts;
 * what the operator adds itself is stated here, from its source (pkg/postgres/configuration.go
 * and pkg/management/postgres/initdb.go of release 1.30.0):
 *
 * - initdb as the `postgres` superuser with data checksums, then the application role with its
 *   password from the bootstrap Secret and the application database owned by it;
 * - the fixed parameters: ssl on with the server certificate, key and client CA files, listen on
 *   every address, port 5432, the socket directory, TLS 1.3 as minimum and maximum;
 * - pg_hba: its fixed rules first (local peer access through the `local` map, certificate-only
 *   `streaming_replica`), then ours, then its default `host all all all scram-sha-256`;
 * - pg_ident: the `local` map of the pod's OS user to `postgres`, and `streaming_replica`.
 *
 * Only the addresses, port, directories and the OS user differ on loopback.
 */
import { pgHbaRules, POSTGRES_DATABASE, POSTGRES_INITDB, POSTGRES_ROLE, postgresParameters } from '../../render/postgres';

export const OPERATOR_SUPERUSER = 'postgres';

/** pg_hba.conf as the operator writes it around the rendered rules. */
export function operatorPgHba(): string {
  return [
    'local all all peer map=local',
    'hostssl postgres streaming_replica all cert map=cnpg_streaming_replica',
    'hostssl replication streaming_replica all cert map=cnpg_streaming_replica',
    ...pgHbaRules(),
    'host all all all scram-sha-256',
    '',
  ].join('\n');
}

/** pg_ident.conf: the OS user the server runs as may connect as the superuser over the socket (peer). */
export function operatorPgIdent(osUser: string): string {
  return [`local ${osUser} ${OPERATOR_SUPERUSER}`, 'cnpg_streaming_replica streaming_replica streaming_replica', ''].join('\n');
}

export interface InstancePaths {
  /** Directory holding tls.crt, tls.key (server) and ca.crt (the client CA). */
  readonly tls: string;
  /** Directory holding pg_hba.conf and pg_ident.conf. */
  readonly config: string;
  readonly socket: string;
  readonly listen: string;
  readonly port: number;
}

/** Every server setting: the operator's fixed ones (loopback addresses and paths), then the rendered parameters. */
export function instanceSettings(paths: InstancePaths): Record<string, string> {
  return {
    ssl: 'on',
    ssl_cert_file: `${paths.tls}/tls.crt`,
    ssl_key_file: `${paths.tls}/tls.key`,
    ssl_ca_file: `${paths.tls}/ca.crt`,
    ssl_max_protocol_version: 'TLSv1.3',
    listen_addresses: paths.listen,
    port: String(paths.port),
    unix_socket_directories: paths.socket,
    hba_file: `${paths.config}/pg_hba.conf`,
    ident_file: `${paths.config}/pg_ident.conf`,
    ...postgresParameters(),
  };
}

/** The settings as `postgres` command-line arguments. */
export function instanceArguments(paths: InstancePaths): string[] {
  return Object.entries(instanceSettings(paths)).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/** initdb's arguments as the instance manager passes them (the superuser, checksums, the rendered locale). */
export function initdbArguments(dataDirectory: string): string[] {
  return [
    '-D',
    dataDirectory,
    `--username=${OPERATOR_SUPERUSER}`,
    `--encoding=${POSTGRES_INITDB.encoding}`,
    `--lc-collate=${POSTGRES_INITDB.localeCollate}`,
    `--lc-ctype=${POSTGRES_INITDB.localeCType}`,
    '--data-checksums',
    '--auth=peer',
  ];
}

/** What the instance manager runs after initdb, one statement each: the owner role with the bootstrap Secret's password, and its database. */
export function bootstrapStatements(password: string): string[] {
  const literal = `'${password.replace(/'/g, "''")}'`;
  return [`CREATE ROLE ${POSTGRES_ROLE} LOGIN PASSWORD ${literal}`, `CREATE DATABASE ${POSTGRES_DATABASE} OWNER ${POSTGRES_ROLE}`];
}

/** psql arguments running the bootstrap as the superuser over the socket (peer authentication, as the server's OS user). */
export function bootstrapPsqlArguments(socket: string, port: number, password: string): string[] {
  return [
    '-h',
    socket,
    '-p',
    String(port),
    '-U',
    OPERATOR_SUPERUSER,
    '-d',
    'postgres',
    '-XAtq',
    '-v',
    'ON_ERROR_STOP=1',
    ...bootstrapStatements(password).flatMap((statement) => ['-c', statement]),
  ];
}
