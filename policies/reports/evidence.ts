/** What every evidence format shares: per-rule outcomes and plain-text references. */
import type { AuditResult } from '../audit';
import type { Rule, RuleReferences } from '../rule';

export type RuleOutcome = 'pass' | 'fail' | 'suppressed';

export interface RuleSummary {
  readonly rule: Rule;
  readonly outcome: RuleOutcome;
  readonly findings: number;
  readonly suppressed: number;
}

export function ruleSummaries(result: AuditResult): RuleSummary[] {
  return result.rules.map((rule) => {
    const findings = result.findings.filter((finding) => finding.ruleId === rule.id).length;
    const suppressed = result.suppressed.filter((finding) => finding.ruleId === rule.id).length;
    return { rule, findings, suppressed, outcome: findings > 0 ? 'fail' : suppressed > 0 ? 'suppressed' : 'pass' };
  });
}

/** "PSS Restricted: …; CIS 5.2.1; NSA/CISA …; ANSSI R26; Checkov CKV_K8S_20" */
export function referencesText(references: RuleReferences): string {
  return [
    references.podSecurityStandards ? `PSS ${references.podSecurityStandards}` : undefined,
    references.cisKubernetes ? `CIS Kubernetes ${references.cisKubernetes}` : undefined,
    references.nsaCisa ? `NSA/CISA ${references.nsaCisa}` : undefined,
    references.anssi ? `ANSSI ${references.anssi}` : undefined,
    references.checkov && references.checkov.length > 0 ? `Checkov ${references.checkov.join(', ')}` : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .join('; ');
}

export const TOOL = { name: 'matrix-sovereign-iac policy audit', version: '0.1.0', informationUri: 'https://example.invalid/matrix-sovereign-iac/docs/controls.md' } as const;
