/** The case table of APP-09 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { editSynapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';

export const cases: RuleCases = {
  bad: [
    fires(
      'session_lifetime absent (sessions never expire)',
      'session_lifetime',
      undefined,
      'session_lifetime is (absent), not a finite duration',
    ),
    fires('session_lifetime null', 'session_lifetime', null, 'session_lifetime is null'),
    fires(
      'refresh_token_lifetime not a duration',
      'refresh_token_lifetime',
      '30 days',
      'refresh_token_lifetime is "30 days", not a finite duration',
    ),
    fires(
      'refreshable_access_token_lifetime absent',
      'refreshable_access_token_lifetime',
      undefined,
      'refreshable_access_token_lifetime is (absent)',
    ),
    fires(
      'nonrefreshable_access_token_lifetime zero',
      'nonrefreshable_access_token_lifetime',
      '0d',
      'nonrefreshable_access_token_lifetime is "0d"',
    ),
  ],
  good: [
    {
      name: 'lifetimes in milliseconds and hours',
      mutate: editSynapse((config) => Object.assign(config, { session_lifetime: 2592000000, refresh_token_lifetime: '12h' })),
    },
  ],
};
