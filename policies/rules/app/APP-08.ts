import { shown } from '../../../tfjson/synapse-config';
import { isObject, valueAt } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/** Every rate limiter that must be set, including the invitation and directory paths scraped in the breach. */
export const RATE_LIMITS = [
  'rc_message',
  'rc_login.address',
  'rc_login.account',
  'rc_login.failed_attempts',
  'rc_registration',
  'rc_joins.local',
  'rc_joins.remote',
  'rc_invites.per_room',
  'rc_invites.per_user',
  'rc_invites.per_issuer',
  'rc_third_party_invite',
  'rc_user_directory',
] as const;

function finiteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function rateLimit(path: string): SettingCheck {
  return {
    keys: [path.split('.')[0] ?? path],
    check: (config) => {
      const value = valueAt(config, path);
      if (!isObject(value)) return [`${path} is ${shown(value)}: Synapse's built-in limits apply, which are not this deployment's`];
      const bad = (['per_second', 'burst_count'] as const).filter((key) => !finiteNumber(value[key]));
      return bad.map((key) => `${path}.${key} is ${shown(value[key])}, must be a finite number`);
    },
  };
}

/** Explicit, finite rate limits on logins, messages, registration, joins, invites and the user directory. */
export const rule: Rule = {
  id: 'APP-08',
  title: 'Rate limits are explicit and finite',
  level: 'error',
  lesson: 'Directory scraping and invitation spam ran at machine speed: every path that enumerates or contacts people is rate limited.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: `Set per_second and burst_count (finite numbers) for ${RATE_LIMITS.join(', ')}.`,
  appliesTo: SYNAPSE,
  check: (stack, context) => auditSynapseSettings(stack, context, RATE_LIMITS.map(rateLimit)),
};
