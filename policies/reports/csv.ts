/**
 * cdk-nag's CSV columns (Rule ID, Resource ID, Compliance, Exception Reason, Rule Level,
 * Rule Info) plus stack, lesson, references and fix. One row per finding or suppressed
 * finding, and one Compliant (or Not Applicable) row per rule and stack without any.
 */
import { outcomeOf, type AuditResult } from '../audit';
import { referencesText } from './evidence';

const HEADER = [
  'Rule ID',
  'Resource ID',
  'Compliance',
  'Exception Reason',
  'Rule Level',
  'Rule Info',
  'Stack',
  'Lesson',
  'References',
  'Fix',
];

function field(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsvReport(result: AuditResult): string {
  const rows: string[][] = [HEADER];
  for (const rule of result.rules) {
    const info = [
      rule.title,
      rule.level === 'error' ? 'Error' : 'Warning',
      rule.lesson,
      referencesText(rule.references),
      rule.fix,
    ] as const;
    for (const stack of result.stacks) {
      const failed = result.findings.filter((finding) => finding.ruleId === rule.id && finding.stack === stack);
      const suppressed = result.suppressed.filter((finding) => finding.ruleId === rule.id && finding.stack === stack);
      for (const finding of failed)
        rows.push([
          rule.id,
          finding.address,
          'Non-Compliant',
          '',
          info[1],
          `${info[0]}: ${finding.message}`,
          stack,
          info[2],
          info[3],
          info[4],
        ]);
      for (const finding of suppressed)
        rows.push([
          rule.id,
          finding.address,
          'Suppressed',
          `${finding.suppression.reason} (owner ${finding.suppression.owner}, expires ${finding.suppression.expires})`,
          info[1],
          `${info[0]}: ${finding.message}`,
          stack,
          info[2],
          info[3],
          info[4],
        ]);
      if (failed.length > 0 || suppressed.length > 0) continue;
      const { outcome, reason } = outcomeOf(result, rule.id, stack);
      if (outcome === 'notApplicable')
        rows.push([
          rule.id,
          stack,
          'Not Applicable',
          '',
          info[1],
          `${info[0]}: not applicable, ${reason ?? 'the stack has nothing the rule judges'}`,
          stack,
          info[2],
          info[3],
          info[4],
        ]);
      else rows.push([rule.id, stack, 'Compliant', '', info[1], info[0], stack, info[2], info[3], info[4]]);
    }
  }
  return `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}
