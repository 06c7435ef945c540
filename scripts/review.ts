/**
 * Pull-request review of a deployment change, from synthesized plans only (no cluster access):
 *
 *   npm run review -- --base <git-ref> [--config <deployment.yaml>] [--out <file>] [--date YYYY-MM-DD]
 *   npm run review -- --base-dir <synth dir> --head-dir <synth dir> [--config ...] [--out ...] [--date ...]
 *
 * The first form synthesizes the base commit (in a git worktree, with its own app command) and
 * the checked-out working tree; the second compares two existing synth outputs. Writes the
 * comment (at most 65,000 characters) to --out (default reports/review.md) and the uncut
 * review next to it (`*-full.md`).
 * Exit codes: 0 review written (whatever it reports), 2 bad usage, bad config, an unreadable
 * input or a side that cannot be synthesized, 5 the review cannot be written, 70 internal error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeploymentConfig } from '../config/deployment-config';
import { InputFileError } from '../config/input-files';
import { ConfigError, DEFAULT_CONFIG_PATH } from '../config/load-config';
import { printable } from '../config/printable';
import { loadDeploymentConfig } from '../model/load-config';
import { siteFactsOf } from '../policies/site-facts';
import { buildReview } from '../review/build-review';
import { renderReview } from '../review/render-review';
import { readSnapshot, type SynthSnapshot } from '../review/snapshot';
import { ReviewError, repositoryRoot, synthesizeCommit, synthesizeWorkingTree } from '../review/synthesize-sides';
import { asOutputError, OutputError } from '../stacks/output-directory';
import type { Output } from './audit';
import { EXIT, runCommand } from './command';

interface Options {
  readonly base?: string;
  readonly baseDir?: string;
  readonly headDir?: string;
  readonly config: string;
  readonly out: string;
  readonly date?: string;
}

const USAGE =
  'usage: npm run review -- --base <git-ref> | --base-dir <dir> --head-dir <dir>  [--config <deployment.yaml>] [--out <file.md>] [--date YYYY-MM-DD]';
const OPTIONS = ['--base', '--base-dir', '--head-dir', '--config', '--out', '--date'] as const;

function parseArguments(args: readonly string[], cwd: string): Options {
  const named: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!(OPTIONS as readonly string[]).includes(arg)) throw new ReviewError(`unknown argument ${printable(arg)}`);
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) throw new ReviewError(`${arg} needs a value`);
    if (named[arg] !== undefined) throw new ReviewError(`${arg} given twice`);
    named[arg] = value;
    index += 1;
  }
  const byRef = named['--base'] !== undefined;
  const byDirs = named['--base-dir'] !== undefined || named['--head-dir'] !== undefined;
  if (byRef === byDirs) throw new ReviewError('give either --base <git-ref>, or both --base-dir and --head-dir');
  if (byDirs && (named['--base-dir'] === undefined || named['--head-dir'] === undefined))
    throw new ReviewError('--base-dir and --head-dir go together');
  const date = named['--date'];
  if (date !== undefined && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date)) throw new ReviewError('--date must be YYYY-MM-DD');
  return {
    config: path.resolve(cwd, named['--config'] ?? process.env.MATRIX_DEPLOYMENT_CONFIG ?? DEFAULT_CONFIG_PATH),
    out: path.resolve(cwd, named['--out'] ?? path.join('reports', 'review.md')),
    ...(named['--base'] !== undefined ? { base: named['--base'] } : {}),
    ...(named['--base-dir'] !== undefined ? { baseDir: named['--base-dir'] } : {}),
    ...(named['--head-dir'] !== undefined ? { headDir: named['--head-dir'] } : {}),
    ...(date !== undefined ? { date } : {}),
  };
}

function readDirectory(directory: string, label: string): SynthSnapshot {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) throw new ReviewError(`${printable(directory)}: not a directory`);
  let snapshot: SynthSnapshot;
  try {
    snapshot = readSnapshot(directory, label);
  } catch (error) {
    if (error instanceof InputFileError) throw new ReviewError(error.message);
    throw error;
  }
  if (snapshot.stacks.length === 0) throw new ReviewError(`${printable(directory)}: no *.tf.json file found`);
  return snapshot;
}

function sides(options: Options, scratch: string, cwd: string): { base: SynthSnapshot; head: SynthSnapshot; notes: string[] } {
  if (options.baseDir !== undefined && options.headDir !== undefined) {
    return {
      base: readDirectory(path.resolve(cwd, options.baseDir), options.baseDir),
      head: readDirectory(path.resolve(cwd, options.headDir), options.headDir),
      notes: [],
    };
  }
  const repository = repositoryRoot(cwd);
  const ref = options.base ?? '';
  let base;
  try {
    base = synthesizeCommit(repository, ref, options.config, scratch);
  } catch (error) {
    if (error instanceof ReviewError && /rev-parse/.test(error.message))
      throw new ReviewError(
        `--base ${printable(ref)}: not a commit of this repository (fetch it first, e.g. git fetch origin ${printable(ref.replace(/^origin\//, ''))})`,
      );
    throw error;
  }
  const head = synthesizeWorkingTree(repository, options.config, path.join(scratch, 'head.out'));
  return { base: base.snapshot, head, notes: [...base.notes] };
}

/** The command, as a function of its arguments (exit code returned, output through `io`). */
export function runReview(args: readonly string[], io: Output, cwd = process.cwd()): number {
  return runCommand(() => review(args, io, cwd), io.err);
}

function review(args: readonly string[], io: Output, cwd: string): number {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-review-'));
  try {
    const options = parseArguments(args, cwd);
    const config: DeploymentConfig = loadDeploymentConfig(options.config);
    const { base, head, notes } = sides(options, scratch, cwd);
    const now = options.date ? new Date(`${options.date}T12:00:00Z`) : new Date();
    const review = buildReview({ base, head, context: { facts: siteFactsOf(config), now }, notes });
    const fullName = path.basename(options.out).replace(/(\.md)?$/, '-full.md');
    const rendered = renderReview(review, fullName);
    try {
      fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
      fs.writeFileSync(options.out, rendered.comment);
      fs.writeFileSync(path.join(path.dirname(options.out), fullName), rendered.full);
    } catch (error) {
      throw asOutputError(error, options.out);
    }
    const changed = review.stacks.reduce((total, stack) => total + stack.changes.length, 0);
    io.out(
      `${printable(`review of ${head.label} against ${base.label}: ${changed} resource changes, ${review.policy.newFindings.length} new findings; ${rendered.comment.length} characters${rendered.truncated ? ` (cut; full review in ${fullName})` : ''} written to ${options.out}`, 2000)}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof OutputError) {
      io.err(`${error.message}\n`);
      return EXIT.outputUnwritable;
    }
    if (error instanceof ReviewError) io.err(`${error.message}\n${USAGE}\n`);
    else if (error instanceof ConfigError) io.err(`${error.message}\n`);
    else throw error;
    return EXIT.invalidInput;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module)
  process.exitCode = runReview(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
