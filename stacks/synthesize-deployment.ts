/**
 * The main job: validate the config, synthesize every stack into a staging directory,
 * audit the result, write the audit report next to it, and publish it as the output
 * directory only when everything passed. Failures leave the output directory untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { ConfigError, loadDeploymentConfig } from '../config/load-config';
import type { AuditResult } from '../policies/audit';
import { mergeAudits } from '../policies/policy-pack';
import type { Rule } from '../policies/rule';
import { sourceLocations, writeAuditReports } from '../policies/reports';
import { renderSecretInventory } from '../render/secret-inventory';
import { composeDeployment } from './compose-deployment';

export interface SynthesisRequest {
  readonly configPath: string;
  readonly outdir: string;
  /** The catalogue to enforce (default: every rule). */
  readonly rules?: readonly Rule[];
}

export type SynthesisOutcome =
  | { readonly ok: true; readonly stacks: readonly string[]; readonly audit: AuditResult }
  | { readonly ok: false; readonly reason: 'config'; readonly error: ConfigError }
  | { readonly ok: false; readonly reason: 'policy'; readonly audit: AuditResult };

export function synthesizeDeployment(request: SynthesisRequest): SynthesisOutcome {
  const outdir = path.resolve(request.outdir);
  const staging = `${outdir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const config = loadDeploymentConfig(request.configPath);
    const app = new App({ outdir: staging, skipValidation: false });
    const { packs, all } = composeDeployment(app, config, {}, request.rules);
    let synthesisError: unknown;
    try {
      // The packs fail synthesis on the first stack with an error finding, before it is written.
      app.synth();
    } catch (error) {
      synthesisError = error;
      // Audit the stacks cdktf did not reach, so the report lists every finding at once.
      packs.forEach((pack, index) => {
        const stack = all[index];
        if (pack.result === undefined && stack) pack.visit(stack);
      });
    }
    const results = packs.map((pack) => pack.result).filter((result) => result !== undefined);
    const audit = mergeAudits(results, request.rules);
    if (audit.errors.length > 0) return { ok: false, reason: 'policy', audit };
    if (synthesisError !== undefined) throw synthesisError;
    // Locations point into the published directory (where the stacks will be after the rename).
    const files = new Map(audit.stacks.map((stack) => [stack, path.join(staging, 'stacks', stack, 'cdk.tf.json')]));
    const locations = sourceLocations(files, staging);
    writeAuditReports(audit, path.join(staging, 'audit'), { ...locations, stackFile: (stack) => path.join(path.basename(outdir), 'stacks', stack, 'cdk.tf.json') });
    fs.writeFileSync(path.join(staging, 'audit', 'secrets.md'), renderSecretInventory(config));
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.renameSync(staging, outdir);
    return { ok: true, stacks: audit.stacks, audit };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'config', error };
    throw error;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function describeOutcome(outcome: SynthesisOutcome, request: SynthesisRequest): string {
  if (outcome.ok) {
    const { audit } = outcome;
    return `synthesized ${outcome.stacks.length} stacks from ${request.configPath} into ${path.resolve(request.outdir)} (policy audit: ${audit.rulesEvaluated} rules, ${audit.errors.length} errors, ${audit.warnings.length} warnings; report in audit/audit.md)`;
  }
  if (outcome.reason === 'config') return `${outcome.error.message}\nnothing was written.`;
  const lines = outcome.audit.errors.map((finding) => `  - ${finding.ruleId} [${finding.stack}] ${finding.address}: ${finding.message}. Fix: ${finding.fix}`);
  return `policy audit failed with ${outcome.audit.errors.length} error(s):\n${lines.join('\n')}\nnothing was written.`;
}
