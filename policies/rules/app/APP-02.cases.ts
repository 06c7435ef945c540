/** The case table of APP-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires, firesInWorker } from '../../../test/policies/case-helpers/app';
import { editSynapse, synapseConfigFile, workerConfigFile } from '../../../test/policies/case-helpers/common';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';

/** The main process's one OIDC provider. */
function provider(config: JsonObject): JsonObject {
  const [first] = Array.isArray(config.oidc_providers) ? config.oidc_providers : [];
  if (!isObject(first)) throw new Error('homeserver.yaml has no OIDC provider');
  return first;
}

function mapping(config: JsonObject): JsonObject {
  const found = provider(config).user_mapping_provider;
  if (!isObject(found)) throw new Error('the provider has no user_mapping_provider');
  return found;
}

/** A case on the provider of homeserver.yaml. */
function firesOnProvider(name: string, edit: (entry: JsonObject) => void, message: BadCase['message']): BadCase {
  return { name, mutate: editSynapse((config) => edit(provider(config))), address: synapseConfigFile, message };
}

const LDAP_MODULE = { module: 'ldap_auth_provider.LdapAuthProviderModule', config: { enabled: true, uri: 'ldaps://openldap:636' } };

export const cases: RuleCases = {
  bad: [
    fires('password login on', 'password_config.enabled', true, 'password_config.enabled is true, must be false'),
    fires(
      'password_config.enabled absent',
      'password_config.enabled',
      undefined,
      "password_config.enabled is (absent), must be false (Synapse's default is true)",
    ),
    fires('local passwords on', 'password_config.localdb_enabled', true, 'password_config.localdb_enabled is true, must be false'),
    fires(
      'localdb_enabled absent',
      'password_config.localdb_enabled',
      undefined,
      'password_config.localdb_enabled is (absent), must be false',
    ),
    fires(
      'a module that registers its own login type (e.g. a JWT or shared-secret checker)',
      'modules',
      [{ module: 'shared_secret_authenticator.SharedSecretAuthProvider', config: { shared_secret: 'x' } }],
      'modules is a list of 1: a module may add a login type next to the realm; none is loaded',
    ),
    fires('no OIDC provider', 'oidc_providers', [], 'oidc_providers is a list of 0: the main process must have exactly one provider'),
    fires(
      'oidc_providers absent',
      'oidc_providers',
      undefined,
      'oidc_providers is (absent): the main process must have exactly one provider',
    ),
    {
      name: 'a second provider',
      mutate: editSynapse((config) => (config.oidc_providers = [provider(config), { ...provider(config), idp_id: 'oidc-corp' }])),
      address: synapseConfigFile,
      message: 'oidc_providers is a list of 2',
    },
    firesOnProvider(
      'the master realm as issuer',
      (entry) => (entry.issuer = 'https://matrix.agency.example.org/auth/realms/master'),
      'oidc_providers[0].issuer is "https://matrix.agency.example.org/auth/realms/master", must be the deployment\'s realm',
    ),
    firesOnProvider(
      'a plain-HTTP issuer',
      (entry) => (entry.issuer = 'http://matrix.agency.example.org/auth/realms/matrix'),
      'oidc_providers[0].issuer is "http://',
    ),
    firesOnProvider(
      'an inline client secret',
      (entry) => Object.assign(entry, { client_secret: '${var.not_a_literal}' }),
      'oidc_providers[0].client_secret is set: the client secret must come from a file',
    ),
    firesOnProvider(
      'client_secret_path absent',
      (entry) => delete entry.client_secret_path,
      'oidc_providers[0].client_secret_path is (absent)',
    ),
    firesOnProvider(
      'PKCE only when discovered',
      (entry) => (entry.pkce_method = 'auto'),
      'oidc_providers[0].pkce_method is "auto", must be "always"',
    ),
    firesOnProvider(
      'pkce_method absent',
      (entry) => delete entry.pkce_method,
      'oidc_providers[0].pkce_method is (absent), must be "always"',
    ),
    firesOnProvider(
      'existing accounts taken over by a login',
      (entry) => (entry.allow_existing_users = true),
      'oidc_providers[0].allow_existing_users is true, must be false',
    ),
    firesOnProvider(
      'allow_existing_users absent',
      (entry) => delete entry.allow_existing_users,
      'allow_existing_users is (absent), must be false',
    ),
    firesOnProvider('verification skipped', (entry) => (entry.skip_verification = true), 'oidc_providers[0].skip_verification is true'),
    {
      name: 'accounts keyed by a reassignable name',
      mutate: editSynapse((config) => ((mapping(config).config as JsonObject).subject_claim = 'preferred_username')),
      address: synapseConfigFile,
      message: 'user_mapping_provider.config.subject_claim is "preferred_username", must be "sub"',
    },
    {
      name: 'subject_claim absent',
      mutate: editSynapse((config) => delete (mapping(config).config as JsonObject).subject_claim),
      address: synapseConfigFile,
      message: 'user_mapping_provider.config.subject_claim is (absent), must be "sub"',
    },
    {
      name: 'a custom mapping provider',
      mutate: editSynapse((config) => (mapping(config).module = 'corp_mapping.Provider')),
      address: synapseConfigFile,
      message: 'user_mapping_provider.module is "corp_mapping.Provider"',
    },
    fires(
      'the LDAP module back',
      'modules',
      [LDAP_MODULE],
      'modules[0] is ldap_auth_provider.LdapAuthProviderModule: Synapse must not check directory passwords itself',
    ),
    fires(
      'the LDAP module present but disabled',
      'modules',
      [{ ...LDAP_MODULE, config: { enabled: false } }],
      'modules[0] is ldap_auth_provider.LdapAuthProviderModule',
    ),
    fires(
      'a legacy password provider',
      'password_providers',
      [{ module: 'rest_auth_provider.RestAuthProvider', config: { endpoint: 'https://auth.example.org' } }],
      'password_providers is a list of 1: a password login next to the realm',
    ),
    fires('the legacy single OIDC block', 'oidc_config', { enabled: true, issuer: 'https://id.example.org/' }, 'oidc_config is configured'),
    fires('CAS enabled', 'cas_config', { enabled: true, server_url: 'https://cas.example.org' }, 'cas_config is configured'),
    fires(
      'SAML configured',
      'saml2_config',
      { sp_config: { metadata: { remote: [{ url: 'https://idp.example.org/metadata' }] } } },
      'saml2_config is configured',
    ),
    fires('JWT login', 'jwt_config', { enabled: true, algorithm: 'RS256' }, 'jwt_config is configured'),
    {
      name: 'a worker inheriting the provider (worker file without oidc_providers)',
      mutate: editSynapse((config) => delete config.oidc_providers, 'worker.yaml'),
      address: workerConfigFile,
      message: 'oidc_providers is a list of 1: a worker serves no login, it must set oidc_providers: []',
    },
    firesInWorker(
      'a worker with its own provider',
      'oidc_providers',
      [{ idp_id: 'oidc-worker', issuer: 'https://matrix.agency.example.org/auth/realms/matrix' }],
      'oidc_providers is a list of 1: a worker serves no login',
    ),
    firesInWorker(
      'a worker turning password login back on',
      'password_config',
      { enabled: true, localdb_enabled: true },
      'password_config.enabled is true',
    ),
    firesInWorker('a worker with the LDAP module', 'modules', [LDAP_MODULE], 'modules[0] is ldap_auth_provider.LdapAuthProviderModule'),
  ],
  good: [
    { name: 'the worker file with oidc_providers: [] (the fixture ships it)', mutate: () => undefined },
    {
      name: 'CAS and the legacy OIDC block explicitly disabled',
      mutate: editSynapse((config) => Object.assign(config, { cas_config: { enabled: false }, oidc_config: { enabled: false } })),
    },
    {
      name: "the mapping provider named as Synapse's own",
      mutate: editSynapse((config) => (mapping(config).module = 'synapse.handlers.oidc.JinjaOidcMappingProvider')),
    },
  ],
};
