/** The case table of APP-08 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { setSynapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';

export const cases: RuleCases = {
  bad: [
    fires('rc_invites absent', 'rc_invites', undefined, 'rc_invites.per_room is (absent)'),
    fires('rc_invites.per_issuer absent', 'rc_invites.per_issuer', undefined, 'rc_invites.per_issuer is (absent)'),
    fires('rc_login.failed_attempts absent', 'rc_login.failed_attempts', undefined, 'rc_login.failed_attempts is (absent)'),
    fires('rc_login.address absent', 'rc_login.address', undefined, 'rc_login.address is (absent)'),
    fires('rc_message infinite (.inf)', 'rc_message.per_second', Infinity, 'rc_message.per_second is Infinity, must be a finite number'),
    fires(
      'rc_user_directory burst as a string',
      'rc_user_directory.burst_count',
      '20',
      'rc_user_directory.burst_count is "20", must be a finite number',
    ),
    fires('rc_third_party_invite absent', 'rc_third_party_invite', undefined, 'rc_third_party_invite is (absent)'),
    fires('rc_joins.remote absent', 'rc_joins.remote', undefined, 'rc_joins.remote is (absent)'),
    fires('rc_registration absent', 'rc_registration', undefined, 'rc_registration is (absent)'),
    fires('rc_message.burst_count negative', 'rc_message.burst_count', -1, 'rc_message.burst_count is -1'),
  ],
  good: [{ name: 'integer rates', mutate: setSynapse('rc_message', { per_second: 1, burst_count: 10 }) }],
};
