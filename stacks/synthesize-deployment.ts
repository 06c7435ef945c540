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
import type { DeploymentConfig } from '../config/deployment-config';
import { ConfigError } from '../config/load-config';
import { mergeAudits } from '../policies/policy-pack';
import { sourceLocations, writeAuditReports } from '../policies/reports';
import { renderSiteFactsRecord, SITE_FACTS_FILE, siteFactsOf, siteFactsRecord } from '../policies/site-facts';
import { renderSecretInventory } from '../render/secret-inventory';
import { deploymentSecrets, ownSecrets } from '../workloads/secrets';
import { composeDeployment } from './compose-deployment';
import { createStaging, markerText, OUTPUT_MARKER, publish, removeLeftovers, removeStaging } from './output-directory';
import { ReusedStack } from './reused-stack';
import type { StackCache } from './stack-cache';
import {
  checkSynthesisRequest,
  outputFailure,
  type CheckedRequest,
  type SynthesisOutcome,
  type SynthesisRequest,
} from './synthesis-request';
import { withoutTokenCreationStacks } from './token-creation-stacks';

export { stackCacheIn } from './stack-cache';

/** Checks the request, then builds, audits and publishes the deployment. */
export function synthesizeDeployment(request: SynthesisRequest): SynthesisOutcome {
  const checked = checkSynthesisRequest(request);
  return 'ok' in checked ? checked : buildDeployment(request, checked);
}

/**
 * Composes and synthesizes the stacks into `outdir` (without cdktf's token creation stacks),
 * every stack audited even when cdktf stops at an error; `rules` are enforced (none: all reported).
 */
export function synthesizeAudited(outdir: string, config: DeploymentConfig, rules: SynthesisRequest['rules'], stackCache?: StackCache) {
  return withoutTokenCreationStacks(() => {
    const app = new App({ outdir, skipValidation: false });
    const source = stackCache?.sourceFor(app, config);
    const { packs, all } = composeDeployment(app, config, {}, rules, source);
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
    // A reused stack with findings would carry them on the stack, not on its resources (cdktf's manifest would differ from a build's).
    const reusedWithFindings = all.some((stack, index) => stack instanceof ReusedStack && (packs[index]?.result?.findings.length ?? 0) > 0);
    /** Keeps in the stack cache what this run built and audited, once it passed and `staging` holds its stacks. */
    const keep = (staging: string): void =>
      source?.store(staging, new Map(all.map((stack, index) => [stack.node.id, packs[index]?.result])));
    return { packs, synthesisError, keep, reused: source?.reused ?? [], reusedWithFindings };
  });
}

/** What buildDeployment may reuse and keep: the output cache's store, and the stack cache. */
export interface BuildCaches {
  /** Sees the complete output of a passing run just before it is published. */
  readonly staged?: (staging: string) => void;
  readonly stacks?: StackCache;
}

/** Builds, audits and publishes a deployment whose request passed checkSynthesisRequest. */
export function buildDeployment(request: SynthesisRequest, checked: CheckedRequest, caches: BuildCaches = {}): SynthesisOutcome {
  const { outdir, loaded } = checked;
  const { config } = loaded;
  let staging: string | undefined;
  try {
    removeLeftovers(outdir);
    staging = createStaging(outdir);
    let synthesis = synthesizeAudited(staging, config, request.rules, caches.stacks);
    if (synthesis.reusedWithFindings) {
      // Rare (the facts or rules changed under a reused stack): everything is built afresh, as without the stack cache.
      removeStaging(staging);
      staging = createStaging(outdir);
      synthesis = synthesizeAudited(staging, config, request.rules);
    }
    const { packs, synthesisError, keep, reused } = synthesis;
    const results = packs.map((pack) => pack.result).filter((result) => result !== undefined);
    const audit = mergeAudits(results, request.rules);
    if (audit.errors.length > 0) return { ok: false, reason: 'policy', audit };
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows whatever cdktf threw, once the audit is reported
    if (synthesisError !== undefined) throw synthesisError;
    // Locations point into the published directory (where the stacks will be after the rename).
    const files = new Map(audit.stacks.map((stack) => [stack, path.join(staging ?? '', 'stacks', stack, 'cdk.tf.json')]));
    const locations = sourceLocations(files, staging);
    const evidence = path.join(staging, 'audit');
    writeAuditReports(audit, evidence, {
      ...locations,
      stackFile: (stack) => path.join(path.basename(outdir), 'stacks', stack, 'cdk.tf.json'),
    });
    fs.writeFileSync(path.join(evidence, OUTPUT_MARKER), markerText('audit evidence'));
    fs.writeFileSync(path.join(evidence, 'secrets.md'), renderSecretInventory(config, deploymentSecrets(config), ownSecrets(config)));
    fs.writeFileSync(
      path.join(staging, SITE_FACTS_FILE),
      renderSiteFactsRecord(siteFactsRecord(siteFactsOf(config), path.basename(request.configPath), loaded.sha256)),
    );
    caches.staged?.(staging);
    keep(staging);
    publish(staging, outdir);
    staging = undefined;
    return { ok: true, stacks: audit.stacks, audit, outdir, ...(reused.length > 0 ? { reused } : {}) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'config', error };
    return outputFailure(error, staging ?? outdir);
  } finally {
    if (staging !== undefined) removeStaging(staging);
  }
}
