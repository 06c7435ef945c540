/**
 * `npm run review` as a command: comparing two synth outputs, and the git path (a throwaway
 * worktree of the base commit synthesized by that commit's own cdktf.json app command) on a
 * scratch repository whose app writes a prepared output, so the test does not compile the
 * project twice. The real app command runs in .ci/run (`npm run review -- --base HEAD`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REVIEW_LIMIT, REVIEW_MARKER } from '../../review/render-review';
import { runReview } from '../../scripts/review';
import type { SynthesizedStack } from '../../tfjson/terraform-json';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { copyOf, find, synthesizeStacks } from './review-fixtures';

function writeOutput(stacks: readonly SynthesizedStack[], directory: string): string {
  for (const stack of stacks) {
    fs.mkdirSync(path.join(directory, 'stacks', stack.name), { recursive: true });
    fs.writeFileSync(path.join(directory, 'stacks', stack.name, 'cdk.tf.json'), JSON.stringify(stack.json, null, 2));
  }
  return directory;
}

function run(args: string[], cwd?: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runReview(args, { out: (text) => (out += text), err: (text) => (err += text) }, cwd);
  return { code, out, err };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const base = synthesizeStacks();
const head = copyOf(base);
find(head, 'Deployment agency-gateway/haproxy').body.metadata = {
  ...(find(head, 'Deployment agency-gateway/haproxy').body.metadata as object),
  annotations: { 'matrix.sovereign/reviewed': 'yes' },
};
const baseDir = writeOutput(base, path.join(scratch, 'base.out'));
const headDir = writeOutput(head, path.join(scratch, 'head.out'));

describe('--base-dir / --head-dir', () => {
  it('writes the comment and the full review, and reports what it wrote', () => {
    const out = path.join(scratch, 'reports', 'review.md');
    const result = run([
      '--base-dir',
      baseDir,
      '--head-dir',
      headDir,
      '--out',
      out,
      '--date',
      '2026-11-23',
      '--config',
      DEFAULT_CONFIG_FILE,
    ]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/1 resource changes, 0 new findings; \d+ characters written to .*review\.md/);
    const comment = fs.readFileSync(out, 'utf8');
    expect(comment.startsWith(`${REVIEW_MARKER}\n`)).toBe(true);
    expect(comment.length).toBeLessThanOrEqual(REVIEW_LIMIT);
    expect(comment).toContain('| change | Deployment agency-gateway/haproxy |');
    expect(fs.readFileSync(path.join(scratch, 'reports', 'review-full.md'), 'utf8')).toBe(comment);
  });

  it.each([
    [[], /give either --base <git-ref>, or both --base-dir and --head-dir/],
    [['--base', 'main', '--base-dir', 'x', '--head-dir', 'y'], /give either/],
    [['--base-dir', 'x'], /--base-dir and --head-dir go together/],
    [['--base'], /--base needs a value/],
    [['--bogus', 'x'], /unknown argument --bogus/],
    [['--base', 'main', '--date', '23.11.2026'], /--date must be YYYY-MM-DD/],
  ])('refuses %j with a clear message and exit 2', (args, message) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('usage: npm run review');
  });

  it('refuses a directory without Terraform JSON and an invalid config, writing nothing', () => {
    const empty = fs.mkdtempSync(path.join(scratch, 'empty-'));
    const out = path.join(scratch, 'nothing', 'review.md');
    expect(run(['--base-dir', empty, '--head-dir', headDir, '--out', out])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/no \*\.tf\.json file found/),
    });
    const badConfig = path.join(scratch, 'bad.yaml');
    fs.writeFileSync(badConfig, 'deployment: {name: x}\nsurprise: true\n');
    expect(run(['--base-dir', baseDir, '--head-dir', headDir, '--config', badConfig, '--out', out]).code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('--base <git-ref>', () => {
  const repository = path.join(scratch, 'repo');
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-C', repository, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.org',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.org',
      },
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout.trim();
  };

  beforeAll(() => {
    fs.mkdirSync(repository, { recursive: true });
    git('init', '-q', '-b', 'main');
    // The app writes the prepared base output, after checking it got the output directory and config the way cdktf passes them.
    fs.writeFileSync(
      path.join(repository, 'synth.js'),
      [
        "const fs = require('node:fs');",
        "if (!process.env.CDKTF_OUTDIR || !fs.existsSync(process.env.MATRIX_DEPLOYMENT_CONFIG ?? '')) { console.error('no outdir or config'); process.exit(9); }",
        'fs.cpSync(process.env.REVIEW_TEST_BASE_OUTPUT, process.env.CDKTF_OUTDIR, { recursive: true });',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(repository, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node synth.js' }));
    fs.writeFileSync(path.join(repository, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    fs.writeFileSync(path.join(repository, '.gitignore'), 'node_modules/\n');
    fs.mkdirSync(path.join(repository, 'node_modules'));
    git('add', '.');
    git('commit', '-q', '-m', 'app without a deployment config');
    fs.mkdirSync(path.join(repository, 'config'));
    fs.copyFileSync(DEFAULT_CONFIG_FILE, path.join(repository, 'config', 'deployment.yaml'));
    git('add', '.');
    git('commit', '-q', '-m', 'add the deployment config');
    process.env.REVIEW_TEST_BASE_OUTPUT = baseDir;
  });
  afterAll(() => {
    delete process.env.REVIEW_TEST_BASE_OUTPUT;
  });

  it('synthesizes the base commit in a worktree with its own app command, and the working tree in process', () => {
    fs.writeFileSync(path.join(repository, 'README.md'), 'uncommitted\n');
    git('add', 'README.md');
    const result = run(['--base', 'HEAD', '--config', 'config/deployment.yaml', '--date', '2026-11-23'], repository);
    expect(result).toMatchObject({ code: 0, err: '' });
    const comment = fs.readFileSync(path.join(repository, 'reports', 'review.md'), 'utf8');
    const commit = git('rev-parse', 'HEAD');
    expect(comment).toContain(`# Deployment review: \`${commit.slice(0, 12)}\` against \`HEAD\``);
    expect(comment).toContain('HEAD + uncommitted changes');
    // The working tree synthesizes the same config as the prepared base: nothing changes.
    expect(comment).toMatch(
      /\*\*Summary:\*\* 0 security deltas; resources: 0 to add, 0 to change \(0 possible replacements\), 0 to remove, in 0 of 10 stacks/,
    );
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('reviews a base without the config as an empty deployment, and says so', () => {
    const result = run(
      ['--base', 'HEAD~1', '--config', 'config/deployment.yaml', '--out', 'reports/first.md', '--date', '2026-11-23'],
      repository,
    );
    expect(result.code).toBe(0);
    const comment = fs.readFileSync(path.join(repository, 'reports', 'first.md'), 'utf8');
    expect(comment).toContain('> **Note:** The base has no config/deployment.yaml: it is reviewed as an empty deployment.');
    expect(comment).toMatch(/in 10 of 10 stacks/);
  });

  it('refuses an unknown ref and a base whose app fails, cleaning up the worktree', () => {
    expect(run(['--base', 'no-such-branch', '--config', 'config/deployment.yaml'], repository)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--base no-such-branch: not a commit of this repository/),
    });
    delete process.env.REVIEW_TEST_BASE_OUTPUT;
    const failed = run(['--base', 'HEAD', '--config', 'config/deployment.yaml'], repository);
    process.env.REVIEW_TEST_BASE_OUTPUT = baseDir;
    expect(failed.code).toBe(2);
    expect(failed.err).toMatch(/the base HEAD \([0-9a-f]{12}\) could not be synthesized \(exit 1\)/);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
  });
});
