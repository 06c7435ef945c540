/** The shape of a control: metadata an auditor reads, and a pure check over synthesized JSON. */
import type { SiteFactKey, SiteFacts } from './site-facts';
import type { SynthesizedStack } from './terraform-json';

export type RuleLevel = 'error' | 'warning';

export interface RuleReferences {
  readonly podSecurityStandards?: string;
  readonly cisKubernetes?: string;
  readonly nsaCisa?: string;
  readonly anssi?: string;
  readonly checkov?: readonly string[];
}

/** Site facts a few rules need (allowlists, cluster ranges); absent in a standalone audit of a foreign directory. */
export interface AuditContext {
  readonly facts?: SiteFacts;
  /** When the audit runs (suppression expiry); default: now. */
  readonly now?: Date;
  /** The control ids of the catalogue being run (set by the audit, for GOV-01). */
  readonly ruleIds?: readonly string[];
}

export interface Violation {
  readonly address: string;
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly level: RuleLevel;
  /** Which part of the 2026 breach this control answers. */
  readonly lesson: string;
  readonly references: RuleReferences;
  /** What to change when the rule fires. */
  readonly fix: string;
  /** The site facts the rule needs to judge fully, and what it cannot judge without them ("not judged" in an audit without facts). */
  readonly siteFacts?: { readonly facts: readonly SiteFactKey[]; readonly unjudged: string };
  readonly check: (stack: SynthesizedStack, context: AuditContext) => Violation[];
}

/** A finding as one line: cdktf's annotations and the audit's output. */
export function annotationText(finding: Finding): string {
  return `[${finding.ruleId}] ${finding.address}: ${finding.message}. Fix: ${finding.fix}`;
}

export interface Finding {
  readonly ruleId: string;
  readonly level: RuleLevel;
  readonly stack: string;
  readonly address: string;
  readonly message: string;
  readonly fix: string;
}
