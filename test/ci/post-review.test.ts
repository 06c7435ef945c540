/**
 * `npm run post-review`: upserts one marked review comment. The API is a loopback `node:http`
 * server that records every request and answers like GitHub's / GitLab's REST API would; this
 * checks the requests' shape (method, path, pagination, headers, JSON body) and our handling of
 * the answers, not GitHub or GitLab themselves.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REVIEW_MARKER } from '../../review/render-review';
import { MAX_COMMENT_CHARACTERS, PostReviewError, postReview, runPostReview, type Environment } from '../../scripts/post-review';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Answer {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
}

type Route = (request: RecordedRequest) => Answer | undefined;

interface FakeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const servers: FakeApi[] = [];

/** A loopback HTTP server; `route` answers each request (404 when it returns undefined). */
async function fakeApi(route: Route): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = route(recorded) ?? { status: 404, json: { message: 'Not Found' } };
      outgoing.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      outgoing.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: FakeApi = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(api);
  return api;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const GITHUB_TOKEN = 'ghs_fakeTokenForTests0123456789abcdef';
const GITLAB_TOKEN = 'glpat-fakeTokenForTests-0123456789';
const REVIEW = `${REVIEW_MARKER}\n# Infrastructure review\n\nNo change in the synthesized stacks.\n`;

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'post-review-'));
}

function githubEnvironment(
  apiUrl: string,
  event: unknown = { action: 'synchronize', pull_request: { number: 7 } },
): Record<string, string | undefined> {
  const eventPath = path.join(scratch(), 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(event));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'acme/matrix-iac',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_TOKEN,
  };
}

function gitlabEnvironment(apiUrl: string): Record<string, string | undefined> {
  return {
    GITLAB_CI: 'true',
    CI_API_V4_URL: `${apiUrl}/api/v4`,
    CI_PROJECT_ID: '42',
    CI_MERGE_REQUEST_IID: '9',
    REVIEW_API_TOKEN: GITLAB_TOKEN,
  };
}

function comments(
  count: number,
  first: number,
  body = (id: number) => `comment ${id}`,
): { id: number; body: string; user: { login: string } }[] {
  return Array.from({ length: count }, (_, index) => ({ id: first + index, body: body(first + index), user: { login: 'someone' } }));
}

/** Runs the command as CI would, capturing its output. */
async function runCli(args: string[], env: Environment): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runPostReview(args, { env, io: { out: (text) => (out += text), err: (text) => (err += text) } });
  return { status, out, err };
}

function reviewFile(body = REVIEW): string {
  const file = path.join(scratch(), 'review.md');
  fs.writeFileSync(file, body);
  return file;
}

