import { objectsAt } from '../../../tfjson/keycloak-realm';
import { shown } from '../../../tfjson/synapse-config';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { auditRealms, clientLabel, KEYCLOAK_REALM, realmSetting } from '../../checks/keycloak-realm';
import type { Rule } from '../../rule';

/** The authenticators that check the directory password. */
const PASSWORD_FORMS = ['auth-username-password-form', 'auth-password-form'];
/** The second factors, with the required action that enrols each. */
const SECOND_FACTORS: Readonly<Record<string, string>> = {
  'auth-otp-form': 'CONFIGURE_TOTP',
  'webauthn-authenticator': 'webauthn-register',
};
/** An existing login session (itself made by this flow). */
const SESSION = 'auth-cookie';
/** The condition that applies a sub-flow only to users who have enrolled one of its factors. */
const USER_CONFIGURED = 'conditional-user-configured';
/** The authenticator that refuses the login outright. */
const DENY_ACCESS = 'deny-access-authenticator';
/**
 * The way through a factor sub-flow gated by USER_CONFIGURED for a user with no factor yet: no
 * code or session is issued before the pending enrolment (a default required action) is done.
 */
const ENROLMENT_FIRST = '(enrolment of a second factor, pending for every new user)';
const MAX_LOCKOUT_FAILURES = 10;
/** Ways through a flow beyond which it is not worth proving (the realm's flow has three). */
const MAX_WAYS = 256;
const MAX_DEPTH = 16;

/** One way a flow can complete: the authenticators that run, in order. */
type Way = readonly string[];

interface FlowWalk {
  readonly flows: ReadonlyMap<string, JsonObject>;
  readonly problems: string[];
}

function priority(execution: JsonObject): number {
  return typeof execution.priority === 'number' ? execution.priority : Number.MAX_SAFE_INTEGER;
}

function capped(walk: FlowWalk, ways: Way[], alias: string): Way[] {
  if (ways.length <= MAX_WAYS) return ways;
  walk.problems.push(`flow ${JSON.stringify(alias)} has more than ${MAX_WAYS} ways to complete: too many to verify`);
  return ways.slice(0, MAX_WAYS);
}

/**
 * The ways through a sub-flow that is only a second-factor gate: USER_CONFIGURED (REQUIRED)
 * first, then second factors only. Undefined for any other shape.
 */
function gatedFactorWays(walk: FlowWalk, alias: string): Way[] | undefined {
  const flow = walk.flows.get(alias);
  if (!flow) return undefined;
  const [condition, ...factors] = objectsAt(flow, 'authenticationExecutions').sort((a, b) => priority(a) - priority(b));
  if (condition?.authenticator !== USER_CONFIGURED || condition.requirement !== 'REQUIRED' || factors.length === 0) return undefined;
  const onlyFactors = factors.every(
    (execution) =>
      execution.authenticatorFlow !== true &&
      typeof execution.authenticator === 'string' &&
      execution.authenticator in SECOND_FACTORS &&
      (execution.requirement === 'REQUIRED' || execution.requirement === 'ALTERNATIVE'),
  );
  if (!onlyFactors) return undefined;
  const required = factors.filter((execution) => execution.requirement === 'REQUIRED').map((execution) => String(execution.authenticator));
  return required.length > 0 ? [required] : factors.map((execution) => [String(execution.authenticator)]);
}

/**
 * Every way the flow `alias` can complete, as Keycloak evaluates it: DISABLED executions never
 * run; when a flow has REQUIRED (or CONDITIONAL) executions, all of them must pass and its
 * ALTERNATIVE ones are ignored; otherwise one ALTERNATIVE passing is enough. A CONDITIONAL
 * sub-flow may be skipped, unless it is a second-factor gate (a user without a factor then has
 * the pending enrolment first). An empty flow completes with nothing.
 */
