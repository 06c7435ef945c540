/**
 * The realm Synapse logs in through, as Keycloak's import format: rendered from the config,
 * imported at the server's first start, never edited by hand.
 *
 * - Users come from the directory only (LDAP federation, read-only, over LDAPS with the
 *   internal CA), through the same admission filter Synapse applied before: a person in the
 *   admission group with a mail address in an allowed domain. No one registers, resets a
 *   password or edits a profile here.
 * - Every browser login takes the directory password and then a second factor: the realm's
 *   browser flow requires one of the configured factors once the user has one, and the first
 *   factor's enrolment is a default required action, so a user without one enrols before any
 *   session exists.
 * - Brute-force detection locks an account after the configured failures; tokens are short,
 *   refresh tokens single-use; the one client is confidential, code flow with PKCE (S256) only,
 *   one exact redirect URI, no implicit flow, no direct password grant, no service account.
 *
 * The bind password is a vault reference (`${vault.ldapbind}`, a mounted file, read at each
 * connection) and the client secret a placeholder the import fills from the start program's
 * environment: the realm file holds no secret.
 */
import type { HomeserverSettings } from '../../config/deployment-config';
import { parseDuration } from '../../config/durations';
import { homeserverServiceName, hostOf } from '../../model/dns-names';
import { REALM_NAME, synapseRedirectUri, SYNAPSE_CLIENT_ID } from '../../model/identity';
import { LDAPS_PORT } from '../../model/workload-spec';
import { admissionFilter } from '../ldap-filter';
import { CLIENT_SECRET_VARIABLE, LDAP_BIND_VAULT_KEY } from './server-options';

export type SecondFactor = HomeserverSettings['identity']['secondFactors'][number];

/** The browser flow the realm binds: cookie, or password then a required second factor. */
export const MFA_BROWSER_FLOW = 'browser with second factor';
/** The direct grant flow the realm binds: refused, whatever the client (Keycloak's own clients included). */
export const NO_DIRECT_GRANT_FLOW = 'no direct grant';

/** Keycloak's authenticator and required action for each factor. */
export const SECOND_FACTORS: Readonly<Record<SecondFactor, { readonly authenticator: string; readonly requiredAction: string }>> = {
  totp: { authenticator: 'auth-otp-form', requiredAction: 'CONFIGURE_TOTP' },
  webauthn: { authenticator: 'webauthn-authenticator', requiredAction: 'webauthn-register' },
};

const seconds = (duration: string): number => Math.round((parseDuration(duration) ?? 0) / 1000);
/** Keycloak components carry every setting as a list of strings. */
const componentConfig = (settings: Record<string, string>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, [value]]));

type Execution = { authenticator?: string; flowAlias?: string; authenticatorFlow: boolean; requirement: string; priority: number };

/**
 * Password, then a second factor. With one factor it is REQUIRED itself: a user without it is
 * made to enrol by the authenticator. With several, Keycloak's ALTERNATIVE executions fail for a
 * user who has none of them (no enrolment is offered), so the factors sit in a CONDITIONAL
 * sub-flow that applies once the user has one (`conditional-user-configured`); a user with none
 * has the first factor's enrolment pending (a default required action, given to every user when
 * the directory entry is first imported), and required actions run before any session or code
 * is issued.
 */
