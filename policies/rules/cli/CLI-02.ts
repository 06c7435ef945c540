import { REQUIRED_CSP_DIRECTIVES } from '../../../model/client';
import { hostOf } from '../../../model/dns-names';
import { aclsOf, haproxyConfigFiles, splitCondition, type HaproxyConfigFile } from '../../../tfjson/haproxy-config';
import type { AuditContext, Rule, Violation } from '../../rule';

/** The headers judged here (lowercase). */
const REQUIRED_HEADERS: readonly string[] = [
  'content-security-policy',
  'strict-transport-security',
  'x-frame-options',
  'referrer-policy',
  'x-content-type-options',
  'permissions-policy',
];

/** HSTS for at least a year: a browser that once saw the origin never speaks plain HTTP to it. */
const MIN_HSTS_SECONDS = 31_536_000;

/** The backends a frontend sends a whole origin to (`use_backend <b> if <host ACL>`), with the ACL. */
function originBackends(file: HaproxyConfigFile): { backend: string; acl: string }[] {
  return file.sections
    .filter((section) => section.kind === 'frontend' || section.kind === 'listen')
    .flatMap((section) => {
      const acls = aclsOf(section);
      return section.lines.flatMap((line) => {
        if (line.words[0] !== 'use_backend') return [];
        const { action, condition } = splitCondition(line.words);
        const term = condition?.groups.length === 1 && condition.groups[0]?.length === 1 ? condition.groups[0][0] : undefined;
        const criteria = typeof term?.acl === 'string' ? acls.get(term.acl) : undefined;
        if (!term || term.negated || !criteria || !criteria.every((criterion) => criterion[0] === 'hdr(host)')) return [];
        return [{ backend: action[1] ?? '?', acl: String(term.acl) }];
      });
    });
}

/** The value each header ends with on every response of the backend (unconditional set-header, last wins), or why it is not certain. */
function finalHeaders(file: HaproxyConfigFile, backend: string): { headers: Map<string, string>; problems: string[] } {
  const headers = new Map<string, string>();
  const problems: string[] = [];
  const section = file.sections.find((candidate) => candidate.kind === 'backend' && candidate.name === backend);
  for (const line of section?.lines ?? []) {
    const [keyword, action, name, value] = line.words;
    if (keyword !== 'http-response' || name === undefined) continue;
    const lower = name.toLowerCase();
    if (action === 'del-header') {
      headers.delete(lower);
      if (REQUIRED_HEADERS.includes(lower)) problems.push(`line ${line.number} deletes ${name}`);
    } else if (action === 'set-header' || action === 'add-header') {
      if (splitCondition(line.words).condition) problems.push(`line ${line.number} sets ${name} only under a condition`);
      else if (value !== undefined) headers.set(lower, value);
    }
  }
  return { headers, problems };
}

function directivesOf(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name.toLowerCase(), values.join(' ')] as const),
  );
}

/** Where the client may connect: itself, its homeserver and its calls (by the site facts), or https and wss origins without wildcards. */
function connectProblems(value: string | undefined, allowed: readonly string[] | undefined): string[] {
  if (value === undefined) return ['connect-src is absent (default-src decides, but the homeserver must be named explicitly)'];
  const sources = value.split(/\s+/);
  return sources.flatMap((source) => {
    if (allowed ? !allowed.includes(source) : source !== "'self'" && !/^(https|wss):\/\/[a-z0-9.-]+$/.test(source))
      return [
        `connect-src allows ${source}: the client may reach only itself, its homeserver and its calls${allowed ? '' : ' (https or wss origins)'}`,
      ];
    return [];
  });
}

function cspProblems(policy: string | undefined, allowed: readonly string[] | undefined): string[] {
  if (policy === undefined) return ['Content-Security-Policy is not set: an injected script could run and send data anywhere'];
  const directives = directivesOf(policy);
  const problems = Object.entries(REQUIRED_CSP_DIRECTIVES).flatMap(([name, required]) =>
    directives.get(name) === required
      ? []
      : [`Content-Security-Policy ${name} is ${JSON.stringify(directives.get(name) ?? '(absent)')}, must be ${JSON.stringify(required)}`],
  );
  if (/(^|\s)\*(\s|$)|'unsafe-eval'|'unsafe-hashes'/.test(policy))
    problems.push('Content-Security-Policy allows a wildcard source or evaluated code');
  problems.push(...connectProblems(directives.get('connect-src'), allowed));
  return problems;
}

