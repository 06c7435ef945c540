/** What every evidence format shares: per-rule outcomes and plain-text references. */
import type { AuditResult } from '../audit';
import type { Rule, RuleReferences } from '../rule';

/** A rule across the whole audit: failed somewhere, passed only with suppressed findings, passed, or applicable on no stack. */
export type RuleVerdict = 'pass' | 'fail' | 'suppressed' | 'notApplicable';

export interface RuleSummary {
  readonly rule: Rule;
  readonly verdict: RuleVerdict;
  readonly findings: number;
  readonly suppressed: number;
  /** The stacks the rule does not apply to. */
  readonly notApplicable: readonly string[];
}

/** The stacks a rule does not apply to, and why (the same reason on each: the rule's subject). */
export function notApplicableTo(result: AuditResult, ruleId: string): { stacks: string[]; reason?: string } {
  const entries = result.outcomes.filter((entry) => entry.ruleId === ruleId && entry.outcome === 'notApplicable');
  const reason = entries[0]?.reason;
  return { stacks: entries.map((entry) => entry.stack), ...(reason !== undefined ? { reason } : {}) };
}

export function ruleSummaries(result: AuditResult): RuleSummary[] {
  return result.rules.map((rule) => {
    const findings = result.findings.filter((finding) => finding.ruleId === rule.id).length;
    const suppressed = result.suppressed.filter((finding) => finding.ruleId === rule.id).length;
    const notApplicable = notApplicableTo(result, rule.id).stacks;
    const verdict: RuleVerdict =
      findings > 0
        ? 'fail'
        : suppressed > 0
          ? 'suppressed'
          : result.stacks.length > 0 && notApplicable.length === result.stacks.length
            ? 'notApplicable'
            : 'pass';
    return { rule, findings, suppressed, notApplicable, verdict };
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

export const TOOL = {
  name: 'matrix-sovereign-iac policy audit',
  version: '0.1.0',
  informationUri: 'https://example.invalid/matrix-sovereign-iac/docs/controls.md',
} as const;