function waysOf(walk: FlowWalk, alias: string, trail: readonly string[]): Way[] {
  const flow = walk.flows.get(alias);
  if (!flow) {
    walk.problems.push(`flow ${JSON.stringify(alias)} is not among the realm's authenticationFlows`);
    return [];
  }
  if (trail.includes(alias) || trail.length >= MAX_DEPTH) {
    walk.problems.push(
      `flow ${JSON.stringify(alias)} contains itself (${[...trail, alias].map((name) => JSON.stringify(name)).join(' > ')})`,
    );
    return [];
  }
  const executions = objectsAt(flow, 'authenticationExecutions').sort((a, b) => priority(a) - priority(b));
  const mandatory: Way[][] = [];
  const alternatives: Way[][] = [];
  executions.forEach((execution, index) => {
    const requirement = execution.requirement;
    const what =
      execution.authenticatorFlow === true
        ? `sub-flow ${JSON.stringify(execution.flowAlias ?? '?')}`
        : `authenticator ${JSON.stringify(execution.authenticator ?? '?')}`;
    const where = `${what} in flow ${JSON.stringify(alias)} (execution ${index})`;
    const gated =
      requirement === 'CONDITIONAL' && execution.authenticatorFlow === true && typeof execution.flowAlias === 'string'
        ? gatedFactorWays(walk, execution.flowAlias)
        : undefined;
    if (gated) {
      mandatory.push([[ENROLMENT_FIRST], ...gated]);
      return;
    }
    if (requirement === 'DISABLED' || requirement === 'CONDITIONAL')
      walk.problems.push(`${where} is ${requirement}: on the login path every step is REQUIRED or ALTERNATIVE`);
    else if (requirement !== 'REQUIRED' && requirement !== 'ALTERNATIVE')
      walk.problems.push(`${where} has requirement ${shown(requirement)}, not REQUIRED or ALTERNATIVE`);
    if (requirement === 'DISABLED') return;
    let ways: Way[];
    if (execution.authenticatorFlow === true) {
      ways =
        typeof execution.flowAlias === 'string'
          ? waysOf(walk, execution.flowAlias, [...trail, alias])
          : (walk.problems.push(`${where} names no flowAlias`), []);
    } else if (typeof execution.authenticator === 'string') ways = [[execution.authenticator]];
    else {
      walk.problems.push(`${where} names no authenticator`);
      ways = [];
    }
    if (requirement === 'ALTERNATIVE') alternatives.push(ways);
    else mandatory.push(requirement === 'CONDITIONAL' ? [[], ...ways] : ways);
  });
  if (mandatory.length > 0) {
    let combined: Way[] = [[]];
    for (const ways of mandatory)
      combined = capped(
        walk,
        combined.flatMap((before) => ways.map((way) => [...before, ...way])),
        alias,
      );
    return combined;
  }
  if (alternatives.length === 0) return [[]];
  return capped(walk, alternatives.flat(), alias);
}

/** The second factor (or the pending enrolment of one) that follows the first password form on a way, if any. */
function factorAfterPassword(way: Way): string | undefined {
  const password = way.findIndex((authenticator) => PASSWORD_FORMS.includes(authenticator));
  return password < 0
    ? undefined
    : way.slice(password + 1).find((authenticator) => authenticator in SECOND_FACTORS || authenticator === ENROLMENT_FIRST);
}

function browserFlowProblems(realm: JsonObject): { problems: string[]; factors: Set<string> } {
  const factors = new Set<string>();
  const alias = realm.browserFlow;
  if (typeof alias !== 'string' || alias === '')
    return { problems: [`browserFlow is ${shown(alias)}: the login flow with a second factor must be bound explicitly`], factors };
  const flows = new Map<string, JsonObject>();
  for (const flow of objectsAt(realm, 'authenticationFlows')) if (typeof flow.alias === 'string') flows.set(flow.alias, flow);
  const walk: FlowWalk = { flows, problems: [] };
  if (flows.get(alias)?.topLevel === false) walk.problems.push(`browserFlow ${JSON.stringify(alias)} is not a top-level flow`);
  const ways = waysOf(walk, alias, []);
  const weak = new Set<string>();
  for (const way of ways) {
    if (way.length === 1 && way[0] === SESSION) continue;
    const factor = factorAfterPassword(way);
    if (!factor) weak.add(way.length === 0 ? '(no authenticator at all)' : way.join(' then '));
    else if (factor !== ENROLMENT_FIRST) factors.add(factor);
  }
  if (ways.length === 0 && walk.problems.length === 0) walk.problems.push(`browserFlow ${JSON.stringify(alias)} can never complete`);
  for (const way of weak)
    walk.problems.push(`browserFlow ${JSON.stringify(alias)} completes a login with ${way}: no password form followed by a second factor`);
  return { problems: walk.problems, factors };
}

function enrolmentProblems(realm: JsonObject, factors: ReadonlySet<string>): string[] {
  if (factors.size === 0) return [];
  const actions = [...factors].map((factor) => SECOND_FACTORS[factor] ?? '');
  const enrolled = objectsAt(realm, 'requiredActions').some(
    (action) => actions.includes(String(action.providerId ?? action.alias)) && action.enabled === true && action.defaultAction === true,
  );
  return enrolled
    ? []
    : [
        `no second factor is enrolled at first login: requiredActions needs ${actions.join(' or ')} with enabled: true and defaultAction: true`,
      ];
}

