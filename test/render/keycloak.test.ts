/**
 * Keycloak's rendered files and programs: the server options refuse what the file format would
 * read as something else, the realm requires a second factor in both of its shapes, and the
 * programs take no secret on their command lines.
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { MFA_BROWSER_FLOW, renderRealmFile } from '../../render/keycloak/realm';
import {
  keycloakBuildCommand,
  keycloakRuntimeOptions,
  keycloakStartCommand,
  renderKeycloakConf,
} from '../../render/keycloak/server-options';

const config = loadDeploymentConfig();
const agency = config.homeservers[0]!;
type Execution = { authenticator?: string; flowAlias?: string; requirement: string };
type Flow = { alias: string; authenticationExecutions: Execution[] };
const realmWith = (secondFactors: ('totp' | 'webauthn')[]) =>
  JSON.parse(renderRealmFile({ ...agency, identity: { ...agency.identity, secondFactors } })) as {
    authenticationFlows: Flow[];
    requiredActions: { alias: string; enabled: boolean; defaultAction: boolean }[];
  };
const flow = (realm: { authenticationFlows: Flow[] }, suffix: string) =>
  realm.authenticationFlows.find((candidate) => candidate.alias === `${MFA_BROWSER_FLOW}${suffix}`)?.authenticationExecutions ?? [];

describe('keycloak.conf', () => {
  it('renders one key=value line per option, HTTPS only, the public name fixed', () => {
    const text = renderKeycloakConf(keycloakRuntimeOptions(agency));
    expect(text).toMatch(/^http-enabled=false$/m);
    expect(text).toMatch(/^hostname=https:\/\/matrix\.agency\.example\.org\/auth$/m);
    expect(text).toMatch(/^hostname-strict=true$/m);
    expect(text).toMatch(/sslmode=verify-full/);
    expect(text).not.toMatch(/password/i);
  });

  it.each([
    ['a line break in a value (a second option)', { hostname: 'a\nhttp-enabled=true' }, /line break/],
    ['a property expression in a value', { hostname: '${env.X}' }, /\$\{/],
    ['a key that is not an option name', { 'http-enabled=true\nx': 'y' }, /not an option name/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => renderKeycloakConf(options)).toThrow(message);
  });
});

describe('the realm', () => {
  it('with one factor: the factor itself REQUIRED after the password, its enrolment a default action', () => {
    const realm = realmWith(['totp']);
    expect(flow(realm, ' forms').map((execution) => [execution.authenticator, execution.requirement])).toEqual([
      ['auth-username-password-form', 'REQUIRED'],
      ['auth-otp-form', 'REQUIRED'],
    ]);
    expect(realm.requiredActions.find((action) => action.alias === 'CONFIGURE_TOTP')).toMatchObject({ enabled: true, defaultAction: true });
    expect(realm.requiredActions.find((action) => action.alias === 'webauthn-register')).toMatchObject({ enabled: false });
  });

  it('with two: alternatives gated by an enrolled factor, the first factor enrolled by default', () => {
    const realm = realmWith(['webauthn', 'totp']);
    expect(flow(realm, ' forms').map((execution) => execution.requirement)).toEqual(['REQUIRED', 'CONDITIONAL']);
    expect(flow(realm, ' second factor').map((execution) => [execution.authenticator, execution.requirement])).toEqual([
      ['conditional-user-configured', 'REQUIRED'],
      ['webauthn-authenticator', 'ALTERNATIVE'],
      ['auth-otp-form', 'ALTERNATIVE'],
    ]);
    expect(realm.requiredActions.filter((action) => action.defaultAction).map((action) => action.alias)).toEqual(['webauthn-register']);
  });

  it('holds references, never values: the client secret and the bind password', () => {
    const text = renderRealmFile(agency);
    expect(text).toContain('"secret": "${MATRIX_SYNAPSE_CLIENT_SECRET}"');
    expect(text).toContain('"${vault.ldapbind}"');
  });
});

describe("Keycloak's programs", () => {
  it('take every secret from a file, never from their command line or the pod spec', () => {
    const [shell, flag, script] = keycloakStartCommand();
    expect([shell, flag]).toEqual(['/bin/bash', '-c']);
    expect(script).toMatch(/KC_DB_PASSWORD="\$\(cat '\/secrets\/database\/password'\)"/);
    expect(script).toMatch(
      /exec '\/run\/keycloak\/bin\/kc\.sh' --config-file='\/config\/server\/keycloak\.conf' start --optimized --import-realm$/,
    );
    expect(keycloakBuildCommand()[2]).toMatch(/build '--db=postgres'/);
  });
});
