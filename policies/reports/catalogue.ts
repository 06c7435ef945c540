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
  APP: 'Synapse (the application)',
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
    `${rules.length} controls. Each is a pure check over synthesized Terraform JSON (and the configuration files it carries), run on every stack at synthesis time and by \`npm run audit -- <dir>\` on any directory of Terraform JSON; each has a compliant fixture and at least one violating fixture it is proven to fire on (test/policies/cases/). An unset setting counts as non-compliant wherever the secure value is not the default.`,
    '',
  ];
  for (const [prefix, title] of Object.entries(CATEGORIES)) {
    const inCategory = rules.filter((rule) => rule.id.startsWith(`${prefix}-`));
    if (inCategory.length === 0) continue;
    lines.push(`## ${title} (${prefix})`, '', '| id | control | level | lesson from the breach | fix | references |', '|---|---|---|---|---|---|');
    for (const rule of inCategory) lines.push(`| ${rule.id} | ${cell(rule.title)} | ${rule.level} | ${cell(rule.lesson)} | ${cell(rule.fix)} | ${cell(referencesText(rule.references))} |`);
    lines.push('');
  }
  const withFacts = rules.filter((rule) => rule.siteFacts);
  if (withFacts.length > 0) {
    lines.push(
      '## Site facts',
      '',
      'These rules also judge with facts of the site: from `--config`, or from the `site-facts.json` every synthesized output records. An audit without facts reports these parts as not judged (never as passed).',
      '',
      '| id | facts (deployment config) | not judged without them |',
      '|---|---|---|',
      ...withFacts.map((rule) => `| ${rule.id} | ${cell(rule.siteFacts?.facts.map((key) => SITE_FACT_SOURCES[key]).join('; ') ?? '')} | ${cell(rule.siteFacts?.unjudged ?? '')} |`),
      '',
    );
  }
  return `${lines.join('\n')}`;
}
