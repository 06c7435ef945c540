import { auditSynapseSettings, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

const CHECKS: readonly SettingCheck[] = [
  mustEqual('user_directory.search_all_users', false),
  mustEqual('user_directory.exclude_remote_users', true, "Synapse's default false lists remote users too"),
  mustEqual('require_auth_for_profile_requests', true, "Synapse's default false serves profiles to anyone"),
  mustEqual('limit_profile_requests_to_users_who_share_rooms', true, "Synapse's default is false"),
  mustEqual('include_profile_data_on_invite', false, "Synapse's default is true"),
  mustEqual('allow_profile_lookup_over_federation', false, "Synapse's default is true"),
  mustEqual('presence.enabled', false, "Synapse's default is true"),
  mustEqual('push.include_content', false, "Synapse's default true sends message content to push gateways"),
];

/** Directory and profile minimisation: nobody can list or scrape people who do not share a room with them. */
export const rule: Rule = {
  id: 'APP-07',
  title: 'The user directory and profiles are minimised',
  level: 'error',
  lesson:
    'The directory metadata of every user was scraped: who exists, their names and presence must be visible only to people who already share a room with them.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Set user_directory.search_all_users: false, user_directory.exclude_remote_users: true, require_auth_for_profile_requests: true, limit_profile_requests_to_users_who_share_rooms: true, include_profile_data_on_invite: false, allow_profile_lookup_over_federation: false, presence.enabled: false and push.include_content: false.',
  appliesTo: SYNAPSE,
  check: (stack, context) => auditSynapseSettings(stack, context, CHECKS),
};
