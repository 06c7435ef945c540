/** The case table of GOV-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { address, body, CONFIG_CONTEXT, R, type Mutation } from '../../../test/policies/fixtures';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';

/** Suppressions are judged on this date, so the table does not age. */
const NOW = new Date('2026-11-23T12:00:00Z');

const context = { ...CONFIG_CONTEXT, now: NOW };

const account = address(R.synapseAccount);

const valid = {
  ruleId: 'RBAC-02',
  reason: 'legacy operator needs its token until migration',
  owner: 'team:platform',
  expires: '2027-03-31',
};

/** Writes suppressions into the Synapse service account's `//` comment, as suppress() does. */
function suppressed(...suppressions: JsonObject[]): Mutation {
  return (json) => {
    const target = body(json, R.synapseAccount);
    target['//'] = { ...(isObject(target['//']) ? target['//'] : {}), suppressions };
  };
}

const fires = (name: string, change: JsonObject, message: string | RegExp): BadCase => ({
  name,
  mutate: suppressed({ ...valid, ...change }),
  address: account,
  message,
  context,
});

export const cases: RuleCases = {
  bad: [
    fires('a reason under 10 characters', { reason: 'legacy' }, /suppression of RBAC-02: reason must say why/),
    fires('no owner', { owner: '' }, /owner "" must be an e-mail address or team:<name>/),
    fires('an expired suppression', { expires: '2026-10-31' }, 'expired on 2026-10-31'),
    fires('an expiry more than a year ahead', { expires: '2028-06-30' }, /more than 366 days ahead/),
    fires('no expiry', { expires: '' }, /expires "" is not a date/),
    fires('a malformed rule id', { ruleId: 'rbac2' }, /not a control id/),
    fires('a rule outside the catalogue', { ruleId: 'XYZ-99' }, 'rule id XYZ-99 is not in the catalogue'),
    fires('a suppressed governance control', { ruleId: 'GOV-01' }, 'governance controls cannot be suppressed'),
    {
      name: 'one bad among several',
      mutate: suppressed(valid, { ...valid, ruleId: 'POD-02', owner: 'nobody' }),
      address: account,
      message: /suppression of POD-02: owner "nobody"/,
      context,
    },
  ],
  good: [
    { name: 'a complete suppression owned by a person', mutate: suppressed({ ...valid, owner: 'platform@agency.example.org' }), context },
    { name: 'a suppression on its last day', mutate: suppressed({ ...valid, expires: '2026-11-23' }), context },
  ],
  notApplicable: [{ name: 'no suppression (fixture)', mutate: () => undefined }],
};