describe('post-review on GitHub Actions', () => {
  it('creates the comment when the pull request has none, with the REST API headers', async () => {
    const api = await fakeApi((request) => {
      if (request.method === 'GET') return { status: 200, json: comments(3, 1) };
      if (request.method === 'POST')
        return {
          status: 201,
          json: {
            id: 555,
            body: JSON.parse(request.body).body,
            html_url: 'https://github.example/acme/matrix-iac/pull/7#issuecomment-555',
          },
        };
      return undefined;
    });
    const result = await postReview({ body: REVIEW, env: githubEnvironment(api.url) });

    expect(result).toEqual({
      platform: 'github',
      action: 'created',
      id: 555,
      number: 7,
      url: 'https://github.example/acme/matrix-iac/pull/7#issuecomment-555',
    });
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /repos/acme/matrix-iac/issues/7/comments?per_page=100&page=1',
      'POST /repos/acme/matrix-iac/issues/7/comments',
    ]);
    for (const request of api.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
      expect(request.headers.accept).toBe('application/vnd.github+json');
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
      expect(request.headers['user-agent']).toBeTruthy();
    }
    const post = api.requests[1];
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.body ?? '')).toEqual({ body: REVIEW });
  });

  it('updates the marked comment found on page 2 and leaves every other comment alone', async () => {
    // Page 1 is full (100 comments, one quoting the marker mid-text, one starting with it but
    // written by a contributor, not the job's account), so page 2 is read too.
    const page1 = comments(100, 1, (id) =>
      id === 50 ? `as the bot said: ${REVIEW_MARKER}` : id === 60 ? `${REVIEW_MARKER}\nplanted by a contributor` : `comment ${id}`,
    );
    const page2 = [
      ...comments(5, 101),
      { id: 4242, body: `${REVIEW_MARKER}\nan older review`, user: { login: 'github-actions[bot]' } },
      ...comments(2, 200),
    ];
    const api = await fakeApi((request) => {
      if (request.method === 'GET' && request.path.endsWith('&page=1')) return { status: 200, json: page1 };
      if (request.method === 'GET' && request.path.endsWith('&page=2')) return { status: 200, json: page2 };
      if (request.method === 'PATCH') return { status: 200, json: { id: 4242, body: JSON.parse(request.body).body } };
      return undefined;
    });
    const result = await postReview({ body: REVIEW, env: githubEnvironment(api.url) });

    expect(result).toMatchObject({ platform: 'github', action: 'updated', id: 4242, number: 7 });
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /repos/acme/matrix-iac/issues/7/comments?per_page=100&page=1',
      'GET /repos/acme/matrix-iac/issues/7/comments?per_page=100&page=2',
      'PATCH /repos/acme/matrix-iac/issues/comments/4242',
    ]);
    expect(JSON.parse(api.requests[2]?.body ?? '')).toEqual({ body: REVIEW });
  });

  it('stops listing at the first short page and creates the comment when none is marked', async () => {
    const api = await fakeApi((request) => {
      if (request.method === 'GET' && request.path.endsWith('&page=1')) return { status: 200, json: comments(100, 1) };
      if (request.method === 'GET' && request.path.endsWith('&page=2')) return { status: 200, json: [] };
      if (request.method === 'POST') return { status: 201, json: { id: 9001 } };
      return undefined;
    });
    await expect(postReview({ body: REVIEW, env: githubEnvironment(api.url) })).resolves.toMatchObject({ action: 'created', id: 9001 });
    expect(api.requests.map((request) => request.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('prints what it did through the command', async () => {
    const api = await fakeApi((request) =>
      request.method === 'GET' ? { status: 200, json: [] } : { status: 201, json: { id: 12, html_url: 'https://github.example/c/12' } },
    );
    const result = await runCli([reviewFile()], githubEnvironment(api.url));
    expect(result).toEqual({
      status: 0,
      out: 'created review comment 12 on GitHub pull request #7 (https://github.example/c/12)\n',
      err: '',
    });
  });
});

describe('post-review on GitLab CI', () => {
  it('creates the note when the merge request has none, with PRIVATE-TOKEN', async () => {
    const api = await fakeApi((request) => {
      if (request.method === 'GET' && request.path === '/api/v4/user') return { status: 200, json: { id: 5, username: 'project_42_bot' } };
      if (request.method === 'GET') return { status: 200, json: [{ id: 1, body: 'looks good', system: false, author: { id: 5 } }] };
      if (request.method === 'POST') return { status: 201, json: { id: 77, body: JSON.parse(request.body).body } };
      return undefined;
    });
    const result = await postReview({ body: REVIEW, env: gitlabEnvironment(api.url) });

    expect(result).toEqual({ platform: 'gitlab', action: 'created', id: 77, number: 9 });
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/projects/42/merge_requests/9/notes?per_page=100&page=1&sort=asc&order_by=created_at',
      'POST /api/v4/projects/42/merge_requests/9/notes',
    ]);
    for (const request of api.requests) {
      expect(request.headers['private-token']).toBe(GITLAB_TOKEN);
      expect(request.headers.authorization).toBeUndefined();
    }
    expect(JSON.parse(api.requests[2]?.body ?? '')).toEqual({ body: REVIEW });
  });

  it('updates the marked note on page 2 with PUT, skipping system notes, unmarked ones and marked ones by others', async () => {
    const page1 = Array.from({ length: 100 }, (_, index) => ({
      id: index + 1,
      body: index === 3 ? `${REVIEW_MARKER} (system)` : 'added 1 commit',
      system: true,
    }));
    const page2 = [
      { id: 300, body: 'please fix', system: false, author: { id: 8 } },
      { id: 301, body: `${REVIEW_MARKER}\nplanted by a contributor`, system: false, author: { id: 8 } },
      { id: 302, body: `\n${REVIEW_MARKER}\nold review`, system: false, author: { id: 5 } },
    ];
    const api = await fakeApi((request) => {
      if (request.method === 'GET' && request.path === '/api/v4/user') return { status: 200, json: { id: 5 } };
      if (request.method === 'GET' && request.path.includes('&page=1&')) return { status: 200, json: page1 };
      if (request.method === 'GET' && request.path.includes('&page=2&')) return { status: 200, json: page2 };
      if (request.method === 'PUT') return { status: 200, json: { id: 302 } };
      return undefined;
    });
    const result = await postReview({ body: REVIEW, env: gitlabEnvironment(api.url) });

    expect(result).toEqual({ platform: 'gitlab', action: 'updated', id: 302, number: 9 });
    expect(api.requests.map((request) => `${request.method} ${request.path.split('?')[0]}`)).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/projects/42/merge_requests/9/notes',
      'GET /api/v4/projects/42/merge_requests/9/notes',
      'PUT /api/v4/projects/42/merge_requests/9/notes/302',
    ]);
    expect(JSON.parse(api.requests[3]?.body ?? '')).toEqual({ body: REVIEW });
  });

  it('encodes a path-style project id', async () => {
    const api = await fakeApi((request) =>
      request.path === '/api/v4/user'
        ? { status: 200, json: { id: 5 } }
        : request.method === 'GET'
          ? { status: 200, json: [] }
          : { status: 201, json: { id: 5 } },
    );
    await postReview({ body: REVIEW, env: { ...gitlabEnvironment(api.url), CI_PROJECT_ID: 'group/sub project' } });
    expect(api.requests[2]?.path).toBe('/api/v4/projects/group%2Fsub%20project/merge_requests/9/notes');
  });
});

