/** Suppressions: what makes one valid, how it reaches the JSON, and what it does to an audit. */
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { TerraformStack, Testing } from 'cdktf';
import { suppress } from '../../constructs/suppress';
import { auditStacks } from '../../policies/audit';
import { cases as POD_02 } from '../../policies/rules/pod/POD-02.cases';
import { suppressionProblems, type Suppression } from '../../policies/suppressions';
import { isObject, type JsonObject, type TerraformJson } from '../../tfjson/terraform-json';
import { CONFIG_CONTEXT, mutated, table } from './fixtures';

const NOW = new Date('2026-11-23T12:00:00Z');
const valid: Suppression = {
  ruleId: 'POD-02',
  reason: 'vendor image runs as root until v2 ships',
  owner: 'platform@agency.example.org',
  expires: '2027-03-31',
};

describe('a suppression is valid only with a control id, a reason, an owner and a near expiry', () => {
  it('accepts a complete one', () => {
    expect(suppressionProblems(valid, NOW)).toEqual([]);
    expect(suppressionProblems({ ...valid, owner: 'team:platform' }, NOW)).toEqual([]);
  });

  it.each([
    ['a short reason', { reason: 'legacy' }, /reason must say why/],
    ['no owner', { owner: '' }, /owner "" must be an e-mail address/],
    ['an expired date', { expires: '2026-11-22' }, /expired on 2026-11-22/],
    ['an expiry more than a year ahead', { expires: '2028-01-01' }, /more than 366 days ahead/],
    ['a malformed date', { expires: '31/03/2027' }, /not a date YYYY-MM-DD/],
    ['a malformed rule id', { ruleId: 'pod2' }, /not a control id/],
    ['a governance control', { ruleId: 'GOV-01' }, /cannot be suppressed/],
  ])('refuses %s', (_name, change, problem) => {
    expect(suppressionProblems({ ...valid, ...change }, NOW)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it('expires at the end of its last day (UTC)', () => {
    expect(suppressionProblems({ ...valid, expires: '2026-11-23' }, NOW)).toEqual([]);
  });
});

describe('suppress() records the exception next to the resource, in the synthesized JSON', () => {
  it("writes it under the resource's // comment, which the engine ignores", () => {
    // A real stack: Testing.synthScope leaves overrides and `//` comments out.
    const stack = new TerraformStack(Testing.app(), 's');
    const map = new ConfigMapV1(stack, 'map', { metadata: { name: 'x', namespace: 'agency-homeserver' }, data: {} });
    suppress(map, valid, NOW);
    suppress(map, { ...valid, ruleId: 'RES-01' }, NOW);
    const json = stack.toTerraform() as TerraformJson;
    const body = json.resource?.kubernetes_config_map_v1?.map as JsonObject;
    const comment = body['//'];
    expect(isObject(comment) && comment.suppressions).toEqual([
      { ruleId: 'POD-02', reason: valid.reason, owner: valid.owner, expires: valid.expires },
      { ruleId: 'RES-01', reason: valid.reason, owner: valid.owner, expires: valid.expires },
    ]);
  });

  it('refuses an invalid one at construction time', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const map = new ConfigMapV1(stack, 'map', { metadata: { name: 'x' }, data: {} });
    expect(() => suppress(map, { ...valid, reason: 'because' }, NOW)).toThrow(/suppression of POD-02 on s\/map: reason must say why/);
  });
});

describe('the audit honours valid suppressions only', () => {
  const fired = POD_02.bad[0]!;
  const withSuppression = (suppression: Suppression) =>
    mutated((json) => {
      fired.mutate(json);
      const [type, name] = fired.address.split(' ')[0]!.split('.') as [string, string];
      const body = table(json, type)[name]!;
      body['//'] = { ...(isObject(body['//']) ? body['//'] : {}), suppressions: [{ ...suppression }] };
    });

  it('moves a suppressed finding out of the errors and lists it with its suppression', () => {
    const result = auditStacks([withSuppression(valid)], { ...CONFIG_CONTEXT, now: NOW });
    expect(result.errors.filter((finding) => finding.ruleId === 'POD-02')).toEqual([]);
    expect(result.suppressed).toEqual([
      expect.objectContaining({ ruleId: 'POD-02', suppression: expect.objectContaining({ owner: valid.owner, problems: [] }) }),
    ]);
    expect(result.errors.filter((finding) => finding.ruleId === 'GOV-01')).toEqual([]);
  });

  it('an expired suppression suppresses nothing, and GOV-01 names it', () => {
    const result = auditStacks([withSuppression({ ...valid, expires: '2026-01-31' })], { ...CONFIG_CONTEXT, now: NOW });
    expect(result.errors.map((finding) => finding.ruleId)).toEqual(expect.arrayContaining(['POD-02', 'GOV-01']));
    expect(result.errors.find((finding) => finding.ruleId === 'GOV-01')?.message).toMatch(/suppression of POD-02: expired on 2026-01-31/);
    expect(result.suppressed).toEqual([]);
  });

  it('a suppression of another rule does not hide this one', () => {
    const result = auditStacks([withSuppression({ ...valid, ruleId: 'POD-03' })], { ...CONFIG_CONTEXT, now: NOW });
    expect(result.errors.map((finding) => finding.ruleId)).toContain('POD-02');
  });
});
