/**
 * The CI definitions as the tests read them: .github/workflows/ci.yml and .gitlab-ci.yml parsed,
 * and the shell script GitLab runs for each job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

export const ROOT = path.join(__dirname, '..', '..');
export const GITHUB_FILE = path.join(ROOT, '.github', 'workflows', 'ci.yml');
export const GITLAB_FILE = path.join(ROOT, '.gitlab-ci.yml');

export type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function node(value: unknown, where: string): Node {
  if (!isNode(value)) throw new Error(`${where} is not a mapping`);
  return value;
}

export function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list`);
  return value;
}

export function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} is not a string`);
  return value;
}

export function parse(file: string): Node {
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
  if (document.errors.length > 0 || document.warnings.length > 0)
    throw new Error([...document.errors, ...document.warnings].map(String).join('\n'));
  return node(document.toJS(), file);
}

export const gitlab = parse(GITLAB_FILE);
const KEYWORDS = new Set([
  'stages',
  'workflow',
  'variables',
  'default',
  'include',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
]);
export const gitlabJobs = Object.keys(gitlab).filter((key) => !KEYWORDS.has(key) && !key.startsWith('.'));

export function gitlabJob(name: string): Node {
  return node(gitlab[name], name);
}

export function lines(value: unknown, where: string): string[] {
  return value === undefined ? [] : list(value, where).map((line, index) => text(line, `${where}[${index}]`));
}

/** The shell script GitLab runs for a job: before_script (its own or extended) and script. */
export function gitlabScript(name: string): string[] {
  const job = gitlabJob(name);
  const extended = typeof job.extends === 'string' ? gitlabJob(job.extends) : {};
  const before = job.before_script ?? extended.before_script ?? node(gitlab.default, 'default').before_script;
  return [...lines(before, `${name}.before_script`), ...lines(job.script, `${name}.script`)];
}

/** A job's script as bash runs it, for `bash -n` and shellcheck. */
export function gitlabShellScript(name: string): string {
  return `#!/usr/bin/env bash\nset -eo pipefail\n${gitlabScript(name).join('\n')}\n`;
}
