/** The case table of IDN-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { clientAttributes, editRealm, realmFile, renderedRealm, setRealm } from '../../../test/policies/case-helpers/idn';
import type { RuleCases } from '../../../test/policies/case-table';

export const cases: RuleCases = {
  bad: [
    {
      name: 'access tokens for an hour',
      mutate: setRealm('accessTokenLifespan', 3600),
      address: realmFile,
      message: 'accessTokenLifespan is 3600 s, more than 900 s (access tokens must end within 15 min)',
    },
    {
      name: 'accessTokenLifespan absent',
      mutate: setRealm('accessTokenLifespan', undefined),
      address: realmFile,
      message: 'accessTokenLifespan is (absent), not a whole number of seconds',
    },
    {
      name: 'accessTokenLifespan as text',
      mutate: setRealm('accessTokenLifespan', '300'),
      address: realmFile,
      message: 'accessTokenLifespan is "300", not a whole number of seconds',
    },
    {
      name: 'accessTokenLifespan 0',
      mutate: setRealm('accessTokenLifespan', 0),
      address: realmFile,
      message: 'accessTokenLifespan is 0: not a positive lifetime',
    },
    {
      name: 'idle sessions for a day',
      mutate: setRealm('ssoSessionIdleTimeout', 86400),
      address: realmFile,
      message: 'ssoSessionIdleTimeout is 86400 s, more than 28800 s (idle login sessions must end within 8 h)',
    },
    {
      name: 'sessions for a week',
      mutate: setRealm('ssoSessionMaxLifespan', 604800),
      address: realmFile,
      message: 'ssoSessionMaxLifespan is 604800 s, more than 86400 s',
    },
    {
      name: "offline sessions idle for Keycloak's default 30 days",
      mutate: setRealm('offlineSessionIdleTimeout', 2592000),
      address: realmFile,
      message: 'offlineSessionIdleTimeout is 2592000 s, more than 86400 s',
    },
    {
      name: 'the offline maximum not enforced',
      mutate: setRealm('offlineSessionMaxLifespanEnabled', false),
      address: realmFile,
      message: 'offlineSessionMaxLifespanEnabled is false, must be true (without it offlineSessionMaxLifespan is ignored',
    },
    {
      name: 'offlineSessionMaxLifespan absent',
      mutate: setRealm('offlineSessionMaxLifespan', undefined),
      address: realmFile,
      message: 'offlineSessionMaxLifespan is (absent)',
    },
    {
      name: 'refresh tokens reusable',
      mutate: setRealm('revokeRefreshToken', false),
      address: realmFile,
      message: 'revokeRefreshToken is false, must be true',
    },
    {
      name: 'revokeRefreshToken absent',
      mutate: setRealm('revokeRefreshToken', undefined),
      address: realmFile,
      message: 'revokeRefreshToken is (absent), must be true',
    },
    {
      name: 'a refresh token usable twice',
      mutate: setRealm('refreshTokenMaxReuse', 1),
      address: realmFile,
      message: 'refreshTokenMaxReuse is 1, must be 0',
    },
    {
      name: 'a client with day-long access tokens',
      mutate: editRealm((realm) => (clientAttributes(realm)['access.token.lifespan'] = '86400')),
      address: realmFile,
      message: 'client "synapse" attributes."access.token.lifespan" is "86400": 86400 s, more than 900 s',
    },
    {
      name: 'a client with week-long offline sessions',
      mutate: editRealm((realm) => (clientAttributes(realm)['client.offline.session.max.lifespan'] = '604800')),
      address: realmFile,
      message: 'attributes."client.offline.session.max.lifespan" is "604800"',
    },
    {
      name: 'a client lifetime that is not a number of seconds',
      mutate: editRealm((realm) => (clientAttributes(realm)['client.session.idle.timeout'] = '-1')),
      address: realmFile,
      message: 'attributes."client.session.idle.timeout" is "-1": "-1", not a whole number of seconds',
    },
  ],
  good: [
    {
      name: 'every lifetime at its bound',
      mutate: renderedRealm({ accessTokenLifetime: '15m', sessionIdleTimeout: '8h', sessionMaxLifetime: '24h' }),
    },
    {
      name: 'the shortest lifetimes the config allows',
      mutate: renderedRealm({ accessTokenLifetime: '1m', sessionIdleTimeout: '5m', sessionMaxLifetime: '15m' }),
    },
    {
      name: 'a client attribute left empty (the realm applies)',
      mutate: editRealm((realm) => (clientAttributes(realm)['access.token.lifespan'] = '')),
    },
    {
      name: 'a client with shorter access tokens',
      mutate: editRealm((realm) => (clientAttributes(realm)['access.token.lifespan'] = '60')),
    },
  ],
};
