/**
 * The main job: validate the config, synthesize every stack into a staging directory next to
 * the output directory, audit the result, write the audit report, the secret inventory and the
 * site facts next to it, and publish it as the output directory only when everything passed.
 * The output directory is replaced only when it is ours (output-directory.ts); failures leave
 * it untouched, and the staging directory is removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { ConfigError, readDeploymentConfig } from '../config/load-config';
import { printable } from '../config/printable';
import type { AuditResult } from '../policies/audit';
import { mergeAudits } from '../policies/policy-pack';
import type { Rule } from '../policies/rule';
import { sourceLocations, writeAuditReports } from '../policies/reports';
import { renderSiteFactsRecord, SITE_FACTS_FILE, siteFactsOf, siteFactsRecord } from '../policies/site-facts';
import { renderSecretInventory } from '../render/secret-inventory';
import { composeDeployment } from './compose-deployment';
import { asOutputError, checkOutputDirectory, createStaging, isWithin, markerText, OUTPUT_MARKER, OutputError, publish, realResolve, removeLeftovers, removeStaging } from './output-directory';
import { stateLocationIssues } from './state-location';

export interface SynthesisRequest {
  readonly configPath: string;
  readonly outdir: string;
  /** Where the output directory was named (CDKTF_OUTDIR), for messages. */
  readonly outdirSource?: string;
  /** The catalogue to enforce (default: every rule). */
  readonly rules?: readonly Rule[];
}

export type SynthesisOutcome =
  | { readonly ok: true; readonly stacks: readonly string[]; readonly audit: AuditResult; readonly outdir: string }
  | { readonly ok: false; readonly reason: 'config'; readonly error: ConfigError }
  | { readonly ok: false; readonly reason: 'policy'; readonly audit: AuditResult }
  | { readonly ok: false; readonly reason: 'output'; readonly error: OutputError };

function outputFailure(error: unknown, where: string): SynthesisOutcome {
  const failure = asOutputError(error, where);
  if (failure instanceof OutputError) return { ok: false, reason: 'output', error: failure };
  throw failure;
}

export function synthesizeDeployment(request: SynthesisRequest): SynthesisOutcome {
  let outdir: string;
  try {
    outdir = checkOutputDirectory(request.outdir, request.outdirSource);
  } catch (error) {
    return outputFailure(error, request.outdir);
  }
  let loaded;
  try {
    loaded = readDeploymentConfig(request.configPath);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'config', error };
    throw error;
  }
  const { config } = loaded;
  if (isWithin(realResolve(request.configPath), realResolve(outdir))) {
    return { ok: false, reason: 'output', error: new OutputError('refused', `the config ${printable(request.configPath)} lies inside the output directory ${printable(outdir)}, which the synth replaces: keep it elsewhere`) };
  }
  let staging: string | undefined;
  try {
    removeLeftovers(outdir);
    staging = createStaging(outdir);
    const app = new App({ outdir: staging, skipValidation: false });
    const { packs, all } = composeDeployment(app, config, {}, request.rules);
    const stateIssues = stateLocationIssues(config, all.map((stack) => stack.node.id), outdir);
    if (stateIssues.length > 0) return { ok: false, reason: 'config', error: new ConfigError(request.configPath, stateIssues) };
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
    const files = new Map(audit.stacks.map((stack) => [stack, path.join(staging ?? '', 'stacks', stack, 'cdk.tf.json')]));
    const locations = sourceLocations(files, staging);
    const evidence = path.join(staging, 'audit');
    writeAuditReports(audit, evidence, { ...locations, stackFile: (stack) => path.join(path.basename(outdir), 'stacks', stack, 'cdk.tf.json') });
    fs.writeFileSync(path.join(evidence, OUTPUT_MARKER), markerText('audit evidence'));
    fs.writeFileSync(path.join(evidence, 'secrets.md'), renderSecretInventory(config));
    fs.writeFileSync(path.join(staging, SITE_FACTS_FILE), renderSiteFactsRecord(siteFactsRecord(siteFactsOf(config), path.basename(request.configPath), loaded.sha256)));
    publish(staging, outdir);
    staging = undefined;
    return { ok: true, stacks: audit.stacks, audit, outdir };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'config', error };
    return outputFailure(error, staging ?? outdir);
  } finally {
    if (staging !== undefined) removeStaging(staging);
  }
}

export function describeOutcome(outcome: SynthesisOutcome, request: SynthesisRequest): string {
  if (outcome.ok) {
    const { audit } = outcome;
    return `synthesized ${outcome.stacks.length} stacks from ${printable(request.configPath)} into ${printable(outcome.outdir)} (policy audit: ${audit.rulesEvaluated} rules, ${audit.errors.length} errors, ${audit.warnings.length} warnings; report in audit/audit.md)`;
  }
  if (outcome.reason === 'config') return `${outcome.error.message}\nnothing was written.`;
  if (outcome.reason === 'output') return `${outcome.error.message}\nnothing was written.`;
  const lines = outcome.audit.errors.map((finding) => `  - ${finding.ruleId} [${finding.stack}] ${printable(finding.address)}: ${printable(finding.message, 1000)}. Fix: ${finding.fix}`);
  return `policy audit failed with ${outcome.audit.errors.length} error(s):\n${lines.join('\n')}\nnothing was written.`;
}
