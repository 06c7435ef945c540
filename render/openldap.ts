/**
 * The OpenLDAP server configuration (cn=config as LDIF, loaded with `slapadd -n 0` into a
 * fresh memory directory at every start: the running config can only change by redeploying).
 * LDAPS only, anonymous bind refused, search size/time bounds, and ACLs that let the
 * reader bind account (the identity provider's) read only the attributes it needs. No root DN, no secret: user
 * entries and password hashes come from a bootstrap LDIF held in a Secret.
 */
import type { DirectorySettings } from '../config/deployment-config';
import { distinguishedNameProblem } from '../config/validators';
import { LDAPS_PORT } from '../model/workload-spec';

/**
 * A DN as it is written into cn=config (olcSuffix, quoted olcAccess), LDIF and the init script
 * (inside printf's double-quoted format): only the escape-free grammar the config accepts, so
 * none of those syntaxes can be reached. Anything else is a programming error, refused here.
 */
function plainDn(dn: string): string {
  const problem = distinguishedNameProblem(dn);
  if (problem) throw new Error(`DN ${JSON.stringify(dn)} cannot be written into the directory configuration: ${problem}`);
  return dn;
}

/** Where a given OpenLDAP build keeps its programs and files. */
export interface OpenLdapLayout {
  readonly slapd: string;
  readonly slapadd: string;
  /** Exports a database as LDIF (the directory backup). */
  readonly slapcat: string;
  readonly slapmodify: string;
  readonly slappasswd: string;
  readonly modulePath: string;
  readonly schemaDirectory: string;
  /** Modules to load (builds differ in what is static). */
  readonly modules: readonly string[];
  readonly tlsLibrary: 'openssl' | 'gnutls';
}

/**
 * The deployed image (bitnamilegacy/openldap 2.6, OpenSSL). Untested here: its build sets a
 * NET_BIND_SERVICE file capability on slapd, which a container dropping ALL capabilities may
 * be refused to exec; this config needs no such capability (it listens on 1636).
 */
export const BITNAMI_LAYOUT: OpenLdapLayout = {
  slapd: '/opt/bitnami/openldap/sbin/slapd',
  slapadd: '/opt/bitnami/openldap/sbin/slapadd',
  slapcat: '/opt/bitnami/openldap/sbin/slapcat',
  slapmodify: '/opt/bitnami/openldap/sbin/slapmodify',
  slappasswd: '/opt/bitnami/openldap/sbin/slappasswd',
  modulePath: '/opt/bitnami/openldap/lib/openldap',
  schemaDirectory: '/opt/bitnami/openldap/etc/schema',
  modules: ['back_mdb', 'memberof'],
  tlsLibrary: 'openssl',
};

/** Debian's slapd package (GnuTLS), used by the tests to validate the rendered config. */
export const DEBIAN_LAYOUT: OpenLdapLayout = {
  slapd: '/usr/sbin/slapd',
  slapadd: '/usr/sbin/slapadd',
  slapcat: '/usr/sbin/slapcat',
  slapmodify: '/usr/sbin/slapmodify',
  slappasswd: '/usr/sbin/slappasswd',
  modulePath: '/usr/lib/ldap',
  schemaDirectory: '/etc/ldap/schema',
  modules: ['back_mdb', 'memberof'],
  tlsLibrary: 'gnutls',
};

export interface OpenLdapPaths {
  readonly configDirectory: string;
  readonly runtimeConfigDirectory: string;
  readonly dataDirectory: string;
  readonly tlsDirectory: string;
  readonly bootstrapLdif: string;
  /** The reader account's password (the ldap-bind secret), hashed into its entry at every start. */
  readonly bindPasswordFile: string;
}

export const OPENLDAP_PATHS: OpenLdapPaths = {
  configDirectory: '/config',
  runtimeConfigDirectory: '/run/slapd.d',
  dataDirectory: '/var/lib/openldap',
  tlsDirectory: '/tls',
  bootstrapLdif: '/secrets/bootstrap/bootstrap.ldif',
  bindPasswordFile: '/secrets/ldap-bind/password',
};

