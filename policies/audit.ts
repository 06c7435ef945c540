/**
 * Runs the rules over synthesized stacks: either a directory of Terraform JSON (cdktf's
 * `stacks/<name>/cdk.tf.json`, or any `*.tf.json`) or in-memory stacks. Findings on a
 * resource that carries a valid suppression for that rule are reported as suppressed, not
 * as errors; invalid or expired suppressions suppress nothing (GOV-01 reports them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError, parseJson } from '../config/bounded-parse';
import { INPUT_LIMITS, InputFileError, readRegularFile, regularFileSize, systemReason } from '../config/input-files';
import type { AuditContext, Finding, Rule } from './rule';
import { SITE_FACT_SOURCES } from './site-facts';
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
  /** What the rules could not judge because the audit had no site facts (never reported as passed). */
  readonly notJudged: readonly NotJudged[];
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
  return rules.flatMap((rule) => (rule.siteFacts ? [{ ruleId: rule.id, facts: rule.siteFacts.facts.map((key) => SITE_FACT_SOURCES[key]), what: rule.siteFacts.unjudged }] : []));
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
  return auditResult({ stacks: stacks.map((stack) => stack.name), rules, findings, suppressed, suppressions, auditedAt: now.toISOString(), notJudged: notJudgedWithout(context.facts, rules) });
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

/** Directory entries one audit looks at, at most (auditing `/` by mistake ends quickly). */
const MAX_ENTRIES = 100_000;

/**
 * Reads every `cdk.tf.json` (or `*.tf.json`) below a directory, named by its folder (or file),
 * within INPUT_LIMITS (files, bytes per file, bytes in all, nesting): InputFileError otherwise.
 * Symbolic links to directories are not followed; a linked file is read only if it is a regular file.
 */
export function readSynthesizedStacks(directory: string): SynthesizedStack[] {
  const files: { name: string; file: string }[] = [];
  let entries = 0;
  const visit = (current: string) => {
    let listing: fs.Dirent[];
    try {
      listing = fs.readdirSync(current, { withFileTypes: true });
    } catch (error) {
      throw new InputFileError(current, `cannot list the directory: ${systemReason(error)}`);
    }
    entries += listing.length;
    if (entries > MAX_ENTRIES) throw new InputFileError(directory, `holds more than ${MAX_ENTRIES} entries: not a directory of synthesized stacks`);
    for (const entry of listing.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform' && entry.name !== 'node_modules') visit(full);
      } else if (entry.name.endsWith('.tf.json')) {
        files.push({ name: entry.name === 'cdk.tf.json' ? path.basename(current) : entry.name.replace(/\.tf\.json$/, ''), file: full });
        if (files.length > INPUT_LIMITS.auditFiles) throw new InputFileError(directory, `holds more than ${INPUT_LIMITS.auditFiles} Terraform JSON files`);
      }
    }
  };
  visit(directory);
  // Sizes first, so an oversized input is refused before any of it is read.
  let total = 0;
  for (const { file } of files) {
    const size = regularFileSize(file);
    if (typeof size === 'string') throw new InputFileError(file, `the Terraform JSON ${size}`);
    total += size;
  }
  if (total > INPUT_LIMITS.auditTotalBytes) throw new InputFileError(directory, `its Terraform JSON files hold ${total} bytes, more than the limit of ${INPUT_LIMITS.auditTotalBytes / 1024 / 1024} MiB for one audit`);
  return files.map(({ name, file }) => ({ name, json: readTerraformJson(file), source: file }));
}

/** One Terraform JSON file: a regular file within the limits holding a JSON object. */
export function readTerraformJson(file: string): TerraformJson {
  const text = readRegularFile(file, INPUT_LIMITS.auditFileBytes, 'Terraform JSON');
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch (error) {
    if (error instanceof ParseError) throw new InputFileError(file, `the Terraform JSON is ${error.message}`);
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputFileError(file, 'the Terraform JSON is not a JSON object');
  return parsed as TerraformJson;
}