function headerProblems(headers: ReadonlyMap<string, string>, allowed: readonly string[] | undefined): string[] {
  const problems = cspProblems(headers.get('content-security-policy'), allowed);
  const hsts = /max-age=([0-9]+)/.exec(headers.get('strict-transport-security') ?? '');
  if (!hsts || Number(hsts[1]) < MIN_HSTS_SECONDS)
    problems.push(
      `Strict-Transport-Security is ${JSON.stringify(headers.get('strict-transport-security') ?? '(absent)')}, must have max-age of at least ${MIN_HSTS_SECONDS}`,
    );
  const exact: [string, string][] = [
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['x-content-type-options', 'nosniff'],
  ];
  for (const [name, value] of exact)
    if (headers.get(name)?.toLowerCase() !== value.toLowerCase())
      problems.push(`${name} is ${JSON.stringify(headers.get(name) ?? '(absent)')}, must be ${JSON.stringify(value)}`);
  const permissions = headers.get('permissions-policy');
  if (permissions === undefined || permissions.includes('*') || !/geolocation=\(\)/.test(permissions))
    problems.push(
      `Permissions-Policy is ${JSON.stringify(permissions ?? '(absent)')}: it must grant no feature to other origins and deny geolocation`,
    );
  return problems;
}

/**
 * The sources the client may connect to, by the site facts: itself, the homeserver whose gateway
 * this is (the one whose name the gateway's .well-known answer carries) and that homeserver's calls.
 */
function allowedConnectSources(file: HaproxyConfigFile, context: AuditContext): string[] | undefined {
  const served = context.facts?.homeservers.filter((homeserver) =>
    file.text.includes(`"base_url":"https://${hostOf(homeserver.serverName)}"`),
  );
  const homeserver = served?.length === 1 ? served[0] : undefined;
  if (!homeserver) return undefined;
  const calls = homeserver.callsHostname;
  return ["'self'", `https://${hostOf(homeserver.serverName)}`, ...(calls ? [`https://${calls}`, `wss://${calls}`] : [])];
}

/**
 * Every origin the gateway serves whole (the web client, routed by host name) answers with a
 * strict Content-Security-Policy (scripts only from itself, connections only to itself and its
 * homeserver, never framed, no plugins, no base or form redirection), HSTS for a year,
 * X-Frame-Options DENY, no referrer, nosniff and a Permissions-Policy that grants nothing to
 * other origins, unconditionally on every response.
 */
export const rule: Rule = {
  id: 'CLI-02',
  title: "The web client's origin sends strict security headers",
  level: 'error',
  lesson:
    "A web client without a strict Content-Security-Policy runs whatever script an attacker manages to inject, with the user's keys and session, and sends the results anywhere.",
  references: { nsaCisa: 'Application hardening' },
  fix: 'Add the headers of render/gateway/client-headers.ts with unconditional "http-response set-header" lines in the backend the client origin is routed to, and delete none of them.',
  siteFacts: {
    facts: ['homeservers'],
    unjudged: 'whether connect-src names exactly the homeserver of this gateway (any https origin without wildcard is accepted)',
  },
  appliesTo: {
    subject: 'web client origin routed by the gateway',
    presentIn: (stack) => haproxyConfigFiles(stack).some((file) => originBackends(file).length > 0),
  },
  check: (stack, context) =>
    haproxyConfigFiles(stack).flatMap((file): Violation[] =>
      originBackends(file).flatMap(({ backend, acl }) => {
        const { headers, problems } = finalHeaders(file, backend);
        return [...problems, ...headerProblems(headers, allowedConnectSources(file, context))].map((message) => ({
          address: `${file.address} backend ${backend}`,
          message: `responses of the origin of ACL ${acl}: ${message}`,
        }));
      }),
    ),
};