function authenticationFlows(factors: readonly SecondFactor[]): Record<string, unknown>[] {
  const flow = (alias: string, description: string, topLevel: boolean, executions: Execution[]) => ({
    alias,
    description,
    providerId: 'basic-flow',
    topLevel,
    builtIn: false,
    authenticationExecutions: executions.map((execution) => ({ userSetupAllowed: false, ...execution })),
  });
  const forms = `${MFA_BROWSER_FLOW} forms`;
  const secondFactor = `${MFA_BROWSER_FLOW} second factor`;
  const alternatives: Execution[] = factors.map((factor, index) => ({
    authenticator: SECOND_FACTORS[factor].authenticator,
    authenticatorFlow: false,
    requirement: 'ALTERNATIVE',
    priority: 10 * (index + 2),
  }));
  const [only] = factors;
  const single = only !== undefined && factors.length === 1;
  return [
    // The password grant would take a password at the token endpoint without the browser flow's second factor.
    flow(NO_DIRECT_GRANT_FLOW, 'refuses every password grant', true, [
      { authenticator: 'deny-access-authenticator', authenticatorFlow: false, requirement: 'REQUIRED', priority: 10 },
    ]),
    flow(MFA_BROWSER_FLOW, 'an existing session, or the directory password and a second factor', true, [
      { authenticator: 'auth-cookie', authenticatorFlow: false, requirement: 'ALTERNATIVE', priority: 10 },
      { flowAlias: forms, authenticatorFlow: true, requirement: 'ALTERNATIVE', priority: 20 },
    ]),
    flow(forms, 'the directory password, then a second factor', false, [
      { authenticator: 'auth-username-password-form', authenticatorFlow: false, requirement: 'REQUIRED', priority: 10 },
      single
        ? { authenticator: SECOND_FACTORS[only].authenticator, authenticatorFlow: false, requirement: 'REQUIRED', priority: 20 }
        : { flowAlias: secondFactor, authenticatorFlow: true, requirement: 'CONDITIONAL', priority: 20 },
    ]),
    ...(single
      ? []
      : [
          flow(secondFactor, 'one of the enrolled second factors (until one is enrolled, its enrolment is a required action)', false, [
            { authenticator: 'conditional-user-configured', authenticatorFlow: false, requirement: 'REQUIRED', priority: 10 },
            ...alternatives,
          ]),
        ]),
  ];
}

function requiredActions(factors: readonly SecondFactor[]): Record<string, unknown>[] {
  return (Object.keys(SECOND_FACTORS) as SecondFactor[]).map((factor, index) => ({
    alias: SECOND_FACTORS[factor].requiredAction,
    name: SECOND_FACTORS[factor].requiredAction,
    providerId: SECOND_FACTORS[factor].requiredAction,
    enabled: factors.includes(factor),
    // The first configured factor is enrolled by every new user before a session exists.
    defaultAction: factors[0] === factor,
    priority: 10 * (index + 1),
    config: {},
  }));
}

function synapseClient(homeserver: HomeserverSettings): Record<string, unknown> {
  return {
    clientId: SYNAPSE_CLIENT_ID,
    name: `Matrix homeserver ${homeserver.serverName}`,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    bearerOnly: false,
    clientAuthenticatorType: 'client-secret',
    secret: `\${${CLIENT_SECRET_VARIABLE}}`,
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    frontchannelLogout: false,
    consentRequired: false,
    fullScopeAllowed: false,
    redirectUris: [synapseRedirectUri(homeserver)],
    webOrigins: [],
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'post.logout.redirect.uris': '',
      'oauth2.device.authorization.grant.enabled': 'false',
      'oidc.ciba.grant.enabled': 'false',
      'use.refresh.tokens': 'false',
    },
    defaultClientScopes: ['profile', 'email'],
    optionalClientScopes: [],
  };
}

/** Read-only LDAP federation with the admission filter, and the attributes Synapse maps. */
function directoryFederation(homeserver: HomeserverSettings): Record<string, unknown> {
  const { directory } = homeserver;
  const url =
    directory.mode === 'external' && directory.external
      ? `ldaps://${directory.external.host}:636`
      : `ldaps://${homeserverServiceName(homeserver.name, 'directory', 'openldap')}:${LDAPS_PORT.servicePort}`;
  const attributeMapper = (name: string, ldapAttribute: string, userAttribute: string) => ({
    name,
    providerId: 'user-attribute-ldap-mapper',
    subComponents: {},
    config: componentConfig({
      'ldap.attribute': ldapAttribute,
      'user.model.attribute': userAttribute,
      'read.only': 'true',
      'always.read.value.from.ldap': 'true',
      'is.mandatory.in.ldap': 'true',
    }),
  });
  return {
    name: 'directory',
    providerId: 'ldap',
    subComponents: {
      'org.keycloak.storage.ldap.mappers.LDAPStorageMapper': [
        attributeMapper('username', 'uid', 'username'),
        attributeMapper('email', 'mail', 'email'),
        attributeMapper('display name', 'cn', 'firstName'),
      ],
    },
    config: componentConfig({
      enabled: 'true',
      priority: '0',
      vendor: 'other',
      editMode: 'READ_ONLY',
      importEnabled: 'true',
      syncRegistrations: 'false',
      connectionUrl: url,
      startTls: 'false',
      useTruststoreSpi: 'always',
      authType: 'simple',
      bindDn: directory.bindDn,
      bindCredential: `\${vault.${LDAP_BIND_VAULT_KEY}}`,
      usersDn: directory.usersDn,
      searchScope: '2',
      usernameLDAPAttribute: 'uid',
      rdnLDAPAttribute: 'uid',
      uuidLDAPAttribute: 'entryUUID',
      userObjectClasses: 'inetOrgPerson',
      customUserSearchFilter: admissionFilter(directory, homeserver.allowedEmailDomains),
      pagination: 'false',
      connectionPooling: 'true',
      connectionTimeout: '5000',
      readTimeout: '10000',
      allowKerberosAuthentication: 'false',
      useKerberosForPasswordAuthentication: 'false',
      validatePasswordPolicy: 'false',
      trustEmail: 'false',
      cachePolicy: 'DEFAULT',
      fullSyncPeriod: '-1',
      changedSyncPeriod: '-1',
    }),
  };
}