/** TLS 1.2+ with forward-secret AEAD suites only, in each library's syntax. */
const CIPHERS: Readonly<Record<OpenLdapLayout['tlsLibrary'], string>> = {
  openssl:
    'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
  gnutls:
    'SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA',
};

function entry(dn: string, attributes: readonly (readonly [string, string])[]): string {
  return [`dn: ${dn}`, ...attributes.map(([name, value]) => `${name}: ${value}`), ''].join('\n');
}

/**
 * The attributes the identity provider's federation reads (uid, mail, cn; entryUUID, the stable
 * id its users are keyed by) and evaluates in its filter.
 */
export const READER_ATTRIBUTES = ['entry', 'objectClass', 'uid', 'mail', 'cn', 'memberOf', 'entryUUID'] as const;

export function accessRules(directory: DirectorySettings): string[] {
  const reader = `dn.exact="${plainDn(directory.bindDn)}"`;
  return [
    // Passwords are never readable; anyone may only present one to bind.
    'to attrs=userPassword by anonymous auth by * none',
    `to dn.subtree="${plainDn(directory.usersDn)}" attrs=${READER_ATTRIBUTES.join(',')} by ${reader} read by * none`,
    // The reader needs to see the search base itself to search under it.
    `to dn.base="${directory.usersDn}" by ${reader} search by * none`,
    'to * by * none',
  ];
}

export function renderSlapdConfig(directory: DirectorySettings, layout: OpenLdapLayout, paths: OpenLdapPaths = OPENLDAP_PATHS): string {
  const tls = paths.tlsDirectory;
  const entries = [
    entry('cn=config', [
      ['objectClass', 'olcGlobal'],
      ['cn', 'config'],
      ['olcTLSCertificateFile', `${tls}/tls.crt`],
      ['olcTLSCertificateKeyFile', `${tls}/tls.key`],
      ['olcTLSCACertificateFile', `${tls}/ca.crt`],
      ['olcTLSProtocolMin', '3.3'],
      ['olcTLSCipherSuite', CIPHERS[layout.tlsLibrary]],
      ['olcTLSVerifyClient', 'never'],
      ['olcDisallows', 'bind_anon'],
      ['olcRequires', 'authc'],
      ['olcSecurity', 'tls=128'],
      ['olcSizeLimit', String(directory.sizeLimit)],
      ['olcTimeLimit', String(directory.timeLimitSeconds)],
      ['olcIdleTimeout', '300'],
      ['olcLogLevel', 'stats'],
    ]),
    entry('cn=module{0},cn=config', [
      ['objectClass', 'olcModuleList'],
      ['cn', 'module{0}'],
      ['olcModulePath', layout.modulePath],
      ...layout.modules.map((module) => ['olcModuleLoad', module] as const),
    ]),
    entry('cn=schema,cn=config', [
      ['objectClass', 'olcSchemaConfig'],
      ['cn', 'schema'],
    ]),
    ...['core', 'cosine', 'inetorgperson'].map((schema) => `include: file://${layout.schemaDirectory}/${schema}.ldif\n`),
    entry('olcDatabase={-1}frontend,cn=config', [
      ['objectClass', 'olcDatabaseConfig'],
      ['objectClass', 'olcFrontendConfig'],
      ['olcDatabase', '{-1}frontend'],
      ['olcAccess', '{0}to * by * none'],
      ['olcRequires', 'authc'],
    ]),
    // Nobody administers the running server: configuration comes only from this file.
    entry('olcDatabase={0}config,cn=config', [
      ['objectClass', 'olcDatabaseConfig'],
      ['olcDatabase', '{0}config'],
      ['olcAccess', '{0}to * by * none'],
    ]),
    entry('olcDatabase={1}mdb,cn=config', [
      ['objectClass', 'olcDatabaseConfig'],
      ['objectClass', 'olcMdbConfig'],
      ['olcDatabase', '{1}mdb'],
      ['olcSuffix', plainDn(directory.baseDn)],
      ['olcDbDirectory', paths.dataDirectory],
      ['olcDbMaxSize', String(1024 ** 3)],
      ['olcDbIndex', 'objectClass eq'],
      ['olcDbIndex', 'uid,mail eq'],
      ['olcSizeLimit', String(directory.sizeLimit)],
      ['olcTimeLimit', String(directory.timeLimitSeconds)],
      ['olcRequires', 'authc'],
      ...accessRules(directory).map((rule, index) => ['olcAccess', `{${index}}${rule}`] as const),
    ]),
    // Maintains memberOf on online changes. slapadd bypasses overlays, so the bootstrap LDIF carries memberOf itself.
    entry('olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config', [
      ['objectClass', 'olcOverlayConfig'],
      ['objectClass', 'olcMemberOf'],
      ['olcOverlay', '{0}memberof'],
      ['olcMemberOfRefInt', 'TRUE'],
      ['olcMemberOfGroupOC', 'groupOfNames'],
      ['olcMemberOfMemberAD', 'member'],
      ['olcMemberOfMemberOfAD', 'memberOf'],
    ]),
  ];
  return `# Generated by matrix-sovereign-iac; contains no secret.\n${entries.join('\n')}`;
}

