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
import {
  checkSynthesisRequest,
  outputFailure,
  type CheckedRequest,
  type SynthesisOutcome,
  type SynthesisRequest,
} from './synthesis-request';
import { withoutTokenCreationStacks } from './token-creation-stacks';

/** Checks the request, then builds, audits and publishes the deployment. */
export function synthesizeDeployment(request: SynthesisRequest): SynthesisOutcome {
  const checked = checkSynthesisRequest(request);
  return 'ok' in checked ? checked : buildDeployment(request, checked);
}

/**
 * Composes and synthesizes the stacks into `outdir` (without cdktf's token creation stacks),
 * every stack audited even when cdktf stops at an error; `rules` are enforced (none: all reported).
 */
export function synthesizeAudited(outdir: string, config: DeploymentConfig, rules: SynthesisRequest['rules']) {
  return withoutTokenCreationStacks(() => {
    const app = new App({ outdir, skipValidation: false });
    const { packs, all } = composeDeployment(app, config, {}, rules);
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
    return { packs, synthesisError };
  });
}

/**
 * Builds, audits and publishes a deployment whose request passed checkSynthesisRequest.
 * `staged` sees the complete output of a passing run just before it is published (the output cache stores it).
 */
export function buildDeployment(request: SynthesisRequest, checked: CheckedRequest, staged?: (staging: string) => void): SynthesisOutcome {
  const { outdir, loaded } = checked;
  const { config } = loaded;
  let staging: string | undefined;
  try {
    removeLeftovers(outdir);
    staging = createStaging(outdir);
    const { packs, synthesisError } = synthesizeAudited(staging, config, request.rules);
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
    staged?.(staging);
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
