/** The control catalogue as Markdown, generated from the rules (docs/controls.md). */
import type { Rule } from '../rule';
import { ALL_RULES } from '../rules';
import { SITE_FACT_SOURCES } from '../site-facts';
import { referencesText } from './evidence';

const CATEGORIES: Readonly<Record<string, string>> = {
  POD: 'Pod security',
  NET: 'Network segmentation',
  SEC: 'Secrets',
  RBAC: 'Identities and permissions',
  IMG: 'Supply chain',
  RES: 'Resources',
  STO: 'Storage',
  BAK: 'Backups and data safety',
  APP: 'Synapse (the application)',
  IDN: 'Identity provider and login',
  CLI: 'Web client',
  RTC: 'Calls',
  LOG: 'Logging and detection',
  GOV: 'Governance',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderControlCatalogue(rules: readonly Rule[] = ALL_RULES): string {
  const lines = [
    '# Control catalogue',
    '',
    '<!-- Generated from policies/rules by `npm run docs`; do not edit by hand. -->',
    '',
    `${rules.length} controls. Each is a pure check over synthesized Terraform JSON (and the configuration files it carries), run on every stack at synthesis time and by \`npm run audit -- <dir>\` on any directory of Terraform JSON, and reported per stack as passed, failed or not applicable; each lives in \`policies/rules/<category>/<ID>.ts\` beside its case table (\`<ID>.cases.ts\`: the compliant fixture, inputs it must accept and at least one violating input it is proven to fire on). An unset setting counts as non-compliant wherever the secure value is not the default.`,
    '',
  ];
  for (const [prefix, title] of Object.entries(CATEGORIES)) {
    const inCategory = rules.filter((rule) => rule.id.startsWith(`${prefix}-`));
    if (inCategory.length === 0) continue;
    lines.push(
      `## ${title} (${prefix})`,
      '',
      '| id | control | level | lesson from the breach | fix | references |',
      '|---|---|---|---|---|---|',
    );
    for (const rule of inCategory)
      lines.push(
        `| ${rule.id} | ${cell(rule.title)} | ${rule.level} | ${cell(rule.lesson)} | ${cell(rule.fix)} | ${cell(referencesText(rule.references))} |`,
      );
    lines.push('');
  }
  lines.push(
    '## Where the controls apply',
    '',
    'A control is not applicable to a stack that has nothing it judges, by design (no HAProxy outside the gateway stack, no Synapse outside the homeserver and media stacks); the reports say so per stack instead of calling it passed. A control that finds a problem always applies.',
    '',
    '| id | judges | not applicable to a stack without |',
    '|---|---|---|',
    ...rules.map(
      (rule) => `| ${rule.id} | ${cell(rule.title)} | ${rule.appliesTo ? cell(rule.appliesTo.subject) : '(applies to every stack)'} |`,
    ),
    '',
  );
  const withFacts = rules.filter((rule) => rule.siteFacts);
  if (withFacts.length > 0) {
    lines.push(
      '## Site facts',
      '',
      'These rules also judge with facts of the site: from `--config`, or from the `site-facts.json` every synthesized output records. An audit without facts reports these parts as not judged (never as passed).',
      '',
      '| id | facts (deployment config) | not judged without them |',
      '|---|---|---|',
      ...withFacts.map(
        (rule) =>
          `| ${rule.id} | ${cell(rule.siteFacts?.facts.map((key) => SITE_FACT_SOURCES[key]).join('; ') ?? '')} | ${cell(rule.siteFacts?.unjudged ?? '')} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}
