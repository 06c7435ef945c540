/**
 * Produces the two sides of a review. The head is the checked-out working tree, synthesized in
 * this process with every rule reported but none enforced, so a change that fails the policy
 * audit still gets a review that shows why. The base is a commit, checked out into a throwaway
 * git worktree and synthesized by its own app command (cdktf.json `app`), exactly as
 * `cdktf synth` would at that commit.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appCommandOf } from '../config/app-command';
import { loadDeploymentConfig } from '../model/load-config';
import { synthesizeAudited } from '../stacks/synthesize-deployment';
import { readSynthesizedStacks } from '../tfjson/read-stacks';
import { snapshotOf, type SynthSnapshot } from './snapshot';

export class ReviewError extends Error {}

const BASE_SYNTH_TIMEOUT_MS = 15 * 60_000;

function git(repository: string, args: readonly string[]): string {
  const result = spawnSync('git', ['-C', repository, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new ReviewError(`git ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

export function repositoryRoot(directory: string): string {
  return git(directory, ['rev-parse', '--show-toplevel']).trim();
}

/** The working tree's synthesis, unenforced: the review audits it and reports every finding. */
export function synthesizeWorkingTree(repository: string, configPath: string, outdir: string): SynthSnapshot {
  const config = loadDeploymentConfig(configPath);
  const { synthesisError } = synthesizeAudited(outdir, config, []);
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows whatever cdktf threw
  if (synthesisError !== undefined) throw synthesisError;
  const commit = git(repository, ['rev-parse', 'HEAD']).trim();
  const dirty = git(repository, ['status', '--porcelain', '--untracked-files=no']).trim() !== '';
  return snapshotOf(readSynthesizedStacks(outdir), dirty ? 'HEAD + uncommitted changes' : 'HEAD', commit);
}

export interface BaseSide {
  readonly snapshot: SynthSnapshot;
  readonly notes: readonly string[];
}

/** Links the head's node_modules when the lockfiles match (the common case), else installs the base's own. */
function prepareDependencies(repository: string, worktree: string, notes: string[]): void {
  const lock = (root: string) =>
    fs.existsSync(path.join(root, 'package-lock.json')) ? fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8') : undefined;
  const baseLock = lock(worktree);
  if (baseLock !== undefined && baseLock === lock(repository) && fs.existsSync(path.join(repository, 'node_modules'))) {
    fs.symlinkSync(path.join(repository, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
    return;
  }
  notes.push('The base has different locked dependencies: they were installed with `npm ci` for its synthesis.');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: worktree,
    encoding: 'utf8',
    timeout: BASE_SYNTH_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (install.status !== 0) throw new ReviewError(`npm ci for the base failed:\n${(install.stderr || install.stdout).slice(-4000)}`);
}

/**
 * The base commit's synthesis of the config at the same path (a config outside the repository is
 * used as is). A base without that config is an empty deployment: everything is new.
 */
export function synthesizeCommit(repository: string, ref: string, configPath: string, scratch: string): BaseSide {
  const commit = git(repository, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  const worktree = path.join(scratch, 'base');
  const outdir = path.join(scratch, 'base.out');
  const notes: string[] = [];
  git(repository, ['worktree', 'add', '--detach', worktree, commit]);
  try {
    const absoluteConfig = path.resolve(configPath);
    const relative = path.relative(repository, absoluteConfig);
    const insideRepository = !relative.startsWith('..') && !path.isAbsolute(relative);
    const baseConfig = insideRepository ? path.join(worktree, relative) : absoluteConfig;
    const label = ref;
    if (!fs.existsSync(baseConfig)) {
      notes.push(`The base has no ${relative}: it is reviewed as an empty deployment.`);
      return { snapshot: snapshotOf([], label, commit), notes };
    }
    const appCommand = appCommandOf(worktree);
    if (appCommand === undefined) throw new ReviewError(`the base's cdktf.json has no app command`);
    prepareDependencies(repository, worktree, notes);
    const run = spawnSync('sh', ['-c', appCommand], {
      cwd: worktree,
      env: { ...process.env, CDKTF_OUTDIR: outdir, MATRIX_DEPLOYMENT_CONFIG: baseConfig },
      encoding: 'utf8',
      timeout: BASE_SYNTH_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0)
      throw new ReviewError(
        `the base ${ref} (${commit.slice(0, 12)}) could not be synthesized (${run.status === null ? `killed: ${run.signal ?? 'timeout'}` : `exit ${run.status}`}):\n${(run.stderr || run.stdout).slice(-4000)}`,
      );
    return { snapshot: snapshotOf(readSynthesizedStacks(outdir), label, commit), notes };
  } finally {
    spawnSync('git', ['-C', repository, 'worktree', 'remove', '--force', worktree], { encoding: 'utf8' });
    spawnSync('git', ['-C', repository, 'worktree', 'prune'], { encoding: 'utf8' });
  }
}
