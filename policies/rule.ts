/**
 * The shape of a control: metadata an auditor reads, a pure check over synthesized JSON, and
 * what the control is about, so that a stack without that subject reports it as not applicable
 * rather than as passed.
 */
import type { Labels } from '../tfjson/label-selectors';
import type { SynthesizedStack } from '../tfjson/terraform-json';
import type { SiteFactKey, SiteFacts } from './site-facts';

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
  /**
   * The namespaces declared by the stacks audited together, with their labels (set by the
   * audit): how a rule judging one stack knows a namespace another stack declares.
   */
  readonly namespaces?: ReadonlyMap<string, Labels>;
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
  /** What the rule judges; absent: something every stack has (its whole document, its providers). */
  readonly appliesTo?: Applicability;
  readonly check: (stack: SynthesizedStack, context: AuditContext) => Violation[];
}

/**
 * A rule's subject. Where a stack has none (by design: no HAProxy outside the gateway, no
 * Synapse outside the homeserver and media stacks), the rule is not applicable there. A rule
 * whose check finds a violation is never reported as not applicable, whatever this says.
 */
export interface Applicability {
  /** What the rule judges, as a noun phrase: "the stack has no <subject>". */
  readonly subject: string;
  readonly presentIn: (stack: SynthesizedStack, context: AuditContext) => boolean;
}

export type Outcome = 'passed' | 'failed' | 'notApplicable';

/** How one rule came out on one stack. */
export interface RuleOutcome {
  readonly ruleId: string;
  readonly stack: string;
  /** `failed`: findings not covered by a valid suppression; `passed` includes suppressed findings only. */
  readonly outcome: Outcome;
  /** Why it does not apply (for `notApplicable`). */
  readonly reason?: string;
}

/** The category of a control: the prefix of its id (`NET-08` -> `NET`), which is also its folder under rules/ in lower case. */
export function categoryOf(ruleId: string): string {
  return ruleId.split('-')[0] ?? ruleId;
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
