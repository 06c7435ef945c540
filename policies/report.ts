/** Evidence for auditors: a Markdown summary and the full result as JSON. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditResult } from './audit';

export function renderMarkdownReport(result: AuditResult): string {
  const lines = [
    '# Policy audit',
    '',
    `Stacks: ${result.stacks.length} · rules: ${result.rulesEvaluated} · errors: ${result.errors.length} · warnings: ${result.warnings.length}`,
    '',
    '| rule | level | title | findings | lesson |',
    '|---|---|---|---|---|',
    ...result.rules.map((rule) => {
      const count = result.findings.filter((finding) => finding.ruleId === rule.id).length;
      return `| ${rule.id} | ${rule.level} | ${rule.title} | ${count === 0 ? 'pass' : count} | ${rule.lesson} |`;
    }),
    '',
    `Stacks audited: ${result.stacks.map((stack) => `\`${stack}\``).join(', ')}`,
  ];
  if (result.findings.length > 0) {
    lines.push('', '## Findings', '', '| rule | stack | address | problem | fix |', '|---|---|---|---|---|');
    for (const finding of result.findings) lines.push(`| ${finding.ruleId} | ${finding.stack} | \`${finding.address}\` | ${finding.message} | ${finding.fix} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderJsonReport(result: AuditResult): string {
  const { rules, ...rest } = result;
  return `${JSON.stringify({ ...rest, rules: rules.map(({ check: _check, ...metadata }) => metadata) }, null, 2)}\n`;
}

export function writeAuditReports(result: AuditResult, directory: string): void {
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'audit.md'), renderMarkdownReport(result));
  fs.writeFileSync(path.join(directory, 'audit.json'), renderJsonReport(result));
}
