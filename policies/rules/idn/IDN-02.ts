import { KEYCLOAK_PATH, KEYCLOAK_WORKLOAD, REALM_NAME } from '../../../model/identity';
import {
  aclsOf,
  conditionMatches,
  haproxyConfigFiles,
  pathPatterns,
  serverAddresses,
  splitCondition,
  type Condition,
  type ConditionTerm,
  type HaproxySection,
  type PathPattern,
} from '../../../tfjson/haproxy-config';
import type { SynthesizedStack } from '../../../tfjson/terraform-json';
import { compartmentsOf } from '../../checks/namespaces';
import type { AuditContext, Rule, Violation } from '../../rule';

const REALM = `${KEYCLOAK_PATH}/realms/${REALM_NAME}`;

/**
 * The realm's public paths, all a browser needs to log in and enrol a second factor: the
 * authorization endpoint and logout (exactly), the login pages' form targets and the pages'
 * static resources (prefixes).
 */
const PUBLIC_EXACT = [`${REALM}/protocol/openid-connect/auth`, `${REALM}/protocol/openid-connect/logout`];
const PUBLIC_PREFIXES = [`${REALM}/login-actions/`, `${KEYCLOAK_PATH}/resources/`];

/**
 * Paths that must never reach the identity provider from outside: the admin console and API,
 * the master realm, the token, user info, key, registration, account and device endpoints,
 * another realm, and Keycloak's root.
 */
const FORBIDDEN_PATHS = [
  `${KEYCLOAK_PATH}/admin/`,
  `${KEYCLOAK_PATH}/admin/master/console/`,
  `${KEYCLOAK_PATH}/admin/realms/${REALM_NAME}/users`,
  `${KEYCLOAK_PATH}/realms/master/protocol/openid-connect/auth`,
  `${KEYCLOAK_PATH}/realms/master/login-actions/authenticate`,
  `${KEYCLOAK_PATH}/realms/master/account/`,
  `${REALM}/protocol/openid-connect/token`,
  `${REALM}/protocol/openid-connect/userinfo`,
  `${REALM}/protocol/openid-connect/certs`,
  `${REALM}/protocol/openid-connect/auth/device`,
  `${REALM}/clients-registrations/openid-connect`,
  `${REALM}/account/`,
  `${REALM}/broker/`,
  `${KEYCLOAK_PATH}/realms/other/protocol/openid-connect/auth`,
  `${KEYCLOAK_PATH}/`,
  KEYCLOAK_PATH,
  '/admin/master/console/',
  '/realms/master/protocol/openid-connect/auth',
] as const;

const REWRITES = ['set-path', 'replace-path', 'set-pathq', 'replace-pathq', 'set-uri', 'replace-uri'];

/** A plain path: no dot segment, matrix parameter or percent escape that the server could read differently. */
function plainPath(path: string): boolean {
  return /^\/[A-Za-z0-9/_.~-]*$/.test(path) && !/(^|\/)\.\.?(\/|$)/.test(path);
}

/** Whether every path a pattern matches is one of the realm's public paths. */
function publicPattern(pattern: PathPattern): boolean {
  if (!plainPath(pattern.path)) return false;
  const underPublicPrefix = PUBLIC_PREFIXES.some((prefix) => pattern.path.startsWith(prefix));
  return pattern.kind === 'exact' ? PUBLIC_EXACT.includes(pattern.path) || underPublicPrefix : underPublicPrefix;
}

type Acls = ReturnType<typeof aclsOf>;

/** Whether a condition term provably matches only public paths (every criterion of a named ACL, or the anonymous one). */
function publicTerm(acls: Acls, term: ConditionTerm): boolean {
  if (term.negated) return false;
  const criteria = typeof term.acl === 'string' ? (acls.get(term.acl) ?? []) : [term.acl];
  return (
    criteria.length > 0 &&
    criteria.every((criterion) => {
      const patterns = pathPatterns(criterion);
      return patterns !== undefined && patterns.every(publicPattern);
    })
  );
}

function termText(term: ConditionTerm): string {
  return typeof term.acl === 'string' ? `${term.negated ? '!' : ''}${term.acl}` : `${term.negated ? '!' : ''}{ ${term.acl.join(' ')} }`;
}

/** The host and namespace of a `server` address `name.namespace.svc[.cluster.local][:port]`. */
function serviceOf(address: string): { service: string; namespace?: string } {
  const [host = ''] = address.split(':');
  const labels = host.split('.');
  return { service: labels[0] ?? '', ...(labels[2] === 'svc' && labels[1] ? { namespace: labels[1] } : {}) };
}

