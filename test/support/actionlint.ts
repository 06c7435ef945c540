/**
 * actionlint (github.com/rhysd/actionlint), the GitHub Actions workflow checker: workflow
 * syntax, expressions and their types, contexts available where they are used, permission
 * scopes, the inputs of popular actions, and, when `shellcheck` is on PATH, the `run:` scripts.
 * Built from its Go module and cached beside the other Go tools (see go-build.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installGoModuleTool } from './go-build';

export const ACTIONLINT_VERSION = 'v1.7.12';

export function ensureActionlint(): string {
  return installGoModuleTool('github.com/rhysd/actionlint/cmd/actionlint', ACTIONLINT_VERSION, 'actionlint');
}

/** The executable `name` on PATH, as actionlint would find it, or undefined. */
export function onPath(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export interface ActionlintError {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  /** The rule, e.g. `syntax-check`, `expression`, `permissions`, `shellcheck`. */
  readonly kind: string;
}

export interface ActionlintResult {
  /** 0 no problem, 1 problems found, 2 bad command line, 3 fatal. */
  readonly status: number;
  readonly errors: readonly ActionlintError[];
  /** The shellcheck actionlint ran the `run:` scripts through, if any was on PATH. */
  readonly shellcheck: string | undefined;
  readonly stderr: string;
}

export type ActionlintInput = { readonly file: string } | { readonly text: string; readonly name: string };

/** Lints one workflow file, or a workflow given as text (read from stdin under `name`). */
export function actionlint(input: ActionlintInput): ActionlintResult {
  const binary = ensureActionlint();
  const shellcheck = onPath('shellcheck');
  const args = ['-format', '{{json .}}', '-no-color', ...(shellcheck ? [] : ['-shellcheck='])];
  const result =
    'file' in input
      ? spawnSync(binary, [...args, input.file], { encoding: 'utf8', timeout: 120_000 })
      : spawnSync(binary, [...args, '-stdin-filename', input.name, '-'], { input: input.text, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  const status = result.status ?? -1;
  if (status !== 0 && status !== 1) throw new Error(`actionlint failed (${status}): ${result.stderr}${result.stdout}`);
  const output = result.stdout.trim();
  const errors = output === '' ? [] : (JSON.parse(output) as ActionlintError[]);
  return { status, errors, shellcheck, stderr: result.stderr };
}
