/** The case table of CLI-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { editHaproxy, haproxyFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { STANDALONE_CONTEXT, type Mutation } from '../../../test/policies/fixtures';

const backend = `${haproxyFile} backend client`;

/** Rewrites the client backend's header line for `header` (matched case-insensitively). */
function setHeader(header: string, replacement: string | undefined): Mutation {
  const pattern = new RegExp(`^\\s*http-response set-header ${header} `, 'i');
  return editHaproxy((lines) => {
    if (!lines.some((line) => pattern.test(line))) throw new Error(`haproxy.cfg sets no ${header}`);
    return lines.flatMap((line) => (pattern.test(line) ? (replacement === undefined ? [] : [replacement]) : [line]));
  });
}

/** Replaces one directive of the client's Content-Security-Policy. */
function csp(directive: string, value: string): Mutation {
  return editHaproxy((lines) =>
    lines.map((line) =>
      /http-response set-header Content-Security-Policy/.test(line)
        ? line.replace(new RegExp(`${directive} [^;"]*`), `${directive} ${value}`)
        : line,
    ),
  );
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'no Content-Security-Policy',
      mutate: setHeader('Content-Security-Policy', undefined),
      address: backend,
      message: 'Content-Security-Policy is not set',
    },
    {
      name: 'inline scripts allowed',
      mutate: csp('script-src', "'self' 'unsafe-inline'"),
      address: backend,
      message: `script-src is "'self' 'unsafe-inline'", must be "'self' 'wasm-unsafe-eval'"`,
    },
    {
      name: 'evaluated code allowed in another directive',
      mutate: csp('worker-src', "'self' 'unsafe-eval'"),
      address: backend,
      message: 'allows a wildcard source or evaluated code',
    },
    {
      name: 'the client may be framed',
      mutate: csp('frame-ancestors', '*'),
      address: backend,
      message: 'frame-ancestors is "*"',
    },
    {
      name: 'connections to a third party',
      mutate: csp('connect-src', "'self' https://matrix.agency.example.org https://collector.example.net"),
      address: backend,
      message: 'connect-src allows https://collector.example.net',
    },
    {
      name: 'without site facts: connections anywhere',
      mutate: csp('connect-src', "'self' https:"),
      context: STANDALONE_CONTEXT,
      address: backend,
      message: 'connect-src allows https:',
    },
    {
      name: 'HSTS too short',
      mutate: setHeader('Strict-Transport-Security', '  http-response set-header Strict-Transport-Security "max-age=300"'),
      address: backend,
      message: 'must have max-age of at least 31536000',
    },
    {
      name: 'a referrer sent',
      mutate: setHeader('Referrer-Policy', '  http-response set-header Referrer-Policy "origin"'),
      address: backend,
      message: 'referrer-policy is "origin", must be "no-referrer"',
    },
    {
      name: 'X-Frame-Options missing',
      mutate: setHeader('X-Frame-Options', undefined),
      address: backend,
      message: 'x-frame-options is "(absent)"',
    },
    {
      name: 'features granted to every origin',
      mutate: setHeader('Permissions-Policy', '  http-response set-header Permissions-Policy "camera=*, geolocation=()"'),
      address: backend,
      message: 'Permissions-Policy is',
    },
    {
      name: 'a header only under a condition',
      mutate: setHeader('X-Content-Type-Options', '  http-response set-header X-Content-Type-Options "nosniff" if { status 200 }'),
      address: backend,
      message: 'sets X-Content-Type-Options only under a condition',
    },
    {
      name: 'the policy deleted after it is set',
      mutate: editHaproxy((lines) =>
        lines.flatMap((line) => (/^\s*server client /.test(line) ? ['  http-response del-header Content-Security-Policy', line] : [line])),
      ),
      address: backend,
      message: 'deletes Content-Security-Policy',
    },
  ],
  good: [
    { name: 'the rendered headers', mutate: () => undefined },
    { name: 'without site facts', mutate: () => undefined, context: STANDALONE_CONTEXT },
    {
      name: 'a stricter policy (no frames at all)',
      mutate: csp('frame-src', "'none'"),
    },
  ],
  notApplicable: [
    {
      name: 'no origin routed by host name',
      mutate: editHaproxy((lines) => lines.filter((line) => !/use_backend client if client_host/.test(line))),
    },
  ],
};
