/** The case table of APP-07 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires, firesInWorker } from '../../../test/policies/case-helpers/app';
import { setSynapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';

export const cases: RuleCases = {
  bad: [
    fires('search all users', 'user_directory.search_all_users', true, 'user_directory.search_all_users is true, must be false'),
    fires(
      'remote users listed (absent)',
      'user_directory.exclude_remote_users',
      undefined,
      'user_directory.exclude_remote_users is (absent), must be true',
    ),
    fires('user_directory absent', 'user_directory', undefined, 'user_directory.search_all_users is (absent), must be false'),
    fires('profiles without auth', 'require_auth_for_profile_requests', false, 'require_auth_for_profile_requests is false, must be true'),
    fires(
      'profiles of strangers',
      'limit_profile_requests_to_users_who_share_rooms',
      undefined,
      'limit_profile_requests_to_users_who_share_rooms is (absent), must be true',
    ),
    fires('profile data on invites', 'include_profile_data_on_invite', true, 'include_profile_data_on_invite is true, must be false'),
    fires(
      'profile lookup over federation (absent)',
      'allow_profile_lookup_over_federation',
      undefined,
      'allow_profile_lookup_over_federation is (absent), must be false',
    ),
    fires('presence on', 'presence.enabled', true, 'presence.enabled is true, must be false'),
    fires('presence absent (default on)', 'presence', undefined, 'presence.enabled is (absent), must be false'),
    fires('push content', 'push.include_content', true, 'push.include_content is true, must be false'),
    firesInWorker('worker file turning presence back on', 'presence', { enabled: true }, 'presence.enabled is true, must be false'),
  ],
  good: [{ name: 'user directory disabled altogether', mutate: setSynapse('user_directory.enabled', false) }],
};
