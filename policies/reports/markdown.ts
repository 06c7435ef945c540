/** The audit as a reviewer and an auditor read it: verdict first, then every rule, finding and suppression. */
import type { AuditResult } from '../audit';
import { referencesText, ruleSummaries } from './evidence';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdownReport(result: AuditResult): string {
  const summaries = ruleSummaries(result);
  const verdict = result.errors.length === 0 ? 'PASS' : 'FAIL';
  const lines = [
    '# Policy audit',
    '',
    `**${verdict}**: ${result.stacks.length} stacks, ${result.rulesEvaluated} rules, ${result.errors.length} errors, ${result.warnings.length} warnings, ${result.suppressed.length} suppressed findings (${result.suppressions.length} suppressions). Audited ${result.auditedAt}.`,
    '',
    '| rule | level | title | result | lesson | references |',
    '|---|---|---|---|---|---|',
    ...summaries.map(({ rule, outcome, findings, suppressed }) => {
      const shown = outcome === 'pass' ? 'pass' : outcome === 'fail' ? `**fail** (${findings})` : `suppressed (${suppressed})`;
      return `| ${rule.id} | ${rule.level} | ${cell(rule.title)} | ${shown} | ${cell(rule.lesson)} | ${cell(referencesText(rule.references))} |`;
    }),
    '',
    `Stacks audited: ${result.stacks.map((stack) => `\`${stack}\``).join(', ')}`,
  ];
  if (result.findings.length > 0) {
    lines.push('', '## Findings', '', '| rule | stack | address | problem | fix |', '|---|---|---|---|---|');
    for (const finding of result.findings) lines.push(`| ${finding.ruleId} | ${finding.stack} | \`${cell(finding.address)}\` | ${cell(finding.message)} | ${cell(finding.fix)} |`);
  }
  lines.push('', '## Suppressions', '');
  if (result.suppressions.length === 0) lines.push('None: every rule applies to every resource.');
  else {
    lines.push('| rule | stack | resource | reason | owner | expires | status |', '|---|---|---|---|---|---|---|');
    for (const record of result.suppressions) {
      const status = record.problems.length === 0 ? `valid (${result.suppressed.filter((finding) => finding.suppression === record).length} findings suppressed)` : `**invalid**: ${record.problems.join('; ')}`;
      lines.push(`| ${record.ruleId} | ${record.stack} | \`${record.address}\` | ${cell(record.reason)} | ${cell(record.owner)} | ${record.expires} | ${cell(status)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