/** The realm's direct grant flow refuses every password grant (Keycloak's own clients, such as admin-cli, have it on). */
function directGrantProblems(realm: JsonObject): string[] {
  const alias = realm.directGrantFlow;
  const flow = objectsAt(realm, 'authenticationFlows').find((candidate) => candidate.alias === alias);
  const executions = flow ? objectsAt(flow, 'authenticationExecutions') : [];
  const denies =
    executions.length > 0 &&
    executions.every((execution) => execution.requirement === 'DISABLED' || execution.authenticator === DENY_ACCESS) &&
    executions.some((execution) => execution.authenticator === DENY_ACCESS && execution.requirement === 'REQUIRED');
  return denies
    ? []
    : [
        `directGrantFlow is ${shown(alias)}, not a flow that only denies access: Keycloak's own clients (admin-cli) take a password at the token endpoint without the second factor`,
      ];
}

function clientProblems(realm: JsonObject): string[] {
  return objectsAt(realm, 'clients').flatMap((client, index) => {
    const label = clientLabel(client, index);
    const problems: string[] = [];
    for (const [key, what] of [
      ['directAccessGrantsEnabled', 'the password grant takes a password at the token endpoint, without the second factor'],
      ['implicitFlowEnabled', 'the implicit flow hands tokens to the browser'],
    ] as const)
      if (client[key] !== false) problems.push(`${label} ${key} is ${shown(client[key])}, must be false (${what})`);
    const overrides = client.authenticationFlowBindingOverrides;
    if (isObject(overrides) && Object.values(overrides).some((value) => value !== '' && value !== null))
      problems.push(
        `${label} overrides the realm's flows (authenticationFlowBindingOverrides ${JSON.stringify(overrides)}): its logins skip the browser flow`,
      );
    return problems;
  });
}

function lockoutProblems(realm: JsonObject): string[] {
  const problems = realmSetting(
    realm,
    'bruteForceProtected',
    true,
    "Keycloak's default is false: passwords and codes could be guessed without end",
  );
  const factor = realm.failureFactor;
  if (typeof factor !== 'number' || !Number.isInteger(factor) || factor < 1 || factor > MAX_LOCKOUT_FAILURES)
    problems.push(
      `failureFactor is ${shown(factor)}, must be a whole number from 1 to ${MAX_LOCKOUT_FAILURES} (failures before the lockout)`,
    );
  return problems;
}

/**
 * MFA is required in the realm: its browser flow completes only through the password form
 * followed by a second factor (OTP or WebAuthn), or by the pending enrolment of one for a user
 * who has none (a factor sub-flow gated by conditional-user-configured), with nothing else
 * conditional or disabled on the way; a factor's enrolment is a default required action; nobody registers; no client takes
 * passwords directly, uses the implicit flow or its own flow; brute-force lockout is on.
 */
export const rule: Rule = {
  id: 'IDN-01',
  title: 'Every login needs the password and a second factor',
  level: 'error',
  lesson:
    'A password alone let the intruder in: every login must also prove a second factor, enrolled by every user, with no flow, grant or self-registration that skips it and no unlimited guessing.',
  references: { nsaCisa: 'Authentication and authorization' },
  fix: 'Bind browserFlow to a top-level flow whose only ways are the login cookie, or auth-username-password-form REQUIRED followed by a REQUIRED auth-otp-form/webauthn-authenticator (or a REQUIRED sub-flow of only those, or a CONDITIONAL one gated by conditional-user-configured and holding only those); no other CONDITIONAL and no DISABLED step; enable CONFIGURE_TOTP (or webauthn-register) with defaultAction: true; bind directGrantFlow to a flow whose only step is deny-access-authenticator REQUIRED; set registrationAllowed: false, directAccessGrantsEnabled: false and implicitFlowEnabled: false on every client, no flow overrides, no identityProviders, bruteForceProtected: true with failureFactor at most 10 (render/keycloak/realm.ts).',
  appliesTo: KEYCLOAK_REALM,
  check: (stack, context) =>
    auditRealms(stack, context, ({ realm }) => {
      const { problems, factors } = browserFlowProblems(realm);
      const providers = realm.identityProviders;
      return [
        ...problems,
        ...enrolmentProblems(realm, factors),
        ...directGrantProblems(realm),
        ...realmSetting(realm, 'registrationAllowed', false, "self-registered accounts are not the directory's admitted people"),
        ...(Array.isArray(providers) && providers.length > 0
          ? [
              `identityProviders has ${providers.length} entries: a login through another identity provider skips the directory password and the second factor`,
            ]
          : providers !== undefined && !Array.isArray(providers)
            ? [`identityProviders is ${shown(providers)}, must be absent or []`]
            : []),
        ...clientProblems(realm),
        ...lockoutProblems(realm),
      ];
    }),
};
