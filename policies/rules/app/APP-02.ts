import { REALM_NAME } from '../../../model/identity';
import { ldapModules, shown } from '../../../tfjson/synapse-config';
import { isObject, valueAt, type JsonObject } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/** Login methods Synapse offers besides its OIDC providers; each would be a way in that skips the realm. */
const OTHER_LOGINS = ['oidc_config', 'saml2_config', 'cas_config', 'jwt_config'] as const;
/** Synapse's default user mapping provider, the one that reads `subject_claim`. */
const DEFAULT_MAPPING_PROVIDER = 'synapse.handlers.oidc.JinjaOidcMappingProvider';

/** A setting that may hold secrets, described without its content. */
const described = (value: unknown): string =>
  Array.isArray(value) ? `a list of ${value.length}` : isObject(value) ? 'a mapping' : shown(value);

const isEmpty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);

/** The one provider's settings: the deployment's realm, a secret from a file, PKCE, no account takeover, the stable subject. */
function providerProblems(provider: JsonObject, path: string): string[] {
  const problems: string[] = [];
  const issuer = provider.issuer;
  if (typeof issuer !== 'string' || !issuer.startsWith('https://') || !issuer.replace(/\/$/, '').endsWith(`/realms/${REALM_NAME}`))
    problems.push(`${path}.issuer is ${shown(issuer)}, must be the deployment's realm (https://<host>/.../realms/${REALM_NAME})`);
  if ('client_secret' in provider)
    problems.push(`${path}.client_secret is set: the client secret must come from a file (client_secret_path)`);
  if (typeof provider.client_secret_path !== 'string' || provider.client_secret_path.trim() === '')
    problems.push(
      `${path}.client_secret_path is ${shown(provider.client_secret_path)}: the client secret must be read from a mounted file`,
    );
  if (provider.pkce_method !== 'always')
    problems.push(
      `${path}.pkce_method is ${shown(provider.pkce_method)}, must be "always" (Synapse's default "auto" uses PKCE only when discovery offers it)`,
    );
  if (provider.allow_existing_users !== false)
    problems.push(
      `${path}.allow_existing_users is ${shown(provider.allow_existing_users)}, must be false (a login must never take over an account that predates it)`,
    );
  if (provider.skip_verification === true)
    problems.push(`${path}.skip_verification is true: Synapse would accept a provider without https`);
  const mapping = isObject(provider.user_mapping_provider) ? provider.user_mapping_provider : {};
  if (mapping.module !== undefined && mapping.module !== DEFAULT_MAPPING_PROVIDER)
    problems.push(
      `${path}.user_mapping_provider.module is ${shown(mapping.module)}: only Synapse's own mapping provider reads subject_claim`,
    );
  const subject = valueAt(mapping, 'config.subject_claim');
  if (subject !== 'sub')
    problems.push(
      `${path}.user_mapping_provider.config.subject_claim is ${shown(subject)}, must be "sub" (the realm's stable user id, not a name that can be reassigned)`,
    );
  return problems;
}

/** The main process has exactly one OIDC provider, the realm's; a worker has none (it serves no login). */
const ONE_PROVIDER: SettingCheck = {
  keys: ['oidc_providers', 'worker_app'],
  check: (config, _context, file) => {
    const providers = config.oidc_providers;
    if (file.kind === 'worker')
      return isEmpty(providers)
        ? []
        : [
            `oidc_providers is ${described(providers)}: a worker serves no login, it must set oidc_providers: [] (and not inherit the main process's)`,
          ];
    if (!Array.isArray(providers) || providers.length !== 1)
      return [`oidc_providers is ${described(providers)}: the main process must have exactly one provider, the deployment's realm`];
    const [provider] = providers;
    return isObject(provider)
      ? providerProblems(provider, 'oidc_providers[0]')
      : [`oidc_providers[0] is ${shown(provider)}, not a provider`];
  },
};

/** No module (LDAP or any other) and no legacy password provider: the password is checked by the realm only. */
const NO_PASSWORD_MODULE: SettingCheck = {
  keys: ['modules', 'password_providers'],
  check: (config) => [
    ...ldapModules(config)
      .filter((entry) => entry.path.startsWith('modules'))
      .map(
        (entry) =>
          `${entry.path} is ${entry.module}: Synapse must not check directory passwords itself (the realm does, with a second factor)`,
      ),
    ...(isEmpty(config.password_providers)
      ? []
      : [`password_providers is ${described(config.password_providers)}: a password login next to the realm`]),
    // Any other module may register its own login types (auth checkers): none is loaded at all.
    ...(isEmpty(config.modules) || ldapModules(config).some((entry) => entry.path.startsWith('modules'))
      ? []
      : [`modules is ${described(config.modules)}: a module may add a login type next to the realm; none is loaded`]),
  ],
};

const NO_OTHER_LOGIN: SettingCheck = {
  keys: OTHER_LOGINS,
  check: (config) =>
    OTHER_LOGINS.flatMap((key) => {
      const value = valueAt(config, key);
      if (value === undefined || value === null) return [];
      if (isObject(value) && value.enabled === false) return [];
      return [`${key} is configured: a second login path next to the realm`];
    }),
};

/**
 * Synapse logs in only through OIDC to the deployment's realm: password login off (local
 * passwords too), exactly one provider on the main process (the realm, secret from a file, PKCE
 * always, no takeover of existing accounts, the stable subject), none on workers, and no LDAP
 * module, password provider, SAML, CAS or JWT login.
 */
export const rule: Rule = {
  id: 'APP-02',
  title: 'No password login in Synapse; the realm (OIDC) is the only login',
  level: 'error',
  lesson:
    'A password typed into Synapse is checked without a second factor, and passwords kept in Synapse outlive the directory account: every login goes through the realm, which requires both.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: `Set password_config.enabled: false and localdb_enabled: false; give the main process exactly one oidc_providers entry (issuer https://<host>/auth/realms/${REALM_NAME}, client_secret_path, pkce_method: always, allow_existing_users: false, user_mapping_provider.config.subject_claim: sub) and workers oidc_providers: []; configure no LDAP module, password provider, SAML, CAS or JWT login (render/synapse/oidc-provider.ts).`,
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [
      mustEqual('password_config.enabled', false, "Synapse's default is true"),
      mustEqual('password_config.localdb_enabled', false, "Synapse's default is true"),
      ONE_PROVIDER,
      NO_PASSWORD_MODULE,
      NO_OTHER_LOGIN,
    ]),
};
