/** The case table of IDN-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { MFA_BROWSER_FLOW } from '../../../render/keycloak/realm';
import {
  addKeycloakServer,
  clientOf,
  editClient,
  editRealm,
  executionOf,
  executionsOf,
  flowNamed,
  realmFile,
  realmOf,
  renderedRealm,
  setRealm,
  writeRealm,
} from '../../../test/policies/case-helpers/idn';
import type { RuleCases } from '../../../test/policies/case-table';
import { R, remove, type Mutation } from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';

const FORMS = `${MFA_BROWSER_FLOW} forms`;
const SECOND_FACTOR = `${MFA_BROWSER_FLOW} second factor`;
/** The realm with both factors: the factors in a sub-flow gated by an enrolled factor (the default has one, REQUIRED itself). */
const twoFactors = renderedRealm({ secondFactors: ['totp', 'webauthn'] });
const inTwoFactorRealm =
  (edit: (realm: JsonObject) => unknown): Mutation =>
  (j) => {
    twoFactors(j);
    editRealm(edit)(j);
  };

function requiredAction(realm: JsonObject, alias: string): JsonObject {
  const found = (Array.isArray(realm.requiredActions) ? realm.requiredActions : []).find(
    (action): action is JsonObject => typeof action === 'object' && action !== null && !Array.isArray(action) && action.alias === alias,
  );
  if (!found) throw new Error(`no required action ${alias}`);
  return found;
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'browserFlow absent (Keycloak binds its own browser flow)',
      mutate: setRealm('browserFlow', undefined),
      address: realmFile,
      message: 'browserFlow is (absent)',
    },
    {
      name: 'browserFlow naming a flow the realm does not have',
      mutate: setRealm('browserFlow', 'browser'),
      address: realmFile,
      message: 'flow "browser" is not among the realm\'s authenticationFlows',
    },
    {
      name: 'the factor sub-flow CONDITIONAL on something other than an enrolled factor (a level of authentication)',
      mutate: inTwoFactorRealm(
        (realm) => (executionOf(realm, SECOND_FACTOR, 'conditional-user-configured').authenticator = 'conditional-level-of-authentication'),
      ),
      address: realmFile,
      message: `sub-flow "${SECOND_FACTOR}" in flow "${FORMS}" (execution 1) is CONDITIONAL`,
    },
    {
      name: 'the enrolled-factor condition ALTERNATIVE (it then gates nothing)',
      mutate: inTwoFactorRealm((realm) => (executionOf(realm, SECOND_FACTOR, 'conditional-user-configured').requirement = 'ALTERNATIVE')),
      address: realmFile,
      message: `sub-flow "${SECOND_FACTOR}" in flow "${FORMS}" (execution 1) is CONDITIONAL`,
    },
    {
      name: 'the second factor DISABLED: the password alone completes a login',
      mutate: inTwoFactorRealm((realm) => (executionOf(realm, FORMS, SECOND_FACTOR).requirement = 'DISABLED')),
      address: realmFile,
      message: `completes a login with auth-username-password-form: no password form followed by a second factor`,
    },
    {
      name: 'one factor DISABLED inside the second-factor sub-flow',
      mutate: inTwoFactorRealm((realm) => (executionOf(realm, SECOND_FACTOR, 'webauthn-authenticator').requirement = 'DISABLED')),
      address: realmFile,
      message: 'authenticator "webauthn-authenticator" in flow',
    },
    {
      name: 'the password form ALTERNATIVE next to a REQUIRED factor (Keycloak then skips it)',
      mutate: editRealm((realm) => (executionOf(realm, FORMS, 'auth-username-password-form').requirement = 'ALTERNATIVE')),
      address: realmFile,
      message: 'completes a login with auth-otp-form: no password form followed by a second factor',
    },
    {
      name: 'an unknown requirement',
      mutate: editRealm((realm) => (executionOf(realm, FORMS, 'auth-username-password-form').requirement = 'OPTIONAL')),
      address: realmFile,
      message: 'has requirement "OPTIONAL", not REQUIRED or ALTERNATIVE',
    },
    {
      name: 'a top-level alternative that skips the forms (identity provider redirector)',
      mutate: editRealm(
        (realm) =>
          (flowNamed(realm, MFA_BROWSER_FLOW).authenticationExecutions = [
            ...executionsOf(flowNamed(realm, MFA_BROWSER_FLOW)),
            { authenticator: 'identity-provider-redirector', authenticatorFlow: false, requirement: 'ALTERNATIVE', priority: 25 },
          ]),
      ),
      address: realmFile,
      message: 'completes a login with identity-provider-redirector: no password form',
    },
    {
      name: 'the second factor before the password',
      mutate: inTwoFactorRealm((realm) => (executionOf(realm, FORMS, SECOND_FACTOR).priority = 5)),
      address: realmFile,
      message: 'completes a login with auth-otp-form then auth-username-password-form',
    },
    {
      name: 'a second password form offered as a "second factor"',
      mutate: inTwoFactorRealm(
        (realm) =>
          (flowNamed(realm, SECOND_FACTOR).authenticationExecutions = [
            ...executionsOf(flowNamed(realm, SECOND_FACTOR)),
            { authenticator: 'auth-password-form', authenticatorFlow: false, requirement: 'ALTERNATIVE', priority: 30 },
          ]),
      ),
      address: realmFile,
      message: `sub-flow "${SECOND_FACTOR}" in flow "${FORMS}" (execution 1) is CONDITIONAL`,
    },
    {
      name: "directGrantFlow absent (Keycloak's own direct grant: password, then an OTP only if configured)",
      mutate: setRealm('directGrantFlow', undefined),
      address: realmFile,
      message: 'directGrantFlow is (absent), not a flow that only denies access',
    },
    {
      name: 'the direct grant flow denying nothing (its deny step DISABLED)',
      mutate: editRealm((realm) => (executionOf(realm, 'no direct grant', 'deny-access-authenticator').requirement = 'DISABLED')),
      address: realmFile,
      message: 'not a flow that only denies access',
    },
    {
      name: 'an empty second-factor sub-flow (completes with nothing)',
      mutate: inTwoFactorRealm((realm) => (flowNamed(realm, SECOND_FACTOR).authenticationExecutions = [])),
      address: realmFile,
      message: 'completes a login with auth-username-password-form: no password form followed by a second factor',
    },
    {
      name: 'a flow that contains itself',
      mutate: inTwoFactorRealm((realm) => (executionOf(realm, FORMS, SECOND_FACTOR).flowAlias = FORMS)),
      address: realmFile,
      message: `flow "${FORMS}" contains itself`,
    },
    {
      name: "the first factor's enrolment not a default action (users without a factor could not log in, or get none)",
      mutate: editRealm((realm) => (requiredAction(realm, 'CONFIGURE_TOTP').defaultAction = false)),
      address: realmFile,
      message: 'no second factor is enrolled at first login: requiredActions needs CONFIGURE_TOTP',
    },
    {
      name: 'the enrolment action disabled',
      mutate: editRealm((realm) => (requiredAction(realm, 'CONFIGURE_TOTP').enabled = false)),
      address: realmFile,
      message: 'no second factor is enrolled at first login',
    },
    {
      name: 'no required actions at all (Keycloak adds its own, none a default)',
      mutate: setRealm('requiredActions', undefined),
      address: realmFile,
      message: 'no second factor is enrolled at first login',
    },
    {
      name: 'self-registration on',
      mutate: setRealm('registrationAllowed', true),
      address: realmFile,
      message: 'registrationAllowed is true, must be false',
    },
    {
      name: 'registrationAllowed absent',
      mutate: setRealm('registrationAllowed', undefined),
      address: realmFile,
      message: 'registrationAllowed is (absent), must be false',
    },
    {
      name: 'the password grant on the client',
      mutate: editClient((client) => (client.directAccessGrantsEnabled = true)),
      address: realmFile,
      message: 'client "synapse" directAccessGrantsEnabled is true, must be false (the password grant',
    },
    {
      name: 'directAccessGrantsEnabled absent',
      mutate: editClient((client) => delete client.directAccessGrantsEnabled),
      address: realmFile,
      message: 'client "synapse" directAccessGrantsEnabled is (absent), must be false',
    },
    {
      name: 'the implicit flow on the client',
      mutate: editClient((client) => (client.implicitFlowEnabled = true)),
      address: realmFile,
      message: 'client "synapse" implicitFlowEnabled is true, must be false',
    },
    {
      name: 'a second client with the password grant',
      mutate: editRealm(
        (realm) => (realm.clients = [clientOf(realm), { clientId: 'cli', directAccessGrantsEnabled: true, implicitFlowEnabled: false }]),
      ),
      address: realmFile,
      message: 'client "cli" directAccessGrantsEnabled is true',
    },
    {
      name: 'a client with its own browser flow',
      mutate: editClient((client) => (client.authenticationFlowBindingOverrides = { browser: '0b1d6b8e-5f3c-4a57-9d0e-3a2f1c9b7e11' })),
      address: realmFile,
      message: 'client "synapse" overrides the realm\'s flows',
    },
    {
      name: 'an external identity provider',
      mutate: setRealm('identityProviders', [{ alias: 'corp', providerId: 'oidc', enabled: true }]),
      address: realmFile,
      message: 'identityProviders has 1 entries',
    },
    {
      name: 'brute-force detection off',
      mutate: setRealm('bruteForceProtected', false),
      address: realmFile,
      message: 'bruteForceProtected is false, must be true',
    },
    {
      name: "bruteForceProtected absent (Keycloak's default is off)",
      mutate: setRealm('bruteForceProtected', undefined),
      address: realmFile,
      message: "bruteForceProtected is (absent), must be true (Keycloak's default is false",
    },
    {
      name: '30 failures before the lockout',
      mutate: setRealm('failureFactor', 30),
      address: realmFile,
      message: 'failureFactor is 30, must be a whole number from 1 to 10',
    },
    {
      name: 'failureFactor absent',
      mutate: setRealm('failureFactor', undefined),
      address: realmFile,
      message: 'failureFactor is (absent)',
    },
    {
      name: 'Keycloak runs, but no realm file is in the stack',
      mutate: (j) => {
        remove(j, R.keycloakRealm);
        addKeycloakServer(j);
      },
      address: 'kubernetes_deployment_v1.keycloak_workload container "keycloak"',
      message: 'runs Keycloak, but no realm file',
    },
  ],
  good: [
    { name: 'only TOTP (the factor REQUIRED itself, no sub-flow of alternatives)', mutate: renderedRealm({ secondFactors: ['totp'] }) },
    { name: 'WebAuthn first (its registration the default action)', mutate: renderedRealm({ secondFactors: ['webauthn', 'totp'] }) },
    { name: 'ten failures before the lockout', mutate: renderedRealm({ lockoutFailures: 10 }) },
    {
      name: 'both factors REQUIRED in the sub-flow',
      mutate: inTwoFactorRealm((realm) => {
        for (const execution of executionsOf(flowNamed(realm, SECOND_FACTOR))) execution.requirement = 'REQUIRED';
      }),
    },
    { name: 'an empty identityProviders list', mutate: setRealm('identityProviders', []) },
    { name: 'the realm file as a list of one realm', mutate: (j) => writeRealm(j, [realmOf(j)]) },
  ],
  notApplicable: [{ name: 'no realm and no Keycloak server', mutate: (j) => remove(j, R.keycloakRealm) }],
};
