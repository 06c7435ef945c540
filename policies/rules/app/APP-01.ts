import { auditSynapseSettings, mustBeAbsent, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

const CHECKS: readonly SettingCheck[] = [
  mustEqual('enable_registration', false),
  mustEqual('enable_registration_without_verification', false),
  mustBeAbsent('registration_shared_secret', 'anyone holding it can create accounts, admins included, through /_synapse/admin/v1/register'),
  mustBeAbsent(
    'registration_shared_secret_path',
    'anyone holding the file can create accounts, admins included, through /_synapse/admin/v1/register',
  ),
  mustEqual('allow_guest_access', false),
];

/**
 * Registration is closed: no open or unverified registration, no registration shared secret,
 * no guest access. Accounts exist only through a login at the realm (APP-02), whose users are
 * the directory's people admitted by its filter.
 */
export const rule: Rule = {
  id: 'APP-01',
  title: 'Registration is closed',
  level: 'error',
  lesson: "Accounts were created outside the organisation's control: the only way in must be the directory's admission filter.",
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Set enable_registration: false, enable_registration_without_verification: false and allow_guest_access: false, and remove registration_shared_secret / registration_shared_secret_path.',
  appliesTo: SYNAPSE,
  check: (stack, context) => auditSynapseSettings(stack, context, CHECKS),
};
