/** The case table of APP-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { setSynapse } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    fires(
      'federation whitelist absent (federates with everyone)',
      'federation_domain_whitelist',
      undefined,
      'federation_domain_whitelist is (absent), must be a list of server names',
    ),
    fires('federation whitelist null', 'federation_domain_whitelist', null, 'federation_domain_whitelist is null'),
    fires(
      'federation whitelist as a string',
      'federation_domain_whitelist',
      'matrix.ministry.example.org',
      'federation_domain_whitelist is "matrix.ministry.example.org"',
    ),
    fires(
      'a server that is not a declared peer (config)',
      'federation_domain_whitelist',
      ['matrix.evil.example.net'],
      'federation_domain_whitelist lists matrix.evil.example.net, not declared as federation peers of matrix.agency.example.org',
    ),
    fires('trusted_key_servers absent (matrix.org)', 'trusted_key_servers', undefined, 'trusted_key_servers is (absent), must be []'),
    fires(
      'a notary key server',
      'trusted_key_servers',
      [{ server_name: 'matrix.org' }],
      'trusted_key_servers is [{"server_name":"matrix.org"}], must be []',
    ),
    fires('public rooms over federation', 'allow_public_rooms_over_federation', true, 'allow_public_rooms_over_federation is true'),
    fires(
      'allow_public_rooms_without_auth absent',
      'allow_public_rooms_without_auth',
      undefined,
      'allow_public_rooms_without_auth is (absent), must be false',
    ),
  ],
  good: [
    {
      name: 'any whitelist without config',
      mutate: setSynapse('federation_domain_whitelist', ['matrix.partner.example.net']),
      context: STANDALONE_CONTEXT,
    },
    { name: 'a worker file without federation settings (fixture)', mutate: () => undefined },
  ],
};
