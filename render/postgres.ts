/**
 * PostgreSQL settings of the homeserver database, as the CloudNativePG cluster carries them:
 * the server parameters we set (TLS 1.3, SCRAM, connection logging) and the client
 * authentication rules (only the synapse role, only to the synapse database, only over TLS).
 * The operator adds its own fixed settings around them (TLS files, listen address, its
 * replication and local rules); what it adds is stated where the settings are booted for real
 * (the integration harness and test/render/postgres-live.ttest.ts).
 */
import { KEYCLOAK_DATABASE, KEYCLOAK_DATABASE_ROLE } from '../model/identity';

export const POSTGRES_DATABASE = 'synapse';
export const POSTGRES_ROLE = 'synapse';

/** What goes into the Cluster's `spec.postgresql.parameters` (the operator refuses the settings it manages). */
export function postgresParameters(): Record<string, string> {
  return {
    // The operator's default, stated: no client or standby negotiates below TLS 1.3.
    ssl_min_protocol_version: 'TLSv1.3',
    password_encryption: 'scram-sha-256',
    log_connections: 'on',
    log_disconnections: 'on',
    // A WAL segment reaches the object store at most a minute after its first write, even when
    // traffic is low: this bounds what a lost volume can take with it (the operator's default is 5 minutes).
    archive_timeout: '60s',
  };
}

/**
 * The user-defined pg_hba rules (`spec.postgresql.pg_hba`). The operator puts its fixed rules
 * before them (local peer access inside the pod, certificate-only `streaming_replica`) and a
 * catch-all `host all all all scram-sha-256` after them; the final reject here keeps that
 * catch-all from ever matching, so TCP admits the synapse role to the synapse database and the
 * identity provider's keycloak role to its keycloak database, over TLS, and nothing else. Which pods may connect at all is the flow matrix's job; this is the second lock.
 */
export function pgHbaRules(): string[] {
  return [
    `hostssl ${POSTGRES_DATABASE} ${POSTGRES_ROLE} all scram-sha-256`,
    `hostssl ${KEYCLOAK_DATABASE} ${KEYCLOAK_DATABASE_ROLE} all scram-sha-256`,
    'host all all all reject',
  ];
}

/** Synapse requires C collation and ctype (it refuses other locales by default); UTF8 encoding. */
export const POSTGRES_INITDB = { encoding: 'UTF8', localeCollate: 'C', localeCType: 'C' } as const;
