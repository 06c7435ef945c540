/** The audit as a reviewer and an auditor read it: verdict first, then every rule, its outcome on each stack, findings and suppressions. */
import { outcomeOf, type AuditResult } from '../audit';
import { notApplicableTo, referencesText, ruleSummaries } from './evidence';

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
    ...summaries.map(({ rule, verdict, findings, suppressed, notApplicable }) => {
      const partly = result.notJudged.some((entry) => entry.ruleId === rule.id) ? ', partly not judged' : '';
      const elsewhere =
        verdict !== 'notApplicable' && notApplicable.length > 0
          ? `, not applicable on ${notApplicable.length} of ${result.stacks.length} stacks`
          : '';
      const shown = {
        pass: `pass${elsewhere}${partly}`,
        fail: `**fail** (${findings}${elsewhere}${partly})`,
        suppressed: `suppressed (${suppressed}${elsewhere}${partly})`,
        notApplicable: 'not applicable',
      }[verdict];
      return `| ${rule.id} | ${rule.level} | ${cell(rule.title)} | ${shown} | ${cell(rule.lesson)} | ${cell(referencesText(rule.references))} |`;
    }),
    '',
    `Stacks audited: ${result.stacks.map((stack) => `\`${stack}\``).join(', ')}`,
  ];
  if (result.stacks.length > 0) {
    lines.push(
      '',
      '## Outcome per stack',
      '',
      `| rule | ${result.stacks.map(cell).join(' | ')} |`,
      `|---|${result.stacks.map(() => '---').join('|')}|`,
    );
    for (const rule of result.rules) {
      const cells = result.stacks.map((stack) => {
        const { outcome } = outcomeOf(result, rule.id, stack);
        if (outcome === 'failed') return '**fail**';
        if (outcome === 'notApplicable') return 'n/a';
        return result.suppressed.some((finding) => finding.ruleId === rule.id && finding.stack === stack) ? 'suppressed' : 'pass';
      });
      lines.push(`| ${rule.id} | ${cells.join(' | ')} |`);
    }
    const inapplicable = result.rules
      .map((rule) => ({ rule, ...notApplicableTo(result, rule.id) }))
      .filter((entry) => entry.stacks.length > 0);
    if (inapplicable.length > 0) {
      lines.push(
        '',
        'n/a: not applicable, the stack has nothing the rule judges (by design, e.g. no HAProxy outside the gateway); a rule that finds a problem is never reported as not applicable.',
        '',
        '| rule | not applicable on | why |',
        '|---|---|---|',
      );
      for (const entry of inapplicable) lines.push(`| ${entry.rule.id} | ${cell(entry.stacks.join(', '))} | ${cell(entry.reason ?? '')} |`);
    }
  }
  if (result.findings.length > 0) {
    lines.push('', '## Findings', '', '| rule | stack | address | problem | fix |', '|---|---|---|---|---|');
    for (const finding of result.findings)
      lines.push(
        `| ${finding.ruleId} | ${finding.stack} | \`${cell(finding.address)}\` | ${cell(finding.message)} | ${cell(finding.fix)} |`,
      );
  }
  if (result.notJudged.length > 0) {
    lines.push(
      '',
      '## Not judged',
      '',
      'The audit had no site facts (no `--config`, no site-facts.json of a synthesized output): these parts of the rules were not judged, neither passed nor failed.',
      '',
      '| rule | not judged | facts needed (deployment config) |',
      '|---|---|---|',
    );
    for (const entry of result.notJudged) lines.push(`| ${entry.ruleId} | ${cell(entry.what)} | ${cell(entry.facts.join('; '))} |`);
  }
  lines.push('', '## Suppressions', '');
  if (result.suppressions.length === 0) lines.push('None: every rule applies to every resource.');
  else {
    lines.push('| rule | stack | resource | reason | owner | expires | status |', '|---|---|---|---|---|---|---|');
    for (const record of result.suppressions) {
      const status =
        record.problems.length === 0
          ? `valid (${result.suppressed.filter((finding) => finding.suppression === record).length} findings suppressed)`
          : `**invalid**: ${record.problems.join('; ')}`;
      lines.push(
        `| ${record.ruleId} | ${record.stack} | \`${record.address}\` | ${cell(record.reason)} | ${cell(record.owner)} | ${record.expires} | ${cell(status)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
