/**
 * One synthesis of the default deployment and one of the fleet example per test run, shared by
 * the suites that only read them (about ten suites used to synthesize their own). The first
 * worker to need an output builds it in the run's directory (test-run.ts) under the tests' cache
 * lock while the others wait, and publishes it whole by one rename. Readers must not write into
 * it: the global teardown fails the run if any of its files changed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { cachedArtifact } from './cache-lock';
import { OUTPUT, RUN_DIRECTORY_VARIABLE, TREE_DIGEST, treeDigest, type SharedDeployment } from './test-run';

export type { SharedDeployment } from './test-run';

/** The config each shared deployment is synthesized from. */
export const SHARED_CONFIG_FILES: Readonly<Record<SharedDeployment, string>> = { default: DEFAULT_CONFIG_FILE, fleet: FLEET_CONFIG_FILE };

let ownRunDirectory: string | undefined;

/** The run's directory, or (a suite run without the global setup) one of this process's own. */
function runDirectory(): string {
  const fromSetup = process.env[RUN_DIRECTORY_VARIABLE];
  if (fromSetup) return fromSetup;
  if (ownRunDirectory === undefined) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-test-run-'));
    ownRunDirectory = created;
    process.once('exit', () => fs.rmSync(created, { recursive: true, force: true }));
  }
  return ownRunDirectory;
}

/** The output directory of this run's synthesis of `deployment` (with its audit evidence): read it, never write into it. */
export function sharedSynthesis(deployment: SharedDeployment): string {
  const artifact = cachedArtifact(path.join(runDirectory(), deployment), (staging) => {
    fs.mkdirSync(staging);
    const outdir = path.join(staging, OUTPUT);
    const outcome = synthesizeDeployment({ configPath: SHARED_CONFIG_FILES[deployment], outdir });
    if (!outcome.ok) throw new Error(`the ${deployment} deployment did not synthesize: ${JSON.stringify(outcome)}`);
    fs.writeFileSync(path.join(staging, TREE_DIGEST), treeDigest(outdir));
  });
  return path.join(artifact, OUTPUT);
}
