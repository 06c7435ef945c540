/**
 * JUnit XML for CI dashboards: one test suite per stack, one test case per rule; a rule's
 * findings in that stack are its failures; a rule with suppressed findings only, or one that
 * does not apply to the stack, is skipped (with the reason).
 */
import { outcomeOf, type AuditResult } from '../audit';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function renderJunitReport(result: AuditResult): string {
  const suites = result.stacks.map((stack) => {
    const cases = result.rules.map((rule) => {
      const failed = result.findings.filter((finding) => finding.ruleId === rule.id && finding.stack === stack);
      const suppressed = result.suppressed.filter((finding) => finding.ruleId === rule.id && finding.stack === stack);
      const name = `${rule.id} ${rule.title}`;
      const { outcome, reason } = outcomeOf(result, rule.id, stack);
      const skipped =
        failed.length > 0
          ? undefined
          : suppressed.length > 0
            ? `suppressed: ${suppressed.map((finding) => `${finding.address} (${finding.suppression.reason})`).join('; ')}`
            : outcome === 'notApplicable'
              ? `not applicable: ${reason ?? 'the stack has nothing the rule judges'}`
              : undefined;
      const body = [
        ...failed.map(
          (finding) =>
            `      <failure type="${rule.level}" message="${xml(`${finding.address}: ${finding.message}`)}">${xml(`Fix: ${finding.fix}`)}</failure>`,
        ),
        ...(skipped !== undefined ? [`      <skipped message="${xml(skipped)}"/>`] : []),
      ];
      return body.length === 0
        ? `    <testcase classname="${xml(stack)}" name="${xml(name)}"/>`
        : `    <testcase classname="${xml(stack)}" name="${xml(name)}">\n${body.join('\n')}\n    </testcase>`;
    });
    const failures = result.rules.filter((rule) =>
      result.findings.some((finding) => finding.ruleId === rule.id && finding.stack === stack),
    ).length;
    const skipped = result.rules.filter(
      (rule) =>
        !result.findings.some((finding) => finding.ruleId === rule.id && finding.stack === stack) &&
        (result.suppressed.some((finding) => finding.ruleId === rule.id && finding.stack === stack) ||
          outcomeOf(result, rule.id, stack).outcome === 'notApplicable'),
    ).length;
    return `  <testsuite name="${xml(stack)}" tests="${result.rules.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${result.auditedAt.replace(/\.\d+Z$/, '')}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = result.stacks.reduce(
    (total, stack) =>
      total +
      result.rules.filter((rule) => result.findings.some((finding) => finding.ruleId === rule.id && finding.stack === stack)).length,
    0,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="policy audit" tests="${result.stacks.length * result.rules.length}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}
