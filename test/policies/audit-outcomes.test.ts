/** The audit's outcome per rule and stack: passed, failed, or not applicable where the stack has nothing the rule judges. */
import { auditStacks, outcomeOf } from '../../policies/audit';
import { mergeAudits } from '../../policies/policy-pack';
import type { Rule, Violation } from '../../policies/rule';
import type { SynthesizedStack } from '../../tfjson/terraform-json';

const NOW = new Date('2026-11-23T12:00:00Z');

/** A stand-in rule about `widget` resources: it fires on every one whose `ok` is not true. */
function widgetRule(violations: (stack: SynthesizedStack) => Violation[]): Rule {
  return {
    id: 'TEST-01',
    title: 'widgets are ok',
    level: 'error',
    lesson: 'none: a test double',
    references: {},
    fix: 'none',
    appliesTo: { subject: 'widget', presentIn: (stack) => stack.json.resource?.widget !== undefined },
    check: violations,
  };
}

const firesOnBadWidgets = widgetRule((stack) =>
  Object.entries(stack.json.resource?.widget ?? {})
    .filter(([, body]) => body.ok !== true)
    .map(([name]) => ({ address: `widget.${name}`, message: 'not ok' })),
);

const stack = (name: string, widgets?: Record<string, { ok: boolean }>): SynthesizedStack => ({
  name,
  json: widgets ? { resource: { widget: widgets } } : {},
});

describe('audit outcomes', () => {
  const result = auditStacks(
    [stack('with-good', { a: { ok: true } }), stack('with-bad', { b: { ok: false } }), stack('without')],
    { now: NOW },
    [firesOnBadWidgets],
  );

  it('reports passed, failed and not applicable per stack, with the reason', () => {
    expect(result.outcomes).toEqual([
      { ruleId: 'TEST-01', stack: 'with-good', outcome: 'passed' },
      { ruleId: 'TEST-01', stack: 'with-bad', outcome: 'failed' },
      { ruleId: 'TEST-01', stack: 'without', outcome: 'notApplicable', reason: 'the stack has no widget' },
    ]);
  });

  it('never calls a rule that found something not applicable, whatever its subject test says', () => {
    const blind: Rule = {
      ...firesOnBadWidgets,
      appliesTo: { subject: 'widget', presentIn: () => false },
      check: () => [{ address: 'widget.x', message: 'not ok' }],
    };
    expect(outcomeOf(auditStacks([stack('any')], { now: NOW }, [blind]), 'TEST-01', 'any').outcome).toBe('failed');
  });

  it('reports a rule with suppressed findings only as passed (the suppression is reported beside it)', () => {
    const suppressed: SynthesizedStack = {
      name: 'suppressed',
      json: {
        resource: {
          widget: {
            c: {
              ok: false,
              '//': {
                suppressions: [
                  { ruleId: 'TEST-01', reason: 'a reviewed exception, for the test', owner: 'team:platform', expires: '2027-01-31' },
                ],
              },
            },
          },
        },
      },
    };
    const audit = auditStacks([suppressed], { now: NOW }, [firesOnBadWidgets]);
    expect(audit.suppressed).toHaveLength(1);
    expect(outcomeOf(audit, 'TEST-01', 'suppressed').outcome).toBe('passed');
  });

  it('a rule without a subject applies to every stack', () => {
    const everywhere: Rule = { ...firesOnBadWidgets, appliesTo: undefined };
    expect(outcomeOf(auditStacks([stack('without')], { now: NOW }, [everywhere]), 'TEST-01', 'without').outcome).toBe('passed');
  });

  it('keeps every outcome when the packs of a deployment are merged', () => {
    const parts = ['one', 'two'].map((name) => auditStacks([stack(name)], { now: NOW }, [firesOnBadWidgets]));
    expect(mergeAudits(parts, [firesOnBadWidgets]).outcomes.map((entry) => `${entry.stack} ${entry.outcome}`)).toEqual([
      'one notApplicable',
      'two notApplicable',
    ]);
  });
});
