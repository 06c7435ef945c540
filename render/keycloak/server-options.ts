/**
 * Keycloak's server options and its two programs. Build options are fixed at `kc.sh build`
 * (run by an init step into a writable copy of the distribution, since the image's own is
 * read-only); runtime options are the `keycloak.conf` file. Both are rendered from the model;
 * the only configured texts in them are the server name (a validated host name) and the
 * homeserver's name (a validated slug), and the file format's one special sequence, `${`, is
 * refused in every config string. Secrets are never options: the start program reads the
 * database password and the client secret from their files into its own environment, where
 * Keycloak and the realm import read them.
 */
import type { HomeserverSettings } from '../../config/deployment-config';
import { homeserverServiceName, hostOf } from '../../model/dns-names';
import {
  KEYCLOAK_DATABASE,
  KEYCLOAK_DATABASE_ROLE,
  KEYCLOAK_HTTPS_PORT,
  KEYCLOAK_MANAGEMENT_PORT,
  KEYCLOAK_PATH,
  REALM_NAME,
} from '../../model/identity';
import { POSTGRES_SERVICES } from '../../model/postgres';
import { POSTGRES_SERVICE_PORT } from '../../model/workload-spec';
import { shellQuoted } from '../shell';

/** Where the Keycloak pod sees its files. */
export const KEYCLOAK_PATHS = {
  /** The image's distribution (read-only). */
  imageHome: '/opt/keycloak',
  /** The built copy the server runs from (an emptyDir). */
  home: '/run/keycloak',
  serverConfigDirectory: '/config/server',
  serverConfig: '/config/server/keycloak.conf',
  realmDirectory: '/config/realm',
  realmFile: '/config/realm/realm.json',
  tlsDirectory: '/secrets/tls',
  databaseSecretDirectory: '/secrets/database',
  clientSecretDirectory: '/secrets/oidc-client',
  /** Keycloak's file vault: one file per secret, named `<realm>_<key>`. */
  vaultDirectory: '/secrets/vault',
  trustDirectory: '/trust',
  tmp: '/tmp',
} as const;

/** The vault key the LDAP federation's bind password is read under (`${vault.ldapbind}`). */
export const LDAP_BIND_VAULT_KEY = 'ldapbind';
/** The vault file External Secrets writes: Keycloak looks up `<realm>_<key>`. */
export const LDAP_BIND_VAULT_FILE = `${REALM_NAME}_${LDAP_BIND_VAULT_KEY}`;
/** The environment variable the realm import reads the Synapse client's secret from (`${...}` in the realm file). */
export const CLIENT_SECRET_VARIABLE = 'MATRIX_SYNAPSE_CLIENT_SECRET';

/** Build-time options: PostgreSQL, health and metrics on the management port, the path prefix, the file vault. */
function keycloakBuildOptions(): Readonly<Record<string, string>> {
  return {
    db: 'postgres',
    'health-enabled': 'true',
    'metrics-enabled': 'true',
    'http-relative-path': KEYCLOAK_PATH,
    vault: 'file',
    // Nothing the realm does not use: no impersonation by admins, no Kerberos, no device or back-channel login.
    'features-disabled': 'impersonation,kerberos,device-flow,ciba',
  };
}

