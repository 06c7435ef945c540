/**
 * Runs the rules over synthesized stacks: either a directory of Terraform JSON (cdktf's
 * `stacks/<name>/cdk.tf.json`, or any `*.tf.json`) or in-memory stacks. Findings on a
 * resource that carries a valid suppression for that rule are reported as suppressed, not
 * as errors; invalid or expired suppressions suppress nothing (GOV-01 reports them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditContext, Finding, Rule } from './rule';
import { ALL_RULES } from './rules';
import { suppressionFor, suppressionsOf, type SuppressionRecord } from './suppressions';
import type { SynthesizedStack, TerraformJson } from './terraform-json';

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
}

export function auditStacks(stacks: readonly SynthesizedStack[], context: AuditContext = {}, rules: readonly Rule[] = ALL_RULES): AuditResult {
  const now = context.now ?? new Date();
  const ruleContext: AuditContext = { ...context, now, ruleIds: context.ruleIds ?? rules.map((rule) => rule.id) };
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const suppressions: SuppressionRecord[] = [];
  for (const stack of stacks) {
    const records = suppressionsOf(stack, now);
    suppressions.push(...records);
    for (const rule of rules) {
      for (const violation of rule.check(stack, ruleContext)) {
        const finding: Finding = { ruleId: rule.id, level: rule.level, stack: stack.name, address: violation.address, message: violation.message, fix: rule.fix };
        const suppression = suppressionFor(records, finding);
        if (suppression) suppressed.push({ ...finding, suppression });
        else findings.push(finding);
      }
    }
  }
  return auditResult({ stacks: stacks.map((stack) => stack.name), rules, findings, suppressed, suppressions, auditedAt: now.toISOString() });
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

/** Reads every `cdk.tf.json` (or `*.tf.json`) below a directory, named by its folder (or file). */
export function readSynthesizedStacks(directory: string): SynthesizedStack[] {
  const stacks: SynthesizedStack[] = [];
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform' && entry.name !== 'node_modules') visit(full);
      } else if (entry.name.endsWith('.tf.json')) {
        const name = entry.name === 'cdk.tf.json' ? path.basename(current) : entry.name.replace(/\.tf\.json$/, '');
        stacks.push({ name, json: JSON.parse(fs.readFileSync(full, 'utf8')) as TerraformJson, source: full });
      }
    }
  };
  visit(directory);
  return stacks;
}
