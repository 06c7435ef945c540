import { invocations } from '../../../tfjson/invocations';
import { keycloakRealms, type RealmFile } from '../../../tfjson/keycloak-realm';
import { containerAddress, podSpecs } from '../../../tfjson/pod-specs';
import { ldapModules, shown, synapseConfigFiles } from '../../../tfjson/synapse-config';
import { isObject, type JsonObject, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** ldap3 reads tls_options.validate as an ssl.CERT_* value; 2 is ssl.CERT_REQUIRED (its default is CERT_NONE). */
const CERT_REQUIRED = 2;

function uris(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function moduleProblems(path: string, config: JsonObject): string[] {
  const problems: string[] = [];
  const list = uris(config.uri);
  const startTls = config.start_tls === true;
  if (list.length === 0) problems.push(`${path}.config.uri is ${shown(config.uri)}`);
  for (const uri of list)
    if (!/^ldaps:\/\//i.test(uri) && !startTls)
      problems.push(
        `${path}.config.uri ${JSON.stringify(uri)} is not ldaps:// and start_tls is not true: the bind password crosses the network in clear`,
      );
  const tls = isObject(config.tls_options) ? config.tls_options : {};
  if (tls.validate !== CERT_REQUIRED)
    problems.push(
      `${path}.config.tls_options.validate is ${shown(tls.validate)}, must be 2 (ssl.CERT_REQUIRED; ldap3 does not verify the server certificate by default)`,
    );
  if (typeof tls.ca_certs_file !== 'string' || tls.ca_certs_file === '')
    problems.push(
      `${path}.config.tls_options.ca_certs_file is ${shown(tls.ca_certs_file)}: nothing to verify the directory's certificate against`,
    );
  return problems;
}

/** Keycloak's LDAP user federations (a realm's `org.keycloak.storage.UserStorageProvider` components with providerId ldap). */
function ldapFederations(realm: RealmFile): JsonObject[] {
  const components = isObject(realm.realm.components) ? realm.realm.components : {};
  const providers = components['org.keycloak.storage.UserStorageProvider'];
  return (Array.isArray(providers) ? providers : []).filter(
    (component): component is JsonObject => isObject(component) && component.providerId === 'ldap',
  );
}

/** Keycloak component settings are lists of strings: the first one. */
function componentSetting(config: JsonObject, key: string): unknown {
  const value = config[key];
  return Array.isArray(value) ? value[0] : value;
}

function federationProblems(realm: RealmFile): string[] {
  return ldapFederations(realm).flatMap((component) => {
    const name = `LDAP federation ${JSON.stringify(component.name ?? '?')}`;
    const config = isObject(component.config) ? component.config : {};
    const url = componentSetting(config, 'connectionUrl');
    const startTls = componentSetting(config, 'startTls') === 'true';
    const list = typeof url === 'string' ? url.split(/\s+/).filter(Boolean) : [];
    if (list.length === 0) return [`${name} connectionUrl is ${shown(url)}`];
    return list
      .filter((entry) => !/^ldaps:\/\//i.test(entry) && !startTls)
      .map(
        (entry) =>
          `${name} connectionUrl ${JSON.stringify(entry)} is not ldaps:// and startTls is not "true": the bind password crosses the network in clear`,
      );
  });
}

const SLAPD_DEFAULT_LISTENER = "ldap:/// (slapd's default without -h)";

/** The listener URLs of every slapd a container starts (directly or in a `sh -c` script): its `-h` list, or slapd's default. */
function slapdListeners(container: JsonObject): string[][] {
  return invocations(container)
    .filter((invocation) => invocation.program === 'slapd')
    .map((invocation) => {
      let listeners: string[] | undefined;
      invocation.args.forEach((option, index) => {
        if (option === '-h') listeners = (invocation.args[index + 1] ?? '').split(/\s+/).filter(Boolean);
        else if (option.startsWith('-h') && option.length > 2) listeners = option.slice(2).split(/\s+/).filter(Boolean);
      });
      return listeners ?? [SLAPD_DEFAULT_LISTENER];
    });
}

/** A container that runs the OpenLDAP image's own entrypoint (no command): slapd, with listeners this audit cannot see. */
function runsOpenldapEntrypoint(container: JsonObject): boolean {
  const hasCommand = Array.isArray(container.command) && container.command.length > 0;
  return !hasCommand && typeof container.image === 'string' && /openldap|slapd/i.test(container.image);
}

function slapdViolations(stack: SynthesizedStack): Violation[] {
  return podSpecs(stack).flatMap((view) =>
    view.containers.flatMap((container): Violation[] => {
      const address = containerAddress(view, container);
      if (runsOpenldapEntrypoint(container)) {
        return [
          {
            address,
            message: 'runs the OpenLDAP image entrypoint: its listeners are not visible here; run slapd -h "ldaps:///" explicitly',
          },
        ];
      }
      return slapdListeners(container).flatMap((listeners) =>
        listeners
          .filter((url) => !/^ldaps:\/\//i.test(url))
          .map((url) => ({ address, message: `slapd listens on ${url}; only ldaps:// is allowed` })),
      );
    }),
  );
}

/**
 * LDAP only over verified TLS: the Synapse LDAP module uses ldaps:// (or StartTLS) with
 * certificate validation against a CA file, Keycloak's LDAP federation uses ldaps:// (or
 * StartTLS; the certificate is verified against Keycloak's truststore), and slapd listens on
 * ldaps:// only.
 */
export const rule: Rule = {
  id: 'NET-09',
  title: 'TLS to the directory, verified',
  level: 'error',
  lesson:
    'Hard-coded LDAP credentials were the way in: a bind password sent in clear, or to an unverified server, is a credential handed out.',
  references: { nsaCisa: 'Network separation and hardening: encrypt traffic (TLS)' },
  fix: 'Configure the LDAP module with uri: ldaps://<directory>:636, tls_options: { validate: 2, ca_certs_file: <internal CA> }, Keycloak\'s LDAP federation with connectionUrl ldaps://<directory>:636 (the internal CA in its truststore), and start slapd with -h "ldaps:///" only (no ldap:// or ldapi://).',
  appliesTo: {
    subject: 'LDAP client configuration of Synapse or Keycloak, or slapd',
    presentIn: (stack) =>
      synapseConfigFiles(stack).some((file) => ldapModules(file.own).length > 0) ||
      keycloakRealms(stack).some((realm) => ldapFederations(realm).length > 0) ||
      podSpecs(stack).some((view) =>
        view.containers.some((container) => runsOpenldapEntrypoint(container) || slapdListeners(container).length > 0),
      ),
  },
  check: (stack) => [
    ...synapseConfigFiles(stack).flatMap((file) =>
      ldapModules(file.own).flatMap((entry) =>
        moduleProblems(entry.path, entry.config).map((message) => ({ address: file.address, message })),
      ),
    ),
    ...keycloakRealms(stack).flatMap((realm) => federationProblems(realm).map((message) => ({ address: realm.address, message }))),
    ...slapdViolations(stack),
  ],
};
