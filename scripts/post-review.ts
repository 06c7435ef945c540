/**
 * Posts the pull-request review (`npm run review`'s Markdown) as ONE comment on the pull
 * request (GitHub Actions) or merge request (GitLab CI), updating the earlier one on later
 * pushes instead of adding another: the comment is recognised by the marker on its first line.
 *
 * Usage: npm run post-review -- [<review.md>]   (default reports/review.md)
 *
 * GitHub Actions (GITHUB_ACTIONS=true): GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH
 *   (a pull_request event) and GITHUB_TOKEN (the job's token, with `pull-requests: write`).
 * GitLab CI (GITLAB_CI=true): CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID and
 *   REVIEW_API_TOKEN (a project access token with the `api` scope; CI_JOB_TOKEN cannot write notes).
 *
 * Exit codes: 0 posted, 1 the API refused or could not be reached, 2 bad usage, a missing
 * variable, an unreadable file (a regular file of at most 4 MiB) or a file that is not a
 * review (no marker on its first line, or too long), 70 internal error.
 * The token is sent only in the request headers, never printed, and never sent through a redirect.
 * Only a comment written by the poster's own account is updated (GitHub: REVIEW_COMMENT_AUTHOR,
 * default github-actions[bot]; GitLab: the token's user), so a marker planted by someone else in
 * their own comment is neither overwritten nor taken for the review.
 */
import { ParseError, parseJson } from '../config/bounded-parse';
import { INPUT_LIMITS, InputFileError, readRegularFile } from '../config/input-files';
import { printable } from '../config/printable';
import { REVIEW_MARKER } from '../review/render-review';
import { EXIT, internalErrorText } from './command';

/** GitHub's limit for an issue comment's body, in characters; applied on GitLab too. */
export const MAX_COMMENT_CHARACTERS = 65_536;

export const DEFAULT_REVIEW_FILE = 'reports/review.md';

/** Comments are listed 100 a page; past this many pages the search stops (10,000 comments). */
const MAX_PAGES = 100;
const PER_PAGE = 100;
const REQUEST_TIMEOUT_MS = 30_000;

/** The part of `fetch` used here; Node's global fetch fits it, tests may pass their own. */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  text(): Promise<string>;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly redirect: 'error';
  readonly signal?: AbortSignal;
}

export type Fetch = (url: string, init: HttpRequest) => Promise<HttpResponse>;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface PostReviewOptions {
  /** The review's Markdown; its first line must be REVIEW_MARKER. */
  readonly body: string;
  /** Defaults to process.env. */
  readonly env?: Environment;
  /** Defaults to Node's global fetch. */
  readonly fetch?: Fetch;
}

export interface PostReviewResult {
  readonly platform: 'github' | 'gitlab';
  readonly action: 'created' | 'updated';
  /** The comment's (GitHub) or note's (GitLab) id. */
  readonly id: number;
  /** Pull request number (GitHub) or merge request IID (GitLab). */
  readonly number: number;
  /** Link to the comment, when the API returned one. */
  readonly url?: string;
}

/** A refusal (exit 2) or a failed API call (exit 1); the message never holds the token. */
export class PostReviewError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'PostReviewError';
  }
}

interface Target {
  readonly platform: 'github' | 'gitlab';
  /** "GitHub API" or "GitLab API", for messages. */
  readonly api: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly number: number;
  readonly headers: Record<string, string>;
  readonly listPath: (page: number) => string;
  readonly updatePath: (id: number) => string;
  readonly updateMethod: 'PATCH' | 'PUT';
  readonly createPath: string;
  /** The account the token posts as, as a predicate on a comment: only its comments are the review. */
  readonly authoredByPoster: (comment: Record<string, unknown>, poster: number | string) => boolean;
  /** Who the token posts as: a login (GitHub, from the environment) or a user id (GitLab, asked from the API). */
  readonly poster: (fetchFunction: Fetch) => Promise<number | string>;
}

function required(env: Environment, name: string, purpose: string): string {
  const value = env[name]?.trim();
  if (!value) throw new PostReviewError(`${name} is not set: ${purpose}`, 2);
  return value;
}

function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apiBase(env: Environment, name: string): string {
  const value = required(env, name, 'the API root to post the review to');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PostReviewError(`${name} is not a URL: ${value}`, 2);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PostReviewError(`${name} must be an http(s) URL: ${value}`, 2);
  return value.replace(/\/+$/, '');
}

