/**
 * Runs the rules over synthesized stacks: either a cdktf output directory
 * (`stacks/<name>/cdk.tf.json`) or in-memory stacks in tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditContext, Finding, Rule } from './rule';
import { ALL_RULES } from './rules';
import type { SynthesizedStack, TerraformJson } from './terraform-json';

export interface AuditResult {
  readonly stacks: readonly string[];
  readonly rulesEvaluated: number;
  readonly rules: readonly Rule[];
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

export function auditStacks(stacks: readonly SynthesizedStack[], context: AuditContext = {}, rules: readonly Rule[] = ALL_RULES): AuditResult {
  const findings: Finding[] = [];
  for (const stack of stacks) {
    for (const rule of rules) {
      for (const violation of rule.check(stack, context)) {
        findings.push({ ruleId: rule.id, level: rule.level, stack: stack.name, address: violation.address, message: violation.message, fix: rule.fix });
      }
    }
  }
  return {
    stacks: stacks.map((stack) => stack.name),
    rulesEvaluated: rules.length,
    rules,
    findings,
    errors: findings.filter((finding) => finding.level === 'error'),
    warnings: findings.filter((finding) => finding.level === 'warning'),
  };
}

/** Reads every `cdk.tf.json` (or `*.tf.json`) below a directory, named by its folder. */
export function readSynthesizedStacks(directory: string): SynthesizedStack[] {
  const stacks: SynthesizedStack[] = [];
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform' && entry.name !== 'node_modules') visit(full);
      } else if (entry.name.endsWith('.tf.json')) {
        const name = entry.name === 'cdk.tf.json' ? path.basename(current) : entry.name.replace(/\.tf\.json$/, '');
        stacks.push({ name, json: JSON.parse(fs.readFileSync(full, 'utf8')) as TerraformJson });
      }
    }
  };
  visit(directory);
  return stacks;
}

export function auditSynthesizedOutput(directory: string, context: AuditContext = {}): AuditResult {
  return auditStacks(readSynthesizedStacks(directory), context);
}
