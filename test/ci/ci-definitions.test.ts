/**
 * The CI definitions (.github/workflows/ci.yml, .gitlab-ci.yml): they call only commands this
 * project has, keep least privilege, review pull/merge requests only, cache the tools, bound
 * their time. GitLab has no offline linter: its scripts are checked by bash, and its Go
 * installation step is run against a stand-in download. The real actionlint and shellcheck run
 * on them in ci-linters.ttest.ts (npm run test:tools).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GITHUB_FILE,
  GITLAB_FILE,
  gitlab,
  gitlabJob,
  gitlabJobs,
  gitlabScript,
  lines,
  gitlabShellScript,
  list,
  node,
  parse,
  ROOT,
  text,
  type Node,
} from './ci-files';

/** .ci/run as root (the integration tier needs a network namespace), with the setup steps' PATH. */
const RUN_AS_ROOT = 'sudo --preserve-env env "PATH=$PATH" bash .ci/run';

/** `npm run <script>` calls in a shell command. */
function npmScripts(command: string): string[] {
  return [...command.matchAll(/\bnpm run(?:-script)? ([A-Za-z0-9:_.-]+)/g)].map((match) => match[1] ?? '');
}

function packageScripts(): string[] {
  const manifest = node(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')), 'package.json');
  return Object.keys(node(manifest.scripts, 'package.json scripts'));
}

/* ---------------------------------------------------------------- GitHub Actions */

const github = parse(GITHUB_FILE);
const githubJobs = node(github.jobs, 'jobs');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Node;
  readonly env?: Node;
}

function steps(job: string): Step[] {
  return list(node(githubJobs[job], job).steps, `${job}.steps`).map((step, index) => node(step, `${job}.steps[${index}]`) as Step);
}

function stepUsing(job: string, action: string): Step[] {
  return steps(job).filter((step) => step.uses?.split('@')[0] === action);
}

function only<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

const allGithubSteps = Object.keys(githubJobs).flatMap((job) => steps(job).map((step) => ({ job, step })));

