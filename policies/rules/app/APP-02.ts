import { ldapModules, shown } from '../../../tfjson/synapse-config';
import { isObject, valueAt } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/** Other login methods Synapse offers; each would be a way in that bypasses the directory. */
const OTHER_LOGINS = ['oidc_providers', 'oidc_config', 'saml2_config', 'cas_config', 'jwt_config'] as const;

const isEmpty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);

const LDAP_ONLY: SettingCheck = {
  keys: ['modules', 'password_providers'],
  check: (config, _context, file) => {
    // A worker serves no logins (the gateway routes them to the main process). With no auth
    // module and local passwords off, a login that reaches it anyway fails closed; workers drop
    // the module so their pods need not mount the directory's bind password.
    if (file.kind === 'worker' && isEmpty(config.modules) && isEmpty(config.password_providers)) return [];
    const enabled = ldapModules(config).filter((entry) => entry.config.enabled === true);
    if (enabled.length === 0)
      return ['no enabled LDAP auth provider (ldap_auth_provider.LdapAuthProviderModule with enabled: true; the module is off by default)'];
    return enabled.flatMap((entry) => {
      const filter = entry.config.filter;
      if (typeof filter !== 'string' || filter.trim() === '')
        return [`${entry.path}.config.filter is ${shown(filter)}: without a filter every directory entry can log in`];
      if (/^\(\s*objectClass\s*=\s*\*\s*\)$/i.test(filter.trim()))
        return [`${entry.path}.config.filter ${JSON.stringify(filter)} admits every directory entry`];
      return [];
    });
  },
};

const NO_OTHER_LOGIN: SettingCheck = {
  keys: OTHER_LOGINS,
  check: (config) =>
    OTHER_LOGINS.flatMap((key) => {
      const value = valueAt(config, key);
      if (value === undefined || value === null) return [];
      if (Array.isArray(value) && value.length === 0) return [];
      if (isObject(value) && value.enabled === false) return [];
      return [`${key} is configured: a second login path next to the directory`];
    }),
};

/** Local passwords are off and the LDAP module, with an admission filter, is the only login. */
export const rule: Rule = {
  id: 'APP-02',
  title: 'Local passwords are off; LDAP with an admission filter is the only login',
  level: 'error',
  lesson: 'Passwords kept in Synapse outlive the directory account: a departed or never-admitted person must not be able to log in.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Set password_config.localdb_enabled: false, configure ldap_auth_provider.LdapAuthProviderModule with enabled: true and a filter (group membership and mail domain) for the main process (workers may drop every module), and configure no OIDC, SAML, CAS or JWT login.',
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [
      mustEqual('password_config.localdb_enabled', false, "Synapse's default is true"),
      LDAP_ONLY,
      NO_OTHER_LOGIN,
    ]),
};