describe('post-review refusals', () => {
  const githubVariables = ['GITHUB_API_URL', 'GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH', 'GITHUB_TOKEN'];
  const gitlabVariables = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID', 'REVIEW_API_TOKEN'];

  it.each(githubVariables)('names the missing GitHub variable %s, exits 2 and sends nothing', async (name) => {
    const api = await fakeApi(() => ({ status: 200, json: [] }));
    const result = await runCli([reviewFile()], { ...githubEnvironment(api.url), [name]: undefined });
    expect(result.status).toBe(2);
    expect(result.err).toContain(`${name} is not set`);
    expect(api.requests).toEqual([]);
  });

  it.each(gitlabVariables)('names the missing GitLab variable %s, exits 2 and sends nothing', async (name) => {
    const api = await fakeApi(() => ({ status: 200, json: [] }));
    const result = await runCli([reviewFile()], { ...gitlabEnvironment(api.url), [name]: '' });
    expect(result.status).toBe(2);
    expect(result.err).toContain(`${name} is not set`);
    expect(api.requests).toEqual([]);
  });

  it('refuses outside GitHub Actions and GitLab CI', async () => {
    const result = await runCli([reviewFile()], { CI: 'true' });
    expect(result.status).toBe(2);
    expect(result.err).toMatch(/GITHUB_ACTIONS=true.*GITLAB_CI=true/);
  });

  it('refuses an event that is not a pull request', async () => {
    const api = await fakeApi(() => ({ status: 200, json: [] }));
    const result = await runCli([reviewFile()], githubEnvironment(api.url, { ref: 'refs/heads/main', commits: [] }));
    expect(result.status).toBe(2);
    expect(result.err).toContain('not a pull_request event');
    expect(api.requests).toEqual([]);
  });

  it('refuses a file whose first line is not the marker', async () => {
    const api = await fakeApi(() => ({ status: 200, json: [] }));
    for (const body of ['# Review\n', `# Review\n${REVIEW_MARKER}\n`, '']) {
      const result = await runCli([reviewFile(body)], githubEnvironment(api.url));
      expect(result.status).toBe(2);
      expect(result.err).toContain(`its first line must be ${REVIEW_MARKER}`);
    }
    expect(api.requests).toEqual([]);
  });

  it(`refuses a review longer than ${MAX_COMMENT_CHARACTERS} characters and posts one of exactly that length`, async () => {
    const api = await fakeApi((request) => (request.method === 'GET' ? { status: 200, json: [] } : { status: 201, json: { id: 1 } }));
    const fits = `${REVIEW_MARKER}\n`.padEnd(MAX_COMMENT_CHARACTERS, 'x');
    // Characters, not UTF-16 units: 65,536 emoji fit no more than 65,536 letters do.
    const tooLong = `${REVIEW_MARKER}\n${'🔒'.repeat(MAX_COMMENT_CHARACTERS - REVIEW_MARKER.length)}`;
    const refused = await runCli([reviewFile(tooLong)], githubEnvironment(api.url));
    expect(refused.status).toBe(2);
    expect(refused.err).toContain(`more than a comment holds (${MAX_COMMENT_CHARACTERS})`);
    expect(api.requests).toEqual([]);
    expect((await runCli([reviewFile(fits)], githubEnvironment(api.url))).status).toBe(0);
  });

  it('reports a missing file and bad arguments with exit 2', async () => {
    expect((await runCli([path.join(scratch(), 'absent.md')], {})).status).toBe(2);
    expect((await runCli(['--base', 'main'], {})).status).toBe(2);
    expect((await runCli(['a.md', 'b.md'], {})).status).toBe(2);
  });
});

