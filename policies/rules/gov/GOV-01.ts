import type { Rule } from '../../rule';
import { suppressionsOf } from '../../suppressions';

/** Every suppression names a known control, says why, has an owner and a near expiry date. */
export const rule: Rule = {
  id: 'GOV-01',
  title: 'Suppressions are justified, owned and expire',
  level: 'error',
  lesson: 'A registration rule by email domain "had once been bypassed": an exception nobody owns or re-reviews becomes the hole.',
  references: { nsaCisa: 'Audit and review: periodic review of exceptions', anssi: 'R4 (risk acceptance is documented and time-bound)' },
  fix: 'Give the suppression a control id, a reason of at least 10 characters, an owner (e-mail or team:<name>) and an expiry within a year; remove it once the resource complies.',
  appliesTo: { subject: 'suppression', presentIn: (stack, context) => suppressionsOf(stack, context.now ?? new Date()).length > 0 },
  check: (stack, context) =>
    suppressionsOf(stack, context.now ?? new Date()).flatMap((record) => {
      const problems = [...record.problems];
      if (context.ruleIds && !context.ruleIds.includes(record.ruleId) && /^[A-Z]{2,5}-[0-9]{2}$/.test(record.ruleId))
        problems.push(`rule id ${record.ruleId} is not in the catalogue`);
      return problems.map((problem) => ({
        address: record.address,
        message: `suppression of ${record.ruleId || '(no rule)'}: ${problem}`,
      }));
    }),
};