function githubTarget(env: Environment): Target {
  const apiUrl = apiBase(env, 'GITHUB_API_URL');
  const repository = required(env, 'GITHUB_REPOSITORY', 'the owner/name of the repository');
  const parts = repository.split('/');
  if (parts.length !== 2 || parts.some((part) => part === ''))
    throw new PostReviewError(`GITHUB_REPOSITORY must be owner/name, not ${repository}`, 2);
  const eventPath = required(env, 'GITHUB_EVENT_PATH', 'the event file that names the pull request');
  let event: unknown;
  try {
    event = parseJson(readRegularFile(eventPath, INPUT_LIMITS.reviewFileBytes, 'event file'));
  } catch (error) {
    if (error instanceof InputFileError) throw new PostReviewError(`GITHUB_EVENT_PATH: ${error.message}`, 2);
    if (error instanceof ParseError)
      throw new PostReviewError(`GITHUB_EVENT_PATH (${printable(eventPath)}): the event is ${error.message}`, 2);
    throw error;
  }
  const pullRequest = isRecord(event) ? event.pull_request : undefined;
  const number = positiveInteger(isRecord(pullRequest) ? pullRequest.number : undefined);
  if (number === undefined)
    throw new PostReviewError(
      `GITHUB_EVENT_PATH (${printable(eventPath)}) is not a pull_request event (no pull_request.number): run this on pull requests only`,
      2,
    );
  const token = required(env, 'GITHUB_TOKEN', 'pass the job token (secrets.GITHUB_TOKEN, with pull-requests: write) in the step env');
  const repo = parts.map(encodeURIComponent).join('/');
  return {
    platform: 'github',
    api: 'GitHub API',
    apiUrl,
    token,
    number,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'matrix-sovereign-iac-post-review',
    },
    listPath: (page) => `/repos/${repo}/issues/${number}/comments?per_page=${PER_PAGE}&page=${page}`,
    updatePath: (id) => `/repos/${repo}/issues/comments/${id}`,
    updateMethod: 'PATCH',
    createPath: `/repos/${repo}/issues/${number}/comments`,
    authoredByPoster: (comment, poster) => isRecord(comment.user) && comment.user.login === poster,
    // The job token posts as github-actions[bot]; a site posting with an app or bot account names it.
    poster: async () => env.REVIEW_COMMENT_AUTHOR?.trim() || 'github-actions[bot]',
  };
}

function gitlabTarget(env: Environment): Target {
  const apiUrl = apiBase(env, 'CI_API_V4_URL');
  const project = encodeURIComponent(required(env, 'CI_PROJECT_ID', 'the project to post to'));
  const iidText = required(
    env,
    'CI_MERGE_REQUEST_IID',
    'run this in a merge request pipeline (rules: $CI_PIPELINE_SOURCE == "merge_request_event")',
  );
  const number = positiveInteger(iidText);
  if (number === undefined) throw new PostReviewError(`CI_MERGE_REQUEST_IID must be a positive integer, not ${iidText}`, 2);
  const token = required(
    env,
    'REVIEW_API_TOKEN',
    'add a masked CI/CD variable holding a project access token with the api scope (CI_JOB_TOKEN cannot write merge request notes)',
  );
  const notes = `/projects/${project}/merge_requests/${number}/notes`;
  const target: Target = {
    platform: 'gitlab',
    api: 'GitLab API',
    apiUrl,
    token,
    number,
    headers: { 'PRIVATE-TOKEN': token, Accept: 'application/json', 'User-Agent': 'matrix-sovereign-iac-post-review' },
    listPath: (page) => `${notes}?per_page=${PER_PAGE}&page=${page}&sort=asc&order_by=created_at`,
    updatePath: (id) => `${notes}/${id}`,
    updateMethod: 'PUT',
    createPath: notes,
    // System notes (GitLab's "added 1 commit") are never the review.
    authoredByPoster: (note, poster) => note.system !== true && isRecord(note.author) && note.author.id === poster,
    poster: async (fetchFunction) => {
      const user = await request(target, fetchFunction, 'GET', '/user');
      return commentId(user, 'GitLab API GET /user');
    },
  };
  return target;
}

function detectTarget(env: Environment): Target {
  if (env.GITHUB_ACTIONS === 'true') return githubTarget(env);
  if (env.GITLAB_CI === 'true') return gitlabTarget(env);
  throw new PostReviewError(
    'not running in GitHub Actions (GITHUB_ACTIONS=true) or GitLab CI (GITLAB_CI=true): nowhere to post the review',
    2,
  );
}

/** Refuses anything but a review: the marker on the first line, at most MAX_COMMENT_CHARACTERS. */
export function checkReviewBody(body: string): void {
  const firstLine = body.split('\n', 1)[0]?.replace(/\r$/, '').trim();
  if (firstLine !== REVIEW_MARKER) throw new PostReviewError(`not a review: its first line must be ${REVIEW_MARKER}`, 2);
  const characters = Array.from(body).length;
  if (characters > MAX_COMMENT_CHARACTERS)
    throw new PostReviewError(`the review has ${characters} characters, more than a comment holds (${MAX_COMMENT_CHARACTERS})`, 2);
}

function messageOf(error: unknown): string | undefined {
  return isRecord(error) && typeof error.message === 'string' ? error.message : undefined;
}

function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}

