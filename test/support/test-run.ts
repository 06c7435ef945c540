/**
 * What a test run's suites share, and where: a directory made by the global setup
 * (test-run-setup.ts) and named in MATRIX_TEST_RUN_DIRECTORY, holding one output per shared
 * deployment (shared-synthesis.ts), each with the sha256 of its tree as built, which the global
 * teardown (test-run-teardown.ts) checks. Free of cdktf: setup and teardown run in jest's own process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintDirectory } from '../../scripts/bench/measure';

export const RUN_DIRECTORY_VARIABLE = 'MATRIX_TEST_RUN_DIRECTORY';
export const SHARED_DEPLOYMENTS = ['default', 'fleet'] as const;
export type SharedDeployment = (typeof SHARED_DEPLOYMENTS)[number];
export const OUTPUT = 'cdktf.out';
export const TREE_DIGEST = 'tree.sha256';

/** The shared outputs in a run's directory whose files changed since they were built. */
export function changedSharedSyntheses(directory: string): SharedDeployment[] {
  return SHARED_DEPLOYMENTS.filter((deployment) => {
    const artifact = path.join(directory, deployment);
    if (!fs.existsSync(artifact)) return false;
    return fs.readFileSync(path.join(artifact, TREE_DIGEST), 'utf8') !== fingerprintDirectory(path.join(artifact, OUTPUT));
  });
}
