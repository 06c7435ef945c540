/**
 * Runs the rules over synthesized stacks (read from a directory by tfjson/read-stacks.ts, or
 * in memory). Each rule comes out on each stack as passed, failed or not applicable (the stack
 * has nothing the rule judges). Findings on a resource that carries a valid suppression for
 * that rule are reported as suppressed, not as errors; invalid or expired suppressions
 * suppress nothing (GOV-01 reports them).
 */
import { declaredNamespaces } from '../tfjson/namespaces';
import type { SynthesizedStack } from '../tfjson/terraform-json';
import { withViewCache } from '../tfjson/view-cache';
import type { AuditContext, Finding, Rule, RuleOutcome } from './rule';
import { ALL_RULES } from './rules';
import { SITE_FACT_SOURCES } from './site-facts';
import { suppressionFor, suppressionsOf, type SuppressionRecord } from './suppressions';

export interface SuppressedFinding extends Finding {
  readonly suppression: SuppressionRecord;
}

export interface AuditResult {
  readonly stacks: readonly string[];
  readonly rulesEvaluated: number;
  readonly rules: readonly Rule[];
  /** Findings not covered by a valid suppression. */
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  /** Every suppression found, valid or not. */
  readonly suppressions: readonly SuppressionRecord[];
  /** ISO timestamp the expiry of suppressions was judged against. */
  readonly auditedAt: string;
  /** What the rules could not judge because the audit had no site facts (never reported as passed). */
  readonly notJudged: readonly NotJudged[];
  /** Every rule on every stack: passed, failed or not applicable. */
  readonly outcomes: readonly RuleOutcome[];
}

export interface NotJudged {
  readonly ruleId: string;
  /** Where the missing facts live in a deployment config. */
  readonly facts: readonly string[];
  readonly what: string;
}

/** The rules' statements of what they cannot judge, when the audit runs without site facts. */
export function notJudgedWithout(facts: AuditContext['facts'], rules: readonly Rule[]): NotJudged[] {
  if (facts !== undefined) return [];
  return rules.flatMap((rule) =>
    rule.siteFacts
      ? [{ ruleId: rule.id, facts: rule.siteFacts.facts.map((key) => SITE_FACT_SOURCES[key]), what: rule.siteFacts.unjudged }]
      : [],
  );
}

/** Why a rule that found nothing does not apply to a stack, if it does not. */
function notApplicableReason(rule: Rule, stack: SynthesizedStack, context: AuditContext): string | undefined {
  const { appliesTo } = rule;
  return appliesTo && !appliesTo.presentIn(stack, context) ? `the stack has no ${appliesTo.subject}` : undefined;
}

/** Every rule on every stack; the views rules share are computed once per stack (tfjson/view-cache.ts). */
export function auditStacks(
  stacks: readonly SynthesizedStack[],
  context: AuditContext = {},
  rules: readonly Rule[] = ALL_RULES,
): AuditResult {
  return withViewCache(() => auditWithViews(stacks, context, rules));
}

function auditWithViews(stacks: readonly SynthesizedStack[], context: AuditContext, rules: readonly Rule[]): AuditResult {
  const now = context.now ?? new Date();
  const ruleContext: AuditContext = {
    ...context,
    now,
    ruleIds: context.ruleIds ?? rules.map((rule) => rule.id),
    namespaces: context.namespaces ?? declaredNamespaces(stacks),
  };
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const suppressions: SuppressionRecord[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const stack of stacks) {
    const records = suppressionsOf(stack, now);
    suppressions.push(...records);
    for (const rule of rules) {
      const violations = rule.check(stack, ruleContext);
      let failed = false;
      for (const violation of violations) {
        const finding: Finding = {
          ruleId: rule.id,
          level: rule.level,
          stack: stack.name,
          address: violation.address,
          message: violation.message,
          fix: rule.fix,
        };
        const suppression = suppressionFor(records, finding);
        if (suppression) suppressed.push({ ...finding, suppression });
        else {
          findings.push(finding);
          failed = true;
        }
      }
      // A rule that found something applies, whatever its subject test says.
      const reason = violations.length === 0 ? notApplicableReason(rule, stack, ruleContext) : undefined;
      outcomes.push({
        ruleId: rule.id,
        stack: stack.name,
        outcome: failed ? 'failed' : reason !== undefined ? 'notApplicable' : 'passed',
        ...(reason !== undefined ? { reason } : {}),
      });
    }
  }
  return auditResult({
    stacks: stacks.map((stack) => stack.name),
    rules,
    findings,
    suppressed,
    suppressions,
    auditedAt: now.toISOString(),
    notJudged: notJudgedWithout(context.facts, rules),
    outcomes,
  });
}

/** Each result's outcomes by stack, then rule (the reports ask for every pair: a search of the list each time grew with its square). */
const outcomeIndexes = new WeakMap<AuditResult, Map<string, Map<string, RuleOutcome>>>();

function outcomeIndex(result: AuditResult): Map<string, Map<string, RuleOutcome>> {
  let index = outcomeIndexes.get(result);
  if (index === undefined) {
    index = new Map();
    for (const entry of result.outcomes) {
      const byRule = index.get(entry.stack) ?? new Map<string, RuleOutcome>();
      // The first outcome of a pair counts, as a search of the list would find it.
      if (!byRule.has(entry.ruleId)) byRule.set(entry.ruleId, entry);
      index.set(entry.stack, byRule);
    }
    outcomeIndexes.set(result, index);
  }
  return index;
}

/** The outcome of one rule on one stack of the result. */
export function outcomeOf(result: AuditResult, ruleId: string, stack: string): RuleOutcome {
  const found = outcomeIndex(result).get(stack)?.get(ruleId);
  if (!found) throw new Error(`the audit has no outcome of ${ruleId} on stack ${stack}`);
  return found;
}

/** Assembles a result from its parts (errors and warnings derived from the findings). */
export function auditResult(parts: Omit<AuditResult, 'rulesEvaluated' | 'errors' | 'warnings'>): AuditResult {
  return {
    ...parts,
    rulesEvaluated: parts.rules.length,
    errors: parts.findings.filter((finding) => finding.level === 'error'),
    warnings: parts.findings.filter((finding) => finding.level === 'warning'),
  };
}
