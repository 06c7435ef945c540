/** Every rule has firing cases, every case fires through the audit, and the compliant fixture is clean. */
import { auditStacks } from '../../policies/audit';
import { ALL_RULES } from '../../policies/rules';
import { CONFIG_CONTEXT, compliantStack, mutated, STANDALONE_CONTEXT } from './fixtures';
import { expectedViolation } from './rule-suite';
import { FIRING_CASES, NEAR_MISSES } from './violations';

const ruleIds = ALL_RULES.map((rule) => rule.id);
const allCases = Object.entries(FIRING_CASES).flatMap(([ruleId, cases]) => cases.map((fired) => ({ ruleId, ...fired })));
const allMisses = Object.entries(NEAR_MISSES).flatMap(([ruleId, misses]) => misses.map((miss) => ({ ruleId, ...miss })));

describe('policy rule coverage', () => {
  it('has unique rule ids', () => {
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
  });

  it('has firing cases for exactly the rules in ALL_RULES', () => {
    expect(Object.keys(FIRING_CASES).sort()).toEqual([...ruleIds].sort());
    for (const cases of Object.values(FIRING_CASES)) expect(cases.length).toBeGreaterThan(0);
  });

  it('has near misses only for known rules', () => {
    for (const ruleId of Object.keys(NEAR_MISSES)) expect(ruleIds).toContain(ruleId);
  });

  it.each([
    ['site config', CONFIG_CONTEXT],
    ['standalone', STANDALONE_CONTEXT],
  ])('the compliant fixture has no findings (%s)', (_label, context) => {
    const result = auditStacks([compliantStack()], context);
    expect(result.rulesEvaluated).toBe(ALL_RULES.length);
    expect(result.findings).toEqual([]);
  });

  test.each(allCases)('$ruleId fires through auditStacks: $name', (fired) => {
    const { findings } = auditStacks([mutated(fired.mutate)], fired.context ?? CONFIG_CONTEXT);
    expect(findings.filter((finding) => finding.ruleId === fired.ruleId)).toContainEqual(expectedViolation(fired));
  });

  test.each(allMisses)('$ruleId near miss leaves the audit clean: $name', (miss) => {
    expect(auditStacks([mutated(miss.mutate)], miss.context ?? CONFIG_CONTEXT).findings).toEqual([]);
  });

  it('mutations work on copies, never on the base stack', () => {
    const base = compliantStack();
    for (const fired of allCases) mutated(fired.mutate, base);
    expect(auditStacks([base], CONFIG_CONTEXT).findings).toEqual([]);
  });
});
