/** The case table of APP-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires, firesInWorker } from '../../../test/policies/case-helpers/app';
import { editSynapse, synapseConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import type { JsonObject } from '../../../tfjson/terraform-json';

function ldapModule(config: JsonObject): JsonObject {
  const [module] = Array.isArray(config.modules) ? config.modules : [];
  if (
    !module ||
    typeof module !== 'object' ||
    Array.isArray(module) ||
    typeof module.config !== 'object' ||
    module.config === null ||
    Array.isArray(module.config)
  )
    throw new Error('no LDAP module');
  return module.config;
}

export const cases: RuleCases = {
  bad: [
    fires('local passwords on', 'password_config.localdb_enabled', true, 'password_config.localdb_enabled is true, must be false'),
    fires(
      'localdb_enabled absent',
      'password_config.localdb_enabled',
      undefined,
      "password_config.localdb_enabled is (absent), must be false (Synapse's default is true)",
    ),
    fires('no LDAP module', 'modules', [], 'no enabled LDAP auth provider'),
    {
      name: 'LDAP module disabled',
      mutate: editSynapse((config) => (ldapModule(config).enabled = false)),
      address: synapseConfigFile,
      message: 'no enabled LDAP auth provider',
    },
    {
      name: 'LDAP module enabled absent (off by default)',
      mutate: editSynapse((config) => delete ldapModule(config).enabled),
      address: synapseConfigFile,
      message: 'no enabled LDAP auth provider',
    },
    {
      name: 'LDAP filter absent',
      mutate: editSynapse((config) => delete ldapModule(config).filter),
      address: synapseConfigFile,
      message: 'modules[0].config.filter is (absent): without a filter every directory entry can log in',
    },
    {
      name: 'LDAP filter empty',
      mutate: editSynapse((config) => (ldapModule(config).filter = ' ')),
      address: synapseConfigFile,
      message: 'modules[0].config.filter is " "',
    },
    {
      name: 'LDAP filter admitting every entry',
      mutate: editSynapse((config) => (ldapModule(config).filter = '(objectClass=*)')),
      address: synapseConfigFile,
      message: 'modules[0].config.filter "(objectClass=*)" admits every directory entry',
    },
    fires(
      'an OIDC provider',
      'oidc_providers',
      [{ idp_id: 'corp', issuer: 'https://id.example.org/' }],
      'oidc_providers is configured: a second login path next to the directory',
    ),
    fires('CAS enabled', 'cas_config', { enabled: true, server_url: 'https://cas.example.org' }, 'cas_config is configured'),
    fires(
      'SAML configured',
      'saml2_config',
      { sp_config: { metadata: { remote: [{ url: 'https://idp.example.org/metadata' }] } } },
      'saml2_config is configured',
    ),
    fires('JWT login', 'jwt_config', { enabled: true, algorithm: 'RS256' }, 'jwt_config is configured'),
    firesInWorker(
      'worker file replacing the LDAP module by another auth module',
      'modules',
      [{ module: 'rest_auth_provider.RestAuthProvider', config: { endpoint: 'https://auth.example.org' } }],
      'no enabled LDAP auth provider',
    ),
    firesInWorker(
      'worker file keeping the module list but with the LDAP module disabled',
      'password_providers',
      [{ module: 'ldap_auth_provider.LdapAuthProvider', config: { enabled: false } }],
      'no enabled LDAP auth provider',
    ),
  ],
  good: [
    { name: 'worker file dropping every module (workers serve no logins; the fixture ships it)', mutate: () => undefined },
    {
      name: 'an empty OIDC provider list and CAS disabled',
      mutate: editSynapse((config) => Object.assign(config, { oidc_providers: [], cas_config: { enabled: false } })),
    },
    {
      name: 'LDAP as a legacy password provider',
      mutate: editSynapse((config) => {
        config.password_providers = [{ module: 'ldap_auth_provider.LdapAuthProvider', config: ldapModule(config) }];
        config.modules = [];
      }),
    },
  ],
};
