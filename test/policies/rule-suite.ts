/** The shared table-driven suite: each rule passes the compliant fixture and fires on its violation table. */
import type { Rule } from '../../policies/rule';
import { CONFIG_CONTEXT, compliantStack, mutated, STANDALONE_CONTEXT } from './fixtures';
import { firingCases, nearMisses, type FiringCase } from './violations';

function textMatcher(expected: string | RegExp): unknown {
  return typeof expected === 'string' ? expect.stringContaining(expected) : expect.stringMatching(expected);
}

/** The violation a firing case expects, as an asymmetric matcher. */
export function expectedViolation(fired: FiringCase): unknown {
  return expect.objectContaining({ address: expect.stringContaining(fired.address), message: textMatcher(fired.message) });
}

export function describeRules(rules: readonly Rule[]): void {
  for (const rule of rules) {
    describe(`${rule.id}: ${rule.title}`, () => {
      it('passes the compliant fixture', () => {
        expect(rule.check(compliantStack(), CONFIG_CONTEXT)).toEqual([]);
        expect(rule.check(compliantStack(), STANDALONE_CONTEXT)).toEqual([]);
      });

      test.each(firingCases(rule.id))('fires: $name', (fired) => {
        const violations = rule.check(mutated(fired.mutate), fired.context ?? CONFIG_CONTEXT);
        expect(violations).toContainEqual(expectedViolation(fired));
      });

      const misses = nearMisses(rule.id);
      if (misses.length > 0) {
        test.each(misses)('accepts: $name', (miss) => {
          expect(rule.check(mutated(miss.mutate), miss.context ?? CONFIG_CONTEXT)).toEqual([]);
        });
      }
    });
  }
}