describe('GitHub Actions workflow', () => {
  it('runs on pushes to main and on pull requests, never on pull_request_target', () => {
    const on = node(github.on, 'on');
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push']);
    expect(node(on.push, 'on.push').branches).toEqual(['main']);
    expect(fs.readFileSync(GITHUB_FILE, 'utf8')).not.toMatch(/pull_request_target|workflow_run/);
  });

  it('reads the repository by default and widens one scope per job, only where needed', () => {
    expect(github.permissions).toEqual({ contents: 'read' });
    const widened: string[] = [];
    for (const [job, definition] of Object.entries(githubJobs)) {
      const permissions = node(node(definition, job).permissions, `${job}.permissions`);
      for (const [scope, level] of Object.entries(permissions)) {
        expect(['read', 'write', 'none']).toContain(level);
        if (level === 'write') widened.push(`${job}:${scope}`);
      }
    }
    // Only the review job may write to pull requests; the test job writes code scanning alerts.
    expect(widened.sort()).toEqual(['review:pull-requests', 'test:security-events']);
    expect(fs.readFileSync(GITHUB_FILE, 'utf8')).not.toMatch(/write-all|read-all/);
  });

  it('bounds every job in time and runs one workflow per pull request at once', () => {
    for (const [job, definition] of Object.entries(githubJobs)) {
      const minutes = node(definition, job)['timeout-minutes'];
      expect(typeof minutes).toBe('number');
      expect(minutes).toBeGreaterThan(0);
      expect(minutes).toBeLessThanOrEqual(90);
    }
    const concurrency = node(github.concurrency, 'concurrency');
    expect(text(concurrency.group, 'concurrency.group')).toContain('github.event.pull_request.number');
    expect(concurrency['cancel-in-progress']).toBeDefined();
  });

  it('references every action by a release tag or commit, and never persists the checkout token', () => {
    const used = allGithubSteps.filter(({ step }) => step.uses !== undefined);
    expect(used.length).toBeGreaterThan(0);
    for (const { job, step } of used) {
      expect(`${job}: ${step.uses}`).toMatch(/^[a-z]+: [\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
    }
    for (const { step } of allGithubSteps.filter(({ step }) => step.uses?.startsWith('actions/checkout@'))) {
      expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it('test job: .ci/run on Node 20, Go 1.26 and its own Python, evidence and SARIF uploaded', () => {
    expect(steps('test').map((step) => step.run?.trim())).toContain(RUN_AS_ROOT);
    expect(only(stepUsing('test', 'actions/setup-node'), 'setup-node').with?.['node-version']).toBe('20');
    expect(only(stepUsing('test', 'actions/setup-go'), 'setup-go').with?.['go-version']).toBe('1.26');
    expect(stepUsing('test', 'actions/setup-python')).toHaveLength(1);
    expect(only(stepUsing('test', 'actions/upload-artifact'), 'upload-artifact').with?.path).toBe('cdktf.out/audit');
    const sarif = only(stepUsing('test', 'github/codeql-action/upload-sarif'), 'upload-sarif');
    expect(sarif.with?.sarif_file).toBe('cdktf.out/audit/audit.sarif');
    // Forks' read-only tokens cannot upload: the step is skipped for them.
    expect(sarif.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  it('test job: caches the tool cache and the Go module downloads under one directory', () => {
    const environment = only(
      steps('test').filter((step) => step.run?.includes('GITHUB_ENV')),
      'step writing GITHUB_ENV',
    ).run;
    expect(environment).toContain('cache="$RUNNER_TEMP/ci-cache"');
    for (const variable of ['XDG_CACHE_HOME=$cache', 'GOMODCACHE=$cache/go-mod', 'GOCACHE=$cache/go-build'])
      expect(environment).toContain(variable);

    const cache = only(stepUsing('test', 'actions/cache'), 'actions/cache');
    const paths = text(cache.with?.path, 'cache path').trim().split('\n');
    expect(paths).toEqual(['${{ runner.temp }}/ci-cache/matrix-sovereign-iac', '${{ runner.temp }}/ci-cache/go-mod/cache/download']);
    const key = text(cache.with?.key, 'cache key');
    expect(key).toContain('steps.python.outputs.python-version');
    expect(key).toMatch(/hashFiles\('test\/support\/\*\*'/);
    expect(text(cache.with?.['restore-keys'], 'restore-keys')).toBeTruthy();
    // The cache is restored before .ci/run fills it.
    const order = steps('test');
    expect(order.findIndex((step) => step.uses?.startsWith('actions/cache@'))).toBeLessThan(
      order.findIndex((step) => step.run?.trim() === RUN_AS_ROOT),
    );
  });

  it('review job: pull requests only, full history, posts only from this repository', () => {
    const review = node(githubJobs.review, 'review');
    expect(review.if).toBe("github.event_name == 'pull_request'");
    expect(node(review.permissions, 'review.permissions')).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(only(stepUsing('review', 'actions/checkout'), 'checkout').with?.['fetch-depth']).toBe(0);
    expect(only(stepUsing('review', 'actions/setup-node'), 'setup-node').with?.['node-version']).toBe('20');
    // The review compiles and synthesizes only: no Go toolchain.
    expect(stepUsing('review', 'actions/setup-go')).toHaveLength(0);

    const runs = steps('review').map((step) => step.run?.trim());
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm run review -- --base "origin/$GITHUB_BASE_REF"');
    expect(only(stepUsing('review', 'actions/upload-artifact'), 'upload-artifact').with?.path).toBe('reports/');

    const post = only(
      steps('review').filter((step) => step.run?.includes('npm run post-review')),
      'post-review step',
    );
    expect(post.run?.trim()).toBe('npm run post-review -- reports/review.md');
    expect(post.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(post.env).toEqual({ GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    // The token reaches no other step.
    const tokenSteps = allGithubSteps.filter(({ step }) => JSON.stringify(step).includes('secrets.'));
    expect(tokenSteps.map(({ step }) => step.name)).toEqual(['Post the review comment']);
  });

  it('calls only npm scripts that package.json defines', () => {
    const calls = allGithubSteps.flatMap(({ step }) => npmScripts(step.run ?? ''));
    expect(calls.sort()).toEqual(['post-review', 'review']);
    const missing = calls.filter((script) => !packageScripts().includes(script));
    expect(missing).toEqual([]);
  });
});

/* ---------------------------------------------------------------- GitLab CI */

function rulesOf(value: unknown, where: string): string[] {
  return list(value, where).map((rule, index) => text(node(rule, `${where}[${index}]`).if, `${where}[${index}].if`));
}

describe('GitLab CI pipeline', () => {
  it('has the stages test and review, for merge requests and main only', () => {
    expect(gitlab.stages).toEqual(['test', 'review']);
    expect(gitlabJobs.sort()).toEqual(['review', 'test']);
    expect(rulesOf(node(gitlab.workflow, 'workflow').rules, 'workflow.rules')).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event"',
      '$CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "push"',
    ]);
  });

  it('runs on a Debian image with Node 20 and installs Go 1.26', () => {
    expect(node(gitlab.default, 'default').image).toBe('node:20-bookworm');
    expect(text(node(gitlab.variables, 'variables').GO_VERSION, 'GO_VERSION')).toMatch(/^1\.(2[6-9]|[3-9][0-9])\.[0-9]+$/);
  });

  it('puts every tool cache under the cached directory, and caches it', () => {
    const variables = node(gitlab.variables, 'variables');
    for (const name of ['XDG_CACHE_HOME', 'GOMODCACHE', 'GOCACHE', 'npm_config_cache', 'CI_CACHE_DIR']) {
      expect(`${name}=${text(variables[name], name)}`).toMatch(new RegExp(`^${name}=\\$CI_PROJECT_DIR/\\.ci-cache(/|$)`));
    }
    for (const name of gitlabJobs) {
      const cache = node(gitlabJob(name).cache, `${name}.cache`);
      expect(cache.paths).toEqual([
        '.ci-cache/matrix-sovereign-iac/',
        '.ci-cache/go-mod/cache/download/',
        '.ci-cache/go-toolchain/',
        '.ci-cache/npm/',
      ]);
      expect(text(cache.key, `${name}.cache.key`)).toContain('$GO_VERSION');
    }
    // The review job only reads the cache the test job fills.
    expect(node(gitlabJob('review').cache, 'review.cache').policy).toBe('pull');
  });

  it('bounds every job in time', () => {
    for (const name of gitlabJobs) {
      const match = /^(\d+) minutes$/.exec(text(gitlabJob(name).timeout, `${name}.timeout`));
      expect(Number(match?.[1])).toBeGreaterThan(0);
      expect(Number(match?.[1])).toBeLessThanOrEqual(90);
    }
  });

  it('test job: .ci/run, with the audit evidence and its JUnit report kept', () => {
    const test = gitlabJob('test');
    expect(test.stage).toBe('test');
    expect(gitlabScript('test')).toContain('bash .ci/run');
    const artifacts = node(test.artifacts, 'test.artifacts');
    expect(artifacts.when).toBe('always');
    expect(artifacts.paths).toEqual(['cdktf.out/audit/']);
    expect(node(artifacts.reports, 'test.artifacts.reports')).toEqual({ junit: 'cdktf.out/audit/audit.junit.xml' });
  });

  it('review job: merge requests only, full history, the target branch fetched, the review posted', () => {
    const review = gitlabJob('review');
    expect(review.stage).toBe('review');
    expect(rulesOf(review.rules, 'review.rules')).toEqual(['$CI_PIPELINE_SOURCE == "merge_request_event"']);
    expect(node(review.variables, 'review.variables').GIT_DEPTH).toBe('0');
    const script = gitlabScript('review');
    const fetchAt = script.findIndex((line) => line.startsWith('git fetch') && line.includes('$CI_MERGE_REQUEST_TARGET_BRANCH_NAME'));
    const reviewAt = script.indexOf('npm run review -- --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"');
    const postAt = script.findIndex((line) => line.includes('npm run post-review -- reports/review.md'));
    expect(fetchAt).toBeGreaterThanOrEqual(0);
    expect(reviewAt).toBeGreaterThan(fetchAt);
    expect(postAt).toBeGreaterThan(reviewAt);
    expect(node(review.artifacts, 'review.artifacts').paths).toEqual(['reports/']);
  });

  it('never holds the review token itself: it is a masked project variable', () => {
    const source = fs.readFileSync(GITLAB_FILE, 'utf8');
    expect(source).not.toMatch(/REVIEW_API_TOKEN\s*:/);
    expect(source).not.toMatch(/glpat-/);
    // The job token cannot write notes; nothing uses it.
    expect(gitlabJobs.flatMap((name) => gitlabScript(name)).join('\n')).not.toMatch(/CI_JOB_TOKEN/);
  });

  it('calls only npm scripts that package.json defines', () => {
    const calls = gitlabJobs.flatMap((name) => gitlabScript(name).flatMap(npmScripts));
    expect(calls.sort()).toEqual(['post-review', 'review']);
    const missing = calls.filter((script) => !packageScripts().includes(script));
    expect(missing).toEqual([]);
  });

  it.each(gitlabJobs)('%s job: its script is valid bash', (name) => {
    const syntax = spawnSync('bash', ['-n'], { input: gitlabShellScript(name), encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  });

  describe('Go installation (.toolchain before_script)', () => {
    /** Runs the before_script with a stand-in `curl` serving a fake Go release and go.dev's listing. */
    function install(listedSha: (actual: string) => string): { status: number | null; output: string; goRoot: string } {
      const version = text(node(gitlab.variables, 'variables').GO_VERSION, 'GO_VERSION');
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-go-'));
      const release = path.join(work, 'release');
      fs.mkdirSync(path.join(release, 'go', 'bin'), { recursive: true });
      fs.writeFileSync(path.join(release, 'go', 'bin', 'go'), `#!/bin/sh\necho "go version go${version} linux/amd64"\n`, { mode: 0o755 });
      const archive = path.join(work, `go${version}.linux-amd64.tar.gz`);
      expect(spawnSync('tar', ['-czf', archive, '-C', release, 'go']).status).toBe(0);
      const sha = createHash('sha256').update(fs.readFileSync(archive)).digest('hex');
      const listing = path.join(work, 'listing.json');
      fs.writeFileSync(
        listing,
        JSON.stringify([
          {
            version: `go${version}`,
            files: [
              { filename: `go${version}.src.tar.gz`, sha256: '0'.repeat(64) },
              { filename: path.basename(archive), sha256: listedSha(sha) },
            ],
          },
          { version: 'go1.25.0', files: [{ filename: 'go1.25.0.linux-amd64.tar.gz', sha256: '1'.repeat(64) }] },
        ]),
      );
      // Answers https://go.dev/dl/<archive> with the archive and the JSON listing with the listing.
      const bin = path.join(work, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, 'curl'),
        `#!/bin/sh\nout=""\nurl=""\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2;; -*) shift;; *) url="$1"; shift;; esac; done\n` +
          `case "$url" in *mode=json*) src="${listing}";; https://go.dev/dl/${path.basename(archive)}) src="${archive}";; *) echo "unexpected $url" >&2; exit 22;; esac\n` +
          `if [ -n "$out" ]; then cp "$src" "$out"; else cat "$src"; fi\n`,
        { mode: 0o755 },
      );
      const cacheDir = path.join(work, 'cache');
      const script = `set -eo pipefail\n${lines(gitlabJob('.toolchain').before_script, '.toolchain.before_script').join('\n')}\ncommand -v go\n`;
      const result = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, CI_CACHE_DIR: cacheDir, GO_VERSION: version },
      });
      return {
        status: result.status,
        output: `${result.stdout}${result.stderr}`,
        goRoot: path.join(cacheDir, 'go-toolchain', `go${version}`),
      };
    }

    it('installs the release whose SHA-256 go.dev lists, into the cache, and puts it first on PATH', () => {
      const result = install((sha) => sha);
      expect(result.output).toContain(`${path.join(result.goRoot, 'bin', 'go')}\n`);
      expect(result.output).toMatch(/go version go1\.\d+\.\d+ linux\/amd64/);
      expect(result.status).toBe(0);
    });

    it('refuses an archive whose SHA-256 differs from the listed one', () => {
      const result = install(() => 'f'.repeat(64));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/FAILED/);
      expect(fs.existsSync(path.join(result.goRoot, 'bin', 'go'))).toBe(false);
    });
  });
});