function renderRealm(homeserver: HomeserverSettings): Record<string, unknown> {
  const identity = homeserver.identity;
  const factors = identity.secondFactors;
  const lockout = seconds(identity.lockoutDuration);
  const sessionMax = seconds(identity.sessionMaxLifetime);
  return {
    realm: REALM_NAME,
    enabled: true,
    displayName: hostOf(homeserver.serverName),
    sslRequired: 'all',
    registrationAllowed: false,
    registrationEmailAsUsername: false,
    rememberMe: false,
    verifyEmail: false,
    loginWithEmailAllowed: false,
    duplicateEmailsAllowed: false,
    resetPasswordAllowed: false,
    editUsernameAllowed: false,
    userManagedAccessAllowed: false,
    organizationsEnabled: false,
    // Brute-force detection: locked after `lockoutFailures` in a row, for `lockoutDuration`; each
    // further lockout adds `lockoutDuration`, up to a day.
    bruteForceProtected: true,
    bruteForceStrategy: 'MULTIPLE',
    permanentLockout: false,
    failureFactor: identity.lockoutFailures,
    waitIncrementSeconds: lockout,
    maxFailureWaitSeconds: Math.max(lockout, 86_400),
    maxDeltaTimeSeconds: 43_200,
    quickLoginCheckMilliSeconds: 1000,
    minimumQuickLoginWaitSeconds: 60,
    // Short tokens; refresh tokens single-use; sessions bounded.
    accessTokenLifespan: seconds(identity.accessTokenLifetime),
    accessTokenLifespanForImplicitFlow: seconds(identity.accessTokenLifetime),
    accessCodeLifespan: 60,
    accessCodeLifespanUserAction: 300,
    accessCodeLifespanLogin: 600,
    ssoSessionIdleTimeout: seconds(identity.sessionIdleTimeout),
    ssoSessionMaxLifespan: sessionMax,
    offlineSessionIdleTimeout: sessionMax,
    offlineSessionMaxLifespanEnabled: true,
    offlineSessionMaxLifespan: sessionMax,
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    // TOTP as every authenticator app computes it.
    otpPolicyType: 'totp',
    otpPolicyAlgorithm: 'HmacSHA1',
    otpPolicyDigits: 6,
    otpPolicyPeriod: 30,
    otpPolicyLookAheadWindow: 1,
    otpPolicyCodeReusable: false,
    webAuthnPolicyRpId: hostOf(homeserver.serverName),
    webAuthnPolicyUserVerificationRequirement: 'required',
    webAuthnPolicyAttestationConveyancePreference: 'none',
    browserFlow: MFA_BROWSER_FLOW,
    directGrantFlow: NO_DIRECT_GRANT_FLOW,
    authenticationFlows: authenticationFlows(factors),
    requiredActions: requiredActions(factors),
    clients: [synapseClient(homeserver)],
    components: { 'org.keycloak.storage.UserStorageProvider': [directoryFederation(homeserver)] },
  };
}

/** The realm file as mounted (two-space JSON, a final line break). */
export function renderRealmFile(homeserver: HomeserverSettings): string {
  return `${JSON.stringify(renderRealm(homeserver), null, 2)}\n`;
}
