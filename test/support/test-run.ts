/**
 * What a test run's suites share, and where: a directory made by the global setup
 * (test-run-setup.ts) and named in MATRIX_TEST_RUN_DIRECTORY, holding one output per shared
 * deployment (shared-synthesis.ts), each with the sha256 of its tree as built, which the global
 * teardown (test-run-teardown.ts) checks. Free of cdktf: setup and teardown run in jest's own process.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const RUN_DIRECTORY_VARIABLE = 'MATRIX_TEST_RUN_DIRECTORY';
export const SHARED_DEPLOYMENTS = ['default', 'fleet'] as const;
export type SharedDeployment = (typeof SHARED_DEPLOYMENTS)[number];
export const OUTPUT = 'cdktf.out';
export const TREE_DIGEST = 'tree.sha256';

/** sha256 over every file below `root`: relative paths and contents, in sorted order. */
export function treeDigest(root: string): string {
  const hash = createHash('sha256');
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    if (fs.lstatSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) visit(path.join(relative, name));
    } else hash.update(`${relative}\0`).update(fs.readFileSync(full)).update('\0');
  };
  visit('');
  return hash.digest('hex');
}

/** The shared outputs in a run's directory whose files changed since they were built. */
export function changedSharedSyntheses(directory: string): SharedDeployment[] {
  return SHARED_DEPLOYMENTS.filter((deployment) => {
    const artifact = path.join(directory, deployment);
    if (!fs.existsSync(artifact)) return false;
    return fs.readFileSync(path.join(artifact, TREE_DIGEST), 'utf8') !== treeDigest(path.join(artifact, OUTPUT));
  });
}
