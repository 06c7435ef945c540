/** The case table of NET-09 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { editSynapse, synapseConfigFile, workerConfigFile } from '../../../test/policies/case-helpers/common';
import { editRealm, federationConfig, realmFile } from '../../../test/policies/case-helpers/idn';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, containerAddress, containerOf, copy, podSpecOf, R } from '../../../test/policies/fixtures';
import { blocks, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';

// ---------------------------------------------------------------- NET-09: LDAP over verified TLS
const LDAP_URI = 'ldaps://openldap.agency-directory.svc:636';

/**
 * Synapse no longer checks passwords against the directory (the realm does, APP-02), but NET-09
 * still judges an LDAP module wherever one is configured: these cases add one, verified, and break it.
 */
const VERIFIED_MODULE = {
  module: 'ldap_auth_provider.LdapAuthProviderModule',
  config: { enabled: true, uri: LDAP_URI, start_tls: false, tls_options: { validate: 2, ca_certs_file: '/trust/ca.crt' } },
};

const editLdap = (edit: (module: JsonObject) => void) =>
  editSynapse((config) => {
    config.modules = [copy(VERIFIED_MODULE)];
    edit(child(blocks(config.modules)[0] ?? {}, 'config'));
  });

/** Edits the realm's LDAP federation settings (each a list of strings). */
const editFederation = (edit: (config: JsonObject) => void) => editRealm((realm) => edit(federationConfig(realm)));

const openldapContainer = containerAddress(R.openldapStatefulSet, 'openldap');

const slapdCommand = (j: TerraformJson) => containerOf(j, R.openldapStatefulSet);

