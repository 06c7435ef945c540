/**
 * PostgreSQL server settings for the homeserver database: TLS only (1.2+), SCRAM
 * passwords, the synapse role and database only. Secret-free: the password and the
 * certificate arrive as mounted files.
 */
import { POSTGRES_SERVICE_PORT } from '../model/workload-spec';

export const POSTGRES_DATABASE = 'synapse';
export const POSTGRES_ROLE = 'synapse';

export interface PostgresPaths {
  readonly configDirectory: string;
  readonly tlsDirectory: string;
}

/** Server options passed as `-c key=value` arguments (the image's entrypoint keeps initdb working). */
export function postgresServerArgs(paths: PostgresPaths): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '*',
    port: String(POSTGRES_SERVICE_PORT.containerPort),
    hba_file: `${paths.configDirectory}/pg_hba.conf`,
    ssl: 'on',
    ssl_cert_file: `${paths.tlsDirectory}/tls.crt`,
    ssl_key_file: `${paths.tlsDirectory}/tls.key`,
    ssl_ca_file: `${paths.tlsDirectory}/ca.crt`,
    ssl_min_protocol_version: 'TLSv1.2',
    password_encryption: 'scram-sha-256',
    log_connections: 'on',
    log_disconnections: 'on',
    unix_socket_directories: '/var/run/postgresql',
  };
  return ['postgres', ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
}

/**
 * Client authentication: local socket with SCRAM (the entrypoint's init), and TCP only over
 * TLS, only for the synapse role on the synapse database. Which pods may connect at all
 * is the flow matrix's job; this file is the second lock.
 */
export function renderPgHba(): string {
  return [
    '# TYPE   DATABASE  USER     ADDRESS    METHOD',
    'local    all       all                 scram-sha-256',
    `hostssl  ${POSTGRES_DATABASE}   ${POSTGRES_ROLE}  0.0.0.0/0  scram-sha-256`,
    `hostssl  ${POSTGRES_DATABASE}   ${POSTGRES_ROLE}  ::/0       scram-sha-256`,
    '',
  ].join('\n');
}

/** initdb options: Synapse requires C collation and ctype (it refuses other locales by default). */
export const POSTGRES_INITDB_ARGS = '--encoding=UTF8 --locale=C --auth-local=scram-sha-256 --auth-host=scram-sha-256';