/** Runtime options (`keycloak.conf`). */
export function keycloakRuntimeOptions(homeserver: HomeserverSettings): Readonly<Record<string, string>> {
  const database = homeserverServiceName(homeserver.name, 'homeserver', POSTGRES_SERVICES.readWrite);
  const trust = `${KEYCLOAK_PATHS.trustDirectory}/ca.crt`;
  return {
    'db-url': `jdbc:postgresql://${database}:${POSTGRES_SERVICE_PORT.servicePort}/${KEYCLOAK_DATABASE}?sslmode=verify-full&sslrootcert=${trust}`,
    'db-username': KEYCLOAK_DATABASE_ROLE,
    // Below the role's connection limit (20): a burst of logins waits for a connection instead of failing.
    'db-pool-max-size': '15',
    // The public name behind the gateway; back-channel calls (Synapse, in-cluster) may use the Service name.
    hostname: `https://${hostOf(homeserver.serverName)}${KEYCLOAK_PATH}`,
    'hostname-strict': 'true',
    'hostname-backchannel-dynamic': 'true',
    'http-enabled': 'false',
    'https-port': String(KEYCLOAK_HTTPS_PORT.containerPort),
    'https-certificate-file': `${KEYCLOAK_PATHS.tlsDirectory}/tls.crt`,
    'https-certificate-key-file': `${KEYCLOAK_PATHS.tlsDirectory}/tls.key`,
    'https-protocols': 'TLSv1.3,TLSv1.2',
    'http-management-port': String(KEYCLOAK_MANAGEMENT_PORT.containerPort),
    // Outbound TLS (LDAPS to the directory, PostgreSQL) trusts the internal CA and verifies host names.
    'truststore-paths': trust,
    'tls-hostname-verifier': 'DEFAULT',
    'vault-dir': KEYCLOAK_PATHS.vaultDirectory,
    // proxy-headers stays unset: no X-Forwarded-* is believed, the public URL is fixed above.
    'log-console-output': 'json',
    // One replica: no cluster discovery, no cache traffic between pods.
    cache: 'local',
  };
}

/** `keycloak.conf`: one `key=value` per line. */
export function renderKeycloakConf(options: Readonly<Record<string, string>>): string {
  const lines = Object.entries(options).map(([key, value]) => {
    if (!/^[a-z][a-z0-9-]*$/.test(key)) throw new Error(`keycloak option ${JSON.stringify(key)} is not an option name`);
    if (/[\r\n]|\$\{/.test(value)) throw new Error(`keycloak option ${key} has a line break or \${ in its value`);
    return `${key}=${value}`;
  });
  return `${lines.join('\n')}\n`;
}

/** The build options as `kc.sh build` arguments. */
function buildArguments(options: Readonly<Record<string, string>>): string[] {
  return Object.entries(options).map(([key, value]) => `--${key}=${value}`);
}

/**
 * The init step: copy the image's distribution into the writable home and build it there with
 * the build options (Keycloak writes the build into its own lib/ directory).
 */
export function keycloakBuildCommand(): string[] {
  const { imageHome, home } = KEYCLOAK_PATHS;
  const script = [
    'set -eu',
    `cp -R ${shellQuoted(`${imageHome}/.`)} ${shellQuoted(`${home}/`)}`,
    `exec ${shellQuoted(`${home}/bin/kc.sh`)} build ${buildArguments(keycloakBuildOptions()).map(shellQuoted).join(' ')}`,
  ].join('\n');
  return ['/bin/bash', '-c', script];
}

/**
 * The server: the database password and the client secret read from their files into the
 * process environment (Keycloak reads KC_DB_PASSWORD; the realm import resolves the client
 * secret's placeholder), the realm file put where `--import-realm` reads it (an existing realm
 * is left as it is), then the built server, optimized, with the rendered options.
 */
export function keycloakStartCommand(): string[] {
  const { home, serverConfig, realmFile, databaseSecretDirectory, clientSecretDirectory } = KEYCLOAK_PATHS;
  const script = [
    'set -eu',
    `KC_DB_PASSWORD="$(cat ${shellQuoted(`${databaseSecretDirectory}/password`)})"`,
    `${CLIENT_SECRET_VARIABLE}="$(cat ${shellQuoted(`${clientSecretDirectory}/secret`)})"`,
    `export KC_DB_PASSWORD ${CLIENT_SECRET_VARIABLE}`,
    `mkdir -p ${shellQuoted(`${home}/data/import`)}`,
    `cp ${shellQuoted(realmFile)} ${shellQuoted(`${home}/data/import/${REALM_NAME}-realm.json`)}`,
    `exec ${shellQuoted(`${home}/bin/kc.sh`)} --config-file=${shellQuoted(serverConfig)} start --optimized --import-realm`,
  ].join('\n');
  return ['/bin/bash', '-c', script];
}