export const cases: RuleCases = {
  bad: [
    {
      name: 'ldap:// without StartTLS',
      mutate: editLdap((module) => (module.uri = 'ldap://openldap.agency-directory.svc:389')),
      address: synapseConfigFile,
      message: 'modules[0].config.uri "ldap://openldap.agency-directory.svc:389" is not ldaps:// and start_tls is not true',
    },
    {
      name: 'one ldap:// URI in a list',
      mutate: editLdap((module) => (module.uri = [LDAP_URI, 'ldap://ldap-backup.example.org'])),
      address: synapseConfigFile,
      message: 'uri "ldap://ldap-backup.example.org" is not ldaps://',
    },
    {
      name: 'uri absent',
      mutate: editLdap((module) => delete module.uri),
      address: synapseConfigFile,
      message: 'modules[0].config.uri is (absent)',
    },
    {
      name: 'tls_options.validate absent (ldap3 default CERT_NONE)',
      mutate: editLdap((module) => delete child(module, 'tls_options').validate),
      address: synapseConfigFile,
      message: 'tls_options.validate is (absent), must be 2 (ssl.CERT_REQUIRED',
    },
    {
      name: 'tls_options.validate 1 (CERT_OPTIONAL)',
      mutate: editLdap((module) => (child(module, 'tls_options').validate = 1)),
      address: synapseConfigFile,
      message: 'tls_options.validate is 1, must be 2',
    },
    {
      name: 'tls_options absent',
      mutate: editLdap((module) => delete module.tls_options),
      address: synapseConfigFile,
      message: 'tls_options.ca_certs_file is (absent): nothing to verify',
    },
    {
      name: 'ca_certs_file empty',
      mutate: editLdap((module) => (child(module, 'tls_options').ca_certs_file = '')),
      address: synapseConfigFile,
      message: 'tls_options.ca_certs_file is ""',
    },
    {
      name: 'legacy password_providers entry over ldap://',
      mutate: editSynapse(
        (config) =>
          (config.password_providers = [
            {
              module: 'ldap_auth_provider.LdapAuthProvider',
              config: { enabled: true, uri: 'ldap://openldap:389', tls_options: { validate: 2, ca_certs_file: '/trust/ca.crt' } },
            },
          ]),
      ),
      address: synapseConfigFile,
      message: 'password_providers[0].config.uri "ldap://openldap:389" is not ldaps://',
    },
    {
      name: 'worker file with its own LDAP module over ldap://',
      mutate: editSynapse(
        (config) =>
          (config.modules = [
            { module: 'ldap_auth_provider.LdapAuthProviderModule', config: { enabled: true, uri: 'ldap://openldap:389' } },
          ]),
        'worker.yaml',
      ),
      address: workerConfigFile,
      message: 'modules[0].config.uri "ldap://openldap:389" is not ldaps://',
    },
    {
      name: "the realm's LDAP federation over ldap://",
      mutate: editFederation((config) => (config.connectionUrl = ['ldap://openldap.agency-directory.svc:1389'])),
      address: realmFile,
      message:
        'LDAP federation "directory" connectionUrl "ldap://openldap.agency-directory.svc:1389" is not ldaps:// and startTls is not "true": the bind password crosses the network in clear',
    },
    {
      name: "one ldap:// URL among the federation's failover URLs",
      mutate: editFederation((config) => (config.connectionUrl = [`${LDAP_URI} ldap://ldap-backup.example.org`])),
      address: realmFile,
      message: 'connectionUrl "ldap://ldap-backup.example.org" is not ldaps://',
    },
    {
      name: 'the federation without a connectionUrl',
      mutate: editFederation((config) => delete config.connectionUrl),
      address: realmFile,
      message: 'LDAP federation "directory" connectionUrl is (absent)',
    },
    {
      name: 'slapd also listening on ldap:///',
      mutate: (j) =>
        (slapdCommand(j).command = [
          '/opt/bitnami/openldap/sbin/slapd',
          '-d',
          'stats',
          '-h',
          'ldaps://0.0.0.0:1636/ ldap://0.0.0.0:1389/',
          '-F',
          '/run/slapd.d',
        ]),
      address: openldapContainer,
      message: 'slapd listens on ldap://0.0.0.0:1389/; only ldaps:// is allowed',
    },
    {
      name: 'slapd listening on ldapi:///',
      mutate: (j) => (slapdCommand(j).command = ['slapd', '-h', 'ldapi:/// ldaps:///']),
      address: openldapContainer,
      message: 'slapd listens on ldapi:///',
    },
    {
      name: 'slapd without -h (default ldap:///)',
      mutate: (j) => (slapdCommand(j).command = ['/usr/sbin/slapd', '-d', 'stats', '-F', '/run/slapd.d']),
      address: openldapContainer,
      message: "slapd listens on ldap:/// (slapd's default without -h)",
    },
    {
      name: 'slapd -h joined to its value',
      mutate: (j) => (slapdCommand(j).command = ['slapd', '-hldap:///']),
      address: openldapContainer,
      message: 'slapd listens on ldap:///',
    },
    {
      name: 'slapd started from a shell script',
      mutate: (j) =>
        (slapdCommand(j).command = [
          'sh',
          '-ec',
          'test -d /run/slapd.d\nexec /usr/sbin/slapd -d stats -h "ldap:/// ldaps:///" -F /run/slapd.d',
        ]),
      address: openldapContainer,
      message: 'slapd listens on ldap:///',
    },
    {
      name: 'OpenLDAP image entrypoint (no command)',
      mutate: (j) => delete slapdCommand(j).command,
      address: openldapContainer,
      message: 'runs the OpenLDAP image entrypoint',
    },
  ],
  good: [
    {
      name: 'the federation over ldap:// with StartTLS',
      mutate: editFederation((config) =>
        Object.assign(config, { connectionUrl: ['ldap://openldap.agency-directory.svc:1389'], startTls: ['true'] }),
      ),
    },
    {
      name: 'the federation with two ldaps:// URLs',
      mutate: editFederation((config) => (config.connectionUrl = [`${LDAP_URI} ldaps://ldap-backup.agency.example.org:636`])),
    },
    {
      name: 'slapd -h ldaps:/// from a shell script',
      mutate: (j) => (slapdCommand(j).command = ['sh', '-ec', 'exec /usr/sbin/slapd -d stats -h "ldaps:///" -F /run/slapd.d']),
    },
    {
      name: 'init container on the OpenLDAP image running slapadd',
      mutate: (j) => {
        const init = copy(slapdCommand(j));
        Object.assign(init, {
          name: 'load-config',
          command: ['/opt/bitnami/openldap/sbin/slapadd', '-n', '0', '-F', '/run/slapd.d', '-l', '/config/slapd-config.ldif'],
        });
        podSpecOf(j, R.openldapStatefulSet).init_container = [init];
      },
    },
  ],
};
