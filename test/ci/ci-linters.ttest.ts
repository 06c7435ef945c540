/**
 * The CI definitions through the real linters: the GitHub workflow passes actionlint (v1.7.12,
 * built from its Go module; with shellcheck on its `run:` scripts when shellcheck is on PATH), and
 * edited copies that must fail do; every GitLab job's script passes shellcheck when installed.
 * What the definitions say is checked in ci-definitions.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { actionlint, onPath } from '../support/actionlint';
import { GITHUB_FILE, gitlabJobs, gitlabShellScript } from './ci-files';

describe('GitHub Actions workflow', () => {
  it('passes actionlint', () => {
    const result = actionlint({ file: GITHUB_FILE });
    expect(result.errors.map((error) => `${error.line}:${error.column} [${error.kind}] ${error.message}`)).toEqual([]);
    expect(result.status).toBe(0);
  });

  describe('actionlint catches a broken workflow', () => {
    const original = fs.readFileSync(GITHUB_FILE, 'utf8');

    function lint(workflow: string): string[] {
      const result = actionlint({ text: workflow, name: '.github/workflows/ci.yml' });
      expect(result.status).toBe(1);
      return result.errors.map((error) => `[${error.kind}] ${error.message}`);
    }

    function edited(from: string, to: string): string {
      expect(original).toContain(from);
      return original.replace(from, to);
    }

    it('an unknown key', () => {
      expect(lint(edited('    timeout-minutes: 30\n', '    timeout_minutes: 30\n'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[syntax-check\] unexpected key "timeout_minutes" for "job" section/)]),
      );
    });

    it('a broken expression and an unknown context', () => {
      const errors = lint(edited("if: github.event_name == 'pull_request'", "if: ${{ github.event_name == 'pull_request' }"));
      expect(errors.some((error) => error.startsWith('[expression]') || error.startsWith('[syntax-check]'))).toBe(true);
      expect(lint(edited('${{ secrets.GITHUB_TOKEN }}', '${{ secret.GITHUB_TOKEN }}'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[expression\] undefined variable "secret"/)]),
      );
    });

    it('a context used where it is not available', () => {
      // `runner` does not exist yet when the job's env is evaluated.
      expect(lint(edited('    timeout-minutes: 30\n', '    timeout-minutes: 30\n    env:\n      CACHE: ${{ runner.temp }}\n'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[expression\] context "runner" is not allowed here/)]),
      );
    });

    it('a misspelt permission scope and a wrong action input', () => {
      expect(lint(edited('      pull-requests: write # create', '      pull-request: write # create'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[permissions\] unknown permission scope "pull-request"/)]),
      );
      expect(lint(edited('          fetch-depth: 0\n', '          fetch_depth: 0\n'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[action\] input "fetch_depth" is not defined in action "actions\/checkout@v6"/)]),
      );
    });

    (onPath('shellcheck') ? it : it.skip)('an unquoted variable in a run: script (shellcheck)', () => {
      expect(lint(edited('--base "origin/$GITHUB_BASE_REF"', '--base origin/$GITHUB_BASE_REF'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[shellcheck\] .*SC2086/)]),
      );
    });
  });
});

describe('GitLab CI pipeline', () => {
  (onPath('shellcheck') ? it.each(gitlabJobs) : it.skip.each(gitlabJobs))('%s job: its script passes shellcheck', (name) => {
    const lint = spawnSync('shellcheck', ['--shell=bash', '--severity=info', '-'], { input: gitlabShellScript(name), encoding: 'utf8' });
    expect(lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });
});