describe('post-review API failures', () => {
  it('names the status and the API path, exits 1 and never prints the token', async () => {
    const api = await fakeApi((request) => {
      if (request.method === 'GET') return { status: 200, json: [] };
      // An API that echoes the credential back must not get it into the log either.
      return { status: 403, json: { message: `Resource not accessible by integration (token ${GITHUB_TOKEN})` } };
    });
    const result = await runCli([reviewFile()], githubEnvironment(api.url));
    expect(result.status).toBe(1);
    expect(result.err).toContain('GitHub API POST /repos/acme/matrix-iac/issues/7/comments answered 403');
    expect(result.err).toContain('Resource not accessible by integration');
    expect(result.err).not.toContain(GITHUB_TOKEN);
    expect(result.out).not.toContain(GITHUB_TOKEN);
  });

  it('fails on a GitLab 401 while listing, with the path and without the token', async () => {
    const api = await fakeApi((request) =>
      request.path === '/api/v4/user' ? { status: 200, json: { id: 5 } } : { status: 401, json: { message: '401 Unauthorized' } },
    );
    const result = await runCli([reviewFile()], gitlabEnvironment(api.url));
    expect(result.status).toBe(1);
    expect(result.err).toContain('GitLab API GET /projects/42/merge_requests/9/notes?per_page=100&page=1');
    expect(result.err).toContain('401');
    expect(result.err).not.toContain(GITLAB_TOKEN);
  });

  it('never follows a redirect, which would carry the token elsewhere', async () => {
    const elsewhere = await fakeApi(() => ({ status: 200, json: [] }));
    const api = await fakeApi(() => ({ status: 302, headers: { Location: `${elsewhere.url}/steal` } }));
    const result = await runCli([reviewFile()], gitlabEnvironment(api.url));
    expect(result.status).toBe(1);
    expect(result.err).toContain('GitLab API GET /user');
    expect(elsewhere.requests).toEqual([]);
    expect(result.err).toMatch(/redirect/);
  });

  it('reports an unreachable API with the path, exit 1, and no token even when the header is rejected', async () => {
    const api = await fakeApi(() => undefined);
    const closedUrl = api.url;
    await api.close();
    servers.splice(servers.indexOf(api), 1);
    const unreachable = await runCli([reviewFile()], githubEnvironment(closedUrl));
    expect(unreachable.status).toBe(1);
    expect(unreachable.err).toContain('GitHub API GET /repos/acme/matrix-iac/issues/7/comments');
    expect(unreachable.err).not.toContain(GITHUB_TOKEN);
    expect(unreachable.err).toMatch(/ECONNREFUSED/);

    // A token with a control character makes fetch reject the header; its message must not leak it.
    const server = await fakeApi(() => ({ status: 200, json: [] }));
    const badToken = `${GITHUB_TOKEN}\u0001x`;
    const rejected = await runCli([reviewFile()], { ...githubEnvironment(server.url), GITHUB_TOKEN: badToken });
    expect(rejected.status).toBe(1);
    expect(rejected.err).toMatch(/header/i);
    expect(rejected.err).not.toContain(GITHUB_TOKEN);
    expect(server.requests).toEqual([]);
  });

  it('throws PostReviewError with the exit code from the function', async () => {
    await expect(postReview({ body: 'no marker', env: {} })).rejects.toBeInstanceOf(PostReviewError);
    await expect(postReview({ body: 'no marker', env: {} })).rejects.toMatchObject({ exitCode: 2 });
  });
});