async function request(target: Target, fetchFunction: Fetch, method: HttpRequest['method'], path: string, body?: string): Promise<unknown> {
  const headers = body === undefined ? target.headers : { ...target.headers, 'Content-Type': 'application/json' };
  const where = `${target.api} ${method} ${path}`;
  let response: HttpResponse;
  try {
    response = await fetchFunction(`${target.apiUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      // A redirect would carry PRIVATE-TOKEN to wherever it points: never follow one.
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    // Node's "fetch failed" says what went wrong in its cause (refused connection, redirect, bad header).
    const cause: unknown = isRecord(error) ? error.cause : undefined;
    const detail = [messageOf(error), isRecord(cause) ? messageOf(cause) : undefined].filter(Boolean).join(': ');
    throw new PostReviewError(redact(`${where} failed: ${detail}`, target.token), 1);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed) && parsed.message !== undefined)
        message = typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed.message);
    } catch {
      // Not JSON: the text itself, shortened below.
    }
    const shown = message.length > 500 ? `${message.slice(0, 500)}...` : message;
    throw new PostReviewError(
      redact(`${where} answered ${response.status} ${response.statusText}${shown ? `: ${shown}` : ''}`, target.token),
      1,
    );
  }
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    throw new PostReviewError(redact(`${where} answered ${response.status} with a body that is not JSON`, target.token), 1);
  }
}

function commentId(value: unknown, where: string): number {
  const id = isRecord(value) ? positiveInteger(value.id) : undefined;
  if (id === undefined) throw new PostReviewError(`${where}: the answer has no comment id`, 1);
  return id;
}

async function findReviewComment(target: Target, fetchFunction: Fetch): Promise<number | undefined> {
  const poster = await target.poster(fetchFunction);
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const path = target.listPath(page);
    const comments = await request(target, fetchFunction, 'GET', path);
    if (!Array.isArray(comments)) throw new PostReviewError(`${target.api} GET ${path}: expected a list of comments`, 1);
    for (const comment of comments) {
      if (
        isRecord(comment) &&
        typeof comment.body === 'string' &&
        comment.body.trimStart().startsWith(REVIEW_MARKER) &&
        target.authoredByPoster(comment, poster)
      ) {
        return commentId(comment, `${target.api} GET ${path}`);
      }
    }
    if (comments.length < PER_PAGE) return undefined;
  }
  return undefined;
}

/** Creates the review comment, or updates the one already there (the poster's first marked comment). */
export async function postReview(options: PostReviewOptions): Promise<PostReviewResult> {
  const env = options.env ?? process.env;
  const fetchFunction: Fetch = options.fetch ?? fetch;
  checkReviewBody(options.body);
  const target = detectTarget(env);
  const payload = JSON.stringify({ body: options.body });
  const existing = await findReviewComment(target, fetchFunction);
  const path = existing === undefined ? target.createPath : target.updatePath(existing);
  const answer = await request(target, fetchFunction, existing === undefined ? 'POST' : target.updateMethod, path, payload);
  const id = existing ?? commentId(answer, `${target.api} POST ${path}`);
  const url = isRecord(answer) && typeof answer.html_url === 'string' ? answer.html_url : undefined;
  return {
    platform: target.platform,
    action: existing === undefined ? 'created' : 'updated',
    id,
    number: target.number,
    ...(url ? { url } : {}),
  };
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STANDARD_OUTPUT: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

export interface RunOptions {
  readonly io?: Output;
  readonly env?: Environment;
  readonly fetch?: Fetch;
}

const USAGE = 'usage: npm run post-review -- [<review.md>]   (default reports/review.md)';

/** The command, as a function of its arguments: exit code returned, output through `io`. */
export async function runPostReview(args: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? STANDARD_OUTPUT;
  const env = options.env ?? process.env;
  if (args.length > 1 || args.some((arg) => arg.startsWith('-'))) {
    io.err(`unexpected arguments: ${printable(args.join(' '))}\n${USAGE}\n`);
    return 2;
  }
  const file = args[0] ?? DEFAULT_REVIEW_FILE;
  let body: string;
  try {
    body = readRegularFile(file, INPUT_LIMITS.reviewFileBytes, 'review');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    io.err(`${error.message}\n`);
    return 2;
  }
  try {
    const result = await postReview({ body, env, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const kind =
      result.platform === 'github'
        ? `comment ${result.id} on GitHub pull request #${result.number}`
        : `note ${result.id} on GitLab merge request !${result.number}`;
    io.out(`${result.action} review ${kind}${result.url ? ` (${printable(result.url)})` : ''}\n`);
    return 0;
  } catch (error) {
    const tokens = [env.GITHUB_TOKEN, env.REVIEW_API_TOKEN].map((token) => token?.trim() ?? '').filter((token) => token !== '');
    const hide = (text: string) => tokens.reduce((shown, token) => redact(shown, token), text);
    if (!(error instanceof PostReviewError)) {
      io.err(`${hide(internalErrorText(error, env))}\n`);
      return EXIT.internal;
    }
    io.err(`${printable(file)}: ${printable(hide(error.message), 2000)}\n`);
    return error.exitCode;
  }
}

if (require.main === module) {
  void runPostReview(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
