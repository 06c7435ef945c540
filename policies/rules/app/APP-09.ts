import { auditSynapseSettings, finiteDuration, SYNAPSE } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/** Sessions and tokens expire: explicit, finite lifetimes (Synapse's defaults are unlimited). */
export const rule: Rule = {
  id: 'APP-09',
  title: 'Sessions and access tokens are finite',
  level: 'error',
  lesson: 'A stolen token that never expires is a permanent account: sessions and tokens must run out.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Set session_lifetime, refresh_token_lifetime, refreshable_access_token_lifetime and nonrefreshable_access_token_lifetime to finite durations.',
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [
      finiteDuration('session_lifetime', "Synapse's default: sessions never expire"),
      finiteDuration('refresh_token_lifetime', "Synapse's default: refresh tokens never expire"),
      finiteDuration('refreshable_access_token_lifetime', "Synapse's default: 5m, stated here explicitly"),
      finiteDuration('nonrefreshable_access_token_lifetime', "Synapse's default: tokens of clients without refresh support never expire"),
    ]),
};
