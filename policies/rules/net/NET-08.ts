import {
  aclImpliedBy,
  aclMatches,
  aclsOf,
  conditionMatches,
  haproxyConfigFiles,
  splitCondition,
  type Condition,
  type ConditionTerm,
  type HaproxyConfigFile,
  type HaproxySection,
} from '../../../tfjson/haproxy-config';
import { manifests } from '../../../tfjson/manifests';
import { PUBLISHED_SERVICE_TYPES, SERVICE_TYPES } from '../../../tfjson/resource-types';
import { block, blocks, isObject, resources, type JsonObject, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

/**
 * Paths that must never reach a backend from outside: the admin API and every other
 * `/_synapse` resource (password reset, consent, replication, metrics), and `/metrics`. The
 * `%5F` form is there because HAProxy matches the raw path while the backend may decode it
 * (Twisted percent-decodes each segment when it walks its resource tree).
 */
const FORBIDDEN_PATHS = [
  '/_synapse/admin/v1/users/@admin:example.org',
  '/_synapse/admin/v2/users',
  '/_synapse/client/password_reset/email/submit_token',
  '/_synapse/client/new_user_consent',
  '/_synapse/replication/send_event',
  '/_synapse/metrics',
  '/_synapse/',
  '/_synapse',
  '/%5Fsynapse/admin/v1/users',
  '/metrics',
  '/metrics/',
] as const;

/** Synapse's replication and metrics ports, and the names they go by. */
const INTERNAL_PORT_NAMES = ['metrics', 'replication'];
const INTERNAL_PORTS = ['9000', '9093'];
/** Actions that answer the request themselves (nothing reaches a backend). */
const TERMINAL_ACTIONS = ['deny', 'reject', 'tarpit', 'silent-drop', 'return'];
const REWRITES = ['set-path', 'replace-path', 'set-pathq', 'replace-pathq', 'set-uri', 'replace-uri'];

type Acls = ReturnType<typeof aclsOf>;

/** The ACL names a default deny admits: `if !a !b ...` (one group of negated named ACLs) or `unless a || b ...`. */
function admittedBy(condition: Condition | undefined): string[] | undefined {
  if (!condition || condition.groups.length === 0) return undefined;
  const named = (term: { acl: string | readonly string[] }) => typeof term.acl === 'string';
  if (condition.keyword === 'if') {
    const [group, ...others] = condition.groups;
    if (others.length > 0 || !group || !group.every((term) => term.negated && named(term))) return undefined;
    return group.map((term) => String(term.acl));
  }
  if (!condition.groups.every((group) => group.length === 1 && group.every((term) => !term.negated && named(term)))) return undefined;
  return condition.groups.map((group) => String(group[0]?.acl));
}

/**
 * The AND groups of a use_backend condition the default deny does not provably cover: a group
 * is covered when one of its positive named ACLs is admitted by the deny, or matches only paths
 * an admitted ACL matches (e.g. a login regex under the client API prefix).
 */
function uncoveredGroups(acls: Acls, condition: Condition | undefined, admitted: readonly string[]): string[] {
  if (!condition) return [];
  const positive = (term: ConditionTerm) => (condition.keyword === 'if' ? !term.negated : term.negated);
  return condition.groups
    .filter((group) => !group.some((term) => positive(term) && typeof term.acl === 'string' && aclImpliedBy(acls, term.acl, admitted)))
    .map((group) =>
      group.map((term) => (typeof term.acl === 'string' ? `${term.negated ? '!' : ''}${term.acl}` : `{ ${term.acl.join(' ')} }`)).join(' '),
    );
}

function firstMatch(acls: Acls, condition: Condition | undefined): string | undefined {
  return FORBIDDEN_PATHS.find((path) => conditionMatches(acls, condition, path) !== 'no');
}

/** An ACL that selects requests by host name (`hdr(host) ...`), not by path: an origin. */
function isHostAcl(acls: Acls, name: string): boolean {
  const criteria = acls.get(name);
  return criteria !== undefined && criteria.length > 0 && criteria.every((criterion) => criterion[0] === 'hdr(host)');
}

/** Whether a namespace is a web client compartment: by the site facts, else by its derived name. */
function isClientNamespace(namespace: string, context: AuditContext): boolean {
  const known = context.facts?.namespaces[namespace];
  return known !== undefined ? known === 'client' : namespace.endsWith('-client');
}

/** The namespaces a backend's servers dial (`<service>.<namespace>.svc:<port>`); undefined for any other address. */
function serverNamespaces(file: HaproxyConfigFile, backend: string): string[] | undefined {
  const section = file.sections.find((candidate) => candidate.kind === 'backend' && candidate.name === backend);
  const servers = section?.lines.filter((line) => line.words[0] === 'server') ?? [];
  const namespaces = servers.map((line) => /^[a-z0-9-]+\.([a-z0-9-]+)\.svc:[0-9]+$/.exec(line.words[2] ?? '')?.[1]);
  return namespaces.length > 0 && namespaces.every((namespace) => namespace !== undefined) ? namespaces : undefined;
}

/**
 * A host ACL the default deny admits is an origin of its own (the web client's): it passes only
 * when the first use_backend sends exactly that origin to a backend whose every server is in a
 * web client compartment, which holds static files and no Matrix, admin or metrics endpoint.
 */
function originViolations(
  file: HaproxyConfigFile,
  acl: string,
  first: { backend: string; condition?: Condition; number: number } | undefined,
  context: AuditContext,
): string[] {
  const group = first?.condition?.keyword === 'if' && first.condition.groups.length === 1 ? first.condition.groups[0] : undefined;
  if (!first || !group || group.length !== 1 || group[0]?.negated || group[0]?.acl !== acl)
    return [
      `the default deny admits every path for the host names of ACL ${acl}, but the first use_backend does not send exactly them to the web client`,
    ];
  const namespaces = serverNamespaces(file, first.backend);
  if (!namespaces)
    return [`use_backend ${first.backend} (line ${first.number}) for ACL ${acl} dials a server that is not an in-cluster Service`];
  return namespaces
    .filter((namespace) => !isClientNamespace(namespace, context))
    .map(
      (namespace) =>
        `use_backend ${first.backend} (line ${first.number}) sends every path of ACL ${acl} to namespace ${namespace}, which is not a web client compartment`,
    );
}

function frontendViolations(file: HaproxyConfigFile, section: HaproxySection, context: AuditContext): Violation[] {
  const address = file.address;
  const where = `${address} ${section.kind} ${section.name}`;
  const violations: Violation[] = [];
  const report = (message: string) => violations.push({ address: where, message });
  const acls = aclsOf(section);
  const useBackends: { backend: string; condition?: Condition; number: number }[] = [];
  let defaultDeny: { admitted: string[]; number: number } | undefined;
  let allowBeforeDeny: number | undefined;

  for (const line of section.lines) {
    const [keyword, action] = line.words;
    if (keyword === 'use_backend') {
      const { action: words, condition } = splitCondition(line.words);
      useBackends.push({ backend: words[1] ?? '?', ...(condition ? { condition } : {}), number: line.number });
      if (!condition) report(`use_backend ${words[1] ?? '?'} (line ${line.number}) has no condition: it routes every path`);
    } else if (keyword === 'default_backend')
      report(`default_backend ${line.words[1] ?? '?'} (line ${line.number}) sends every unclaimed path to a backend`);
    else if (keyword === 'server' && section.kind === 'listen')
      report(`listen section with server ${line.words[1] ?? '?'} (line ${line.number}) forwards every path`);
    else if (keyword === 'http-request' && action !== undefined) {
      const { condition } = splitCondition(line.words);
      if (REWRITES.includes(action) && line.words.some((word) => /\/(_synapse|%5[fF]synapse|metrics)/.test(word)))
        report(`http-request ${action} (line ${line.number}) rewrites requests towards /_synapse or /metrics`);
      if (defaultDeny || useBackends.length > 0) continue;
      if (action === 'allow') allowBeforeDeny ??= line.number;
      const admitted = TERMINAL_ACTIONS.includes(action) ? admittedBy(condition) : undefined;
      if (admitted) defaultDeny = { admitted, number: line.number };
    }
  }

  if (!defaultDeny) {
    if (useBackends.length > 0 || section.kind === 'listen')
      report(
        'no default deny (http-request deny if !route1 !route2 ...) before the first use_backend: every path not explicitly refused is routed',
      );
  } else {
    const admitted = defaultDeny.admitted;
    const origins = admitted.filter((acl) => isHostAcl(acls, acl));
    for (const acl of origins) for (const message of originViolations(file, acl, useBackends[0], context)) report(message);
    for (const entry of useBackends) {
      for (const group of uncoveredGroups(acls, entry.condition, admitted))
        report(`the default deny (line ${defaultDeny.number}) does not cover the route "${group}" of use_backend ${entry.backend}`);
    }
    if (allowBeforeDeny !== undefined)
      report(`http-request allow (line ${allowBeforeDeny}) runs before the default deny (line ${defaultDeny.number}) and skips it`);
    for (const acl of defaultDeny.admitted.filter((name) => !origins.includes(name))) {
      const path = FORBIDDEN_PATHS.find((candidate) => aclMatches(acls, acl, candidate) !== 'no');
      if (path) report(`the default deny (line ${defaultDeny.number}) admits ${path} through ACL ${acl}`);
    }
  }
  const originRoute = (entry: (typeof useBackends)[number]) =>
    entry === useBackends[0] &&
    defaultDeny !== undefined &&
    entry.condition?.groups.length === 1 &&
    entry.condition.groups[0]?.length === 1 &&
    isHostAcl(acls, String(entry.condition.groups[0][0]?.acl)) &&
    defaultDeny.admitted.includes(String(entry.condition.groups[0][0]?.acl));
  for (const entry of useBackends) {
    // An origin route is judged whole above: every path of it goes to the web client.
    if (originRoute(entry)) continue;
    const path = entry.condition ? firstMatch(acls, entry.condition) : undefined;
    if (path) report(`use_backend ${entry.backend} (line ${entry.number}) routes ${path}`);
  }
  return violations;
}

interface ServicePort {
  readonly name?: unknown;
  readonly port?: unknown;
  readonly target?: unknown;
}

interface ServiceView {
  readonly address: string;
  readonly type: unknown;
  readonly ports: readonly ServicePort[];
}

/** Every Service of the stack, typed or as a manifest. */
function services(stack: SynthesizedStack): ServiceView[] {
  const typed = resources(stack, ...SERVICE_TYPES).map((service) => {
    const spec = block(service.body.spec) ?? {};
    return {
      address: service.address,
      type: spec.type,
      ports: blocks(spec.port).map((port) => ({ name: port.name, port: port.port, target: port.target_port })),
    };
  });
  const applied = manifests(stack)
    .filter((view) => view.group === '' && view.kind === 'Service')
    .map((view) => {
      const spec: JsonObject = isObject(view.object.spec) ? view.object.spec : {};
      return {
        address: view.resource.address,
        type: spec.type,
        ports: blocks(spec.ports).map((port) => ({ name: port.name, port: port.port, target: port.targetPort })),
      };
    });
  return [...typed, ...applied];
}

const isExternal = (type: unknown): type is string => typeof type === 'string' && PUBLISHED_SERVICE_TYPES.includes(type);

function exposedInternalPorts(type: unknown, ports: readonly ServicePort[]): string[] {
  if (!isExternal(type)) return [];
  return ports.flatMap((port) => {
    const values = [port.name, port.port, port.target].filter((value) => value !== undefined && value !== null).map(String);
    const hit = values.find((value) => INTERNAL_PORT_NAMES.includes(value) || INTERNAL_PORTS.includes(value));
    return hit ? [`type ${type} exposes port ${String(port.name ?? port.port)} (${hit}: Synapse's internal metrics/replication)`] : [];
  });
}

function serviceViolations(stack: SynthesizedStack): Violation[] {
  return services(stack).flatMap((service) =>
    exposedInternalPorts(service.type, service.ports).map((message) => ({ address: service.address, message })),
  );
}

/**
 * The gateway routes nothing under /_synapse (admin API, password reset, ...) or /metrics:
 * every HAProxy frontend refuses all paths but its routes with a default deny before any
 * use_backend, no route admits a forbidden path, and no external Service exposes Synapse's
 * metrics or replication port.
 */
export const rule: Rule = {
  id: 'NET-08',
  title: 'The admin API and metrics are never routed from outside',
  level: 'error',
  lesson: 'Admin and internal endpoints reachable through the front door turn one stolen token or one bug into control of the homeserver.',
  references: { cisKubernetes: '5.3 (network policies and exposure)', nsaCisa: 'Network separation and hardening', anssi: 'R35' },
  fix: 'Route only the public Matrix paths (render/gateway/routes.ts), end each frontend with "http-request deny if !route1 !route2 ..." before any use_backend, use no default_backend, and keep metrics/replication ports off LoadBalancer and NodePort Services.',
  appliesTo: {
    subject: 'HAProxy configuration, LoadBalancer or NodePort Service',
    presentIn: (stack) => haproxyConfigFiles(stack).length > 0 || services(stack).some((service) => isExternal(service.type)),
  },
  check: (stack, context) => [
    ...haproxyConfigFiles(stack).flatMap((file) =>
      file.sections
        .filter((section) => section.kind === 'frontend' || section.kind === 'listen')
        .flatMap((section) => frontendViolations(file, section, context)),
    ),
    ...serviceViolations(stack),
  ],
};
