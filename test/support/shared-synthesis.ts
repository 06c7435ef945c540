/**
 * One synthesis of the default deployment and one of the fleet example per test run, shared by
 * the suites that only read them (about ten suites used to synthesize their own). The first
 * worker to need an output builds it in the run's directory (test-run.ts) under the tests' cache
 * lock while the others wait, and publishes it whole by one rename. Readers must not write into
 * it: the global teardown fails the run if any of its files changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintDirectory } from '../../scripts/bench/measure';
import type { synthesizeDeployment as SynthesizeDeployment } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { cachedArtifact } from './cache-lock';
import { OUTPUT, RUN_DIRECTORY_VARIABLE, TREE_DIGEST, type SharedDeployment } from './test-run';

export type { SharedDeployment } from './test-run';

/** The config each shared deployment is synthesized from. */
export const SHARED_CONFIG_FILES: Readonly<Record<SharedDeployment, string>> = { default: DEFAULT_CONFIG_FILE, fleet: FLEET_CONFIG_FILE };

/** The run's directory, made by the global setup of the jest config. */
function runDirectory(): string {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (!directory)
    throw new Error(`${RUN_DIRECTORY_VARIABLE} is not set: the jest config needs test/support/test-run-setup.ts as its globalSetup`);
  return directory;
}

/** The output directory of this run's synthesis of `deployment` (with its audit evidence): read it, never write into it. */
export function sharedSynthesis(deployment: SharedDeployment): string {
  const artifact = cachedArtifact(path.join(runDirectory(), deployment), (staging) => {
    fs.mkdirSync(staging);
    // Loaded by the one worker that builds the output: a suite that only reads it does not load cdktf and the constructs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- on first build only
    const { synthesizeDeployment } = require('../../stacks/synthesize-deployment') as { synthesizeDeployment: typeof SynthesizeDeployment };
    const outdir = path.join(staging, OUTPUT);
    const outcome = synthesizeDeployment({ configPath: SHARED_CONFIG_FILES[deployment], outdir });
    if (!outcome.ok) throw new Error(`the ${deployment} deployment did not synthesize: ${JSON.stringify(outcome)}`);
    fs.writeFileSync(path.join(staging, TREE_DIGEST), fingerprintDirectory(outdir));
  });
  return path.join(artifact, OUTPUT);
}