/**
 * The bind account's entry, with `$hash` (a shell variable) as its password. The object class
 * follows the RDN attribute: `cn=` entries are applicationProcess, `uid=` entries account.
 */
export function bindAccountEntry(bindDn: string): string {
  const rdn = /^([A-Za-z]+)=([^,]+),/.exec(plainDn(bindDn));
  if (!rdn || !['cn', 'uid'].includes((rdn[1] ?? '').toLowerCase())) throw new Error(`bind DN "${bindDn}" must start with cn= or uid=`);
  const attribute = (rdn[1] ?? '').toLowerCase();
  const structural = attribute === 'cn' ? 'applicationProcess' : 'account';
  return [
    `dn: ${bindDn}`,
    `objectClass: ${structural}`,
    'objectClass: simpleSecurityObject',
    `${attribute}: ${rdn[2]}`,
    'userPassword: $hash',
    '',
  ].join('\n');
}

/**
 * Init steps: load the config into a fresh directory; on first start load the bootstrap
 * entries and add the bind account; on every later start re-hash the bind account's
 * password, so a rotated ldap-bind secret takes effect with a restart. The password is
 * hashed with slappasswd (salted SHA-1; the value is 40 random characters, so the hash
 * is not what protects it), read from the mounted file, never from an argument.
 */
export function slapdInitCommands(
  layout: OpenLdapLayout,
  directory: Pick<DirectorySettings, 'bindDn'>,
  paths: OpenLdapPaths = OPENLDAP_PATHS,
): { name: string; command: string[] }[] {
  const entry = bindAccountEntry(directory.bindDn).replace(/\n/g, '\\n');
  const change = [`dn: ${directory.bindDn}`, 'changetype: modify', 'replace: userPassword', 'userPassword: $hash', '-', ''].join('\\n');
  const config = `-F ${paths.runtimeConfigDirectory}`;
  const script = [
    `hash=$(${layout.slappasswd} -T ${paths.bindPasswordFile})`,
    `if test -e ${paths.dataDirectory}/data.mdb; then`,
    `  printf "${change}" | ${layout.slapmodify} -n 1 ${config}`,
    'else',
    `  ${layout.slapadd} -n 1 ${config} -l ${paths.bootstrapLdif}`,
    `  printf "${entry}" | ${layout.slapadd} -n 1 ${config}`,
    'fi',
  ].join('\n');
  return [
    {
      name: 'load-config',
      command: [layout.slapadd, '-n', '0', '-F', paths.runtimeConfigDirectory, '-l', `${paths.configDirectory}/slapd-config.ldif`],
    },
    { name: 'directory-data', command: ['sh', '-ec', script] },
  ];
}

/** slapd in the foreground, listening for LDAPS only (no ldap:// or ldapi:// listener exists). */
export function slapdCommand(layout: OpenLdapLayout, paths: OpenLdapPaths = OPENLDAP_PATHS): string[] {
  return [layout.slapd, '-d', 'stats', '-h', `ldaps://0.0.0.0:${LDAPS_PORT.containerPort}/`, '-F', paths.runtimeConfigDirectory];
}