/** The backends of a file that reach the identity provider: named identity, or with a server in an identity namespace or named after Keycloak. */
function identityBackends(
  sections: readonly HaproxySection[],
  compartmentOf: (namespace: string | undefined) => string | undefined,
): Set<string> {
  return new Set(
    sections
      .filter(
        (section) =>
          (section.kind === 'backend' || section.kind === 'listen') &&
          (section.name === 'identity' ||
            serverAddresses(section).some((address) => {
              const { service, namespace } = serviceOf(address);
              return service === KEYCLOAK_WORKLOAD || compartmentOf(namespace) === 'identity';
            })),
      )
      .map((section) => section.name),
  );
}

function routeViolations(section: HaproxySection, identity: ReadonlySet<string>): string[] {
  const acls = aclsOf(section);
  const problems: string[] = [];
  if (section.kind === 'listen' && identity.has(section.name))
    problems.push(`listen section ${section.name} forwards every path to the identity provider`);
  for (const line of section.lines) {
    const [keyword, backend = '?'] = line.words;
    if (keyword === 'default_backend' && identity.has(backend))
      problems.push(`default_backend ${backend} (line ${line.number}) sends every unclaimed path to the identity provider`);
    if (keyword !== 'use_backend') continue;
    if (backend.includes('%[') && identity.size > 0) {
      problems.push(
        `use_backend ${backend} (line ${line.number}) computes its backend: which requests reach the identity provider cannot be verified`,
      );
      continue;
    }
    if (!identity.has(backend)) continue;
    const { condition } = splitCondition(line.words);
    const route = `use_backend ${backend} (line ${line.number})`;
    if (!condition) {
      problems.push(`${route} has no condition: it sends every path to the identity provider`);
      continue;
    }
    problems.push(
      ...unprovenGroups(acls, condition).map(
        (group) =>
          `${route}: the route "${group}" is not limited to the realm's public paths (${PUBLIC_EXACT.join(', ')} exactly, or under ${PUBLIC_PREFIXES.join(', ')})`,
      ),
    );
    for (const path of FORBIDDEN_PATHS)
      if (conditionMatches(acls, condition, path) !== 'no') problems.push(`${route} routes ${path} to the identity provider`);
  }
  return problems;
}

/** The AND groups of a route's condition with no term that provably matches only public paths (`unless`: every group). */
function unprovenGroups(acls: Acls, condition: Condition): string[] {
  const text = (group: readonly ConditionTerm[]) => group.map(termText).join(' ');
  if (condition.keyword === 'unless') return [`unless ${condition.groups.map(text).join(' || ')}`];
  return condition.groups.filter((group) => !group.some((term) => publicTerm(acls, term))).map(text);
}

function backendViolations(section: HaproxySection): string[] {
  return section.lines
    .filter((line) => line.words[0] === 'http-request' && REWRITES.includes(line.words[1] ?? ''))
    .map(
      (line) =>
        `http-request ${line.words[1] ?? ''} (line ${line.number}) rewrites the path after routing: the identity provider may receive a path the gateway never admitted`,
    );
}

function fileViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const compartmentOf = compartmentsOf(stack, context);
  return haproxyConfigFiles(stack).flatMap((file) => {
    const identity = identityBackends(file.sections, compartmentOf);
    return file.sections.flatMap((section) =>
      [
        ...(section.kind === 'frontend' || section.kind === 'listen' ? routeViolations(section, identity) : []),
        ...((section.kind === 'backend' || section.kind === 'listen') && identity.has(section.name) ? backendViolations(section) : []),
      ].map((message) => ({ address: `${file.address} ${section.kind} ${section.name}`, message })),
    );
  });
}

/**
 * No public admin route: the gateway sends to the identity provider only the realm's public
 * paths (its authorization endpoint, login pages, logout and static resources), each route
 * provably limited to them, never the admin console or API, the master realm, the token
 * endpoint or another realm, and the identity backend does not rewrite paths.
 */
export const rule: Rule = {
  id: 'IDN-02',
  title: "Only the realm's login pages are routed to the identity provider",
  level: 'error',
  lesson:
    'An administration endpoint reachable through the front door turns one stolen password or one bug into control of every account: from outside, the identity provider serves only its login pages.',
  references: { cisKubernetes: '5.3 (network policies and exposure)', nsaCisa: 'Network separation and hardening' },
  fix: `Route to the identity backend only with ACLs that match ${PUBLIC_EXACT.join(' or ')} exactly, or paths under ${PUBLIC_PREFIXES.join(' or ')} (path, path_beg or an anchored path_reg, without flags), in "use_backend <identity> if <acl>" (render/gateway/routes.ts, model/identity.ts PUBLIC_IDENTITY_PATHS); no default_backend or listen section to it, and no path rewrite in its backend.`,
  appliesTo: {
    subject: 'HAProxy backend of the identity provider',
    presentIn: (stack, context) => {
      const compartmentOf = compartmentsOf(stack, context);
      return haproxyConfigFiles(stack).some((file) => identityBackends(file.sections, compartmentOf).size > 0);
    },
  },
  check: fileViolations,
};
