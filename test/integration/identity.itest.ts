/**
 * The second factor is not optional: proved on the booted homeserver (support/homeserver.ts),
 * with the real Keycloak of the identity compartment federating the real directory, every login
 * walked like a browser through the gateway (support/oidc-login.ts), the TOTP codes computed by
 * the test as an authenticator app would.
 *
 *  - an agent in the admission group enrols TOTP at the first login and gets a Matrix access
 *    token; later logins ask for the code (a wrong one is refused);
 *  - the same agent without the second factor gets no token (Synapse is never reached);
 *  - directory users outside the admission filter (not in the group; a look-alike mail domain)
 *    are refused although the directory accepts their passwords;
 *  - Synapse refuses password logins altogether;
 *  - Keycloak's admin console, admin API, master realm and token endpoint are not reachable
 *    through the gateway;
 *  - brute force locks the account: after the configured number of wrong passwords the right
 *    one is refused too (a control user with one failure fewer gets through).
 */
import * as path from 'node:path';
import { homeserverNamespace } from '../../model/compartments';
import { KEYCLOAK_PATH, REALM_NAME, SYNAPSE_IDP_ID } from '../../model/identity';
import { bootHomeserver, directoryUser, type Homeserver } from './support/homeserver';
import { call, type Answer, type Endpoint } from './support/matrix-client';
import { accessToken, identityProviders, login, type LoginAnswer } from './support/oidc-login';

const BOOT_DEADLINE_MS = 5 * 60_000;
jest.setTimeout(5 * 60_000);

const person = directoryUser;
const USERS = {
  /** In the admission group, allowed domain: the agent of the MFA proofs. */
  alice: person('alice', 'alice@agency.example.org', true),
  /** Outside: allowed domain, but not a member of the admission group. */
  bob: person('bob', 'bob@agency.example.org', false),
  /** Outside: group member, but the mail domain is a look-alike. */
  oscar: person('oscar', 'oscar@agency.example.org.evil.test', true),
  /** Inside; the target of the password guessing. */
  frank: person('frank', 'frank@agency.example.org', true),
  /** Inside; the control of the password guessing (one failure fewer). */
  grace: person('grace', 'grace@agency.example.org', true),
};

let hs: Homeserver | undefined;
let failed = false;
const server = () => {
  if (!hs) throw new Error('the homeserver did not boot');
  return hs;
};
const userId = (uid: string) => `@${uid}:${server().homeserver.serverName}`;

function probe(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it(
    name,
    async () => {
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    timeoutMs,
  );
}

/** The login stopped at the identity provider: no `/login` call was made, so no token exists. */
function expectStoppedAt(answer: LoginAnswer, stage: LoginAnswer['stage']): void {
  expect({ stage: answer.stage, token: answer.json?.access_token, message: answer.message }).toEqual({
    stage,
    token: undefined,
    // Keycloak's message, shown in the diff when the stage differs.
    message: answer.message,
  });
}

/** HAProxy's own refusal (its HTML error page), never Keycloak's answer. */
function expectRefusedByGateway(answer: Answer): void {
  expect({ status: answer.status, body: answer.text.slice(0, 200) }).toEqual({
    status: expect.any(Number),
    body: expect.stringMatching(/<h1>(400|403|404) /),
  });
  expect([400, 403, 404]).toContain(answer.status);
}

beforeAll(async () => {
  failed = true;
  hs = await bootHomeserver({ users: Object.values(USERS), bootDeadlineMs: BOOT_DEADLINE_MS });
  process.stdout.write(
    `integration tier: homeserver with identity provider booted in ${(hs.bootMs / 1000).toFixed(1)} s (${hs.directory})\n`,
  );
  failed = false;
}, 30 * 60_000);

afterAll(async () => {
  await hs?.stop(failed || process.env.MATRIX_ITEST_KEEP === '1');
}, 60_000);

describe('the identity provider runs as rendered', () => {
  probe('with no deviation from the shipped files and objects (see applyPendingFixes)', async () => {
    expect(server().deviations).toEqual([]);
  });
});

describe('an agent of the admission group logs in with the directory password and a second factor', () => {
  probe('the first login enrols TOTP (code computed from the secret the page shows) and yields a Matrix access token', async () => {
    const client = server().gatewayClient('MFA: first login of alice');
    const answer = await login(client, 'alice', USERS.alice.password);
    expect({
      stage: answer.stage,
      message: answer.message,
      enrolled: answer.enrolled,
      status: answer.status,
      user_id: answer.json?.user_id,
    }).toEqual({
      stage: 'matrix',
      message: undefined,
      enrolled: true,
      status: 200,
      user_id: userId('alice'),
    });
    const whoami = await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token: accessToken(answer) });
    expect({ status: whoami.status, user_id: whoami.json?.user_id }).toEqual({ status: 200, user_id: userId('alice') });
  });

  probe('a later login asks for the code: a wrong code is refused, the right one yields a new token', async () => {
    const client = server().gatewayClient('MFA: later login of alice');
    expectStoppedAt(await login(client, 'alice', USERS.alice.password, { wrongCode: true }), 'second-factor');
    const answer = await login(client, 'alice', USERS.alice.password);
    expect({ stage: answer.stage, enrolled: answer.enrolled, user_id: answer.json?.user_id }).toEqual({
      stage: 'matrix',
      enrolled: false,
      user_id: userId('alice'),
    });
  });

  probe('the same agent without the second factor gets no token', async () => {
    const answer = await login(server().gatewayClient('MFA: alice without her device'), 'alice', USERS.alice.password, {
      secondFactor: 'skip',
    });
    expectStoppedAt(answer, 'second-factor');
    expect(answer.status).toBe(200);
  });
});

describe('the admission filter holds at the identity provider', () => {
  it.each([
    ['bob', 'not a member of the admission group'],
    ['oscar', 'a member, but with a mail address in a look-alike domain'],
  ] as const)('%s is refused (%s), though the directory accepts the password', async (uid, _why) => {
    try {
      const user = USERS[uid];
      const { usersDn } = server().homeserver.directory;
      const caFile = path.join(server().pods.get('keycloak')?.root ?? '', '/trust/ca.crt');
      const bind = await server().exec(
        'ldapwhoami',
        [
          '-x',
          '-H',
          `ldaps://openldap.${homeserverNamespace(server().homeserver.name, 'directory')}.svc:636`,
          '-D',
          `uid=${uid},${usersDn}`,
          '-w',
          user.password,
        ],
        { LDAPTLS_CACERT: caFile, LDAPTLS_REQCERT: 'demand' },
      );
      expect(bind).toEqual({ status: 0, output: `dn:uid=${uid},${usersDn}\n` });
      const answer = await login(server().gatewayClient(`outside user ${uid}`), uid, user.password);
      expectStoppedAt(answer, 'password');
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});

describe('Synapse takes no password', () => {
  probe(`the one identity provider offered is the realm, as ${SYNAPSE_IDP_ID} (the id its SSO paths and account links use)`, async () => {
    expect(await identityProviders(server().gatewayClient('identity providers'))).toEqual([SYNAPSE_IDP_ID]);
  });

  probe('m.login.password is refused and not offered', async () => {
    const client = server().gatewayClient('password login to Synapse');
    const flows = await call(client, 'GET', '/_matrix/client/v3/login');
    const types = ((flows.json?.flows as { type: string }[] | undefined) ?? []).map((flow) => flow.type);
    expect(types).toEqual(expect.arrayContaining(['m.login.sso', 'm.login.token']));
    expect(types).not.toContain('m.login.password');
    const answer = await call(client, 'POST', '/_matrix/client/v3/login', {
      json: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: USERS.alice.password },
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.json?.access_token).toBeUndefined();
    // Straight to Synapse too (the second lock): the same refusal.
    const direct = await call(server().direct('synapse'), 'POST', '/_matrix/client/v3/login', {
      json: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: USERS.alice.password },
    });
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(direct.json?.access_token).toBeUndefined();
  });
});

describe("Keycloak's administration is not reachable through the gateway", () => {
  /** One client address for all of them (the tier has a couple of dozen). */
  let adminProbe: Endpoint | undefined;
  it.each([
    ['GET', `${KEYCLOAK_PATH}/admin/`],
    ['GET', `${KEYCLOAK_PATH}/admin/master/console/`],
    ['GET', `${KEYCLOAK_PATH}/admin/realms`],
    ['GET', `${KEYCLOAK_PATH}/admin/realms/${REALM_NAME}/users`],
    ['GET', `${KEYCLOAK_PATH}/realms/master/`],
    ['GET', `${KEYCLOAK_PATH}/realms/master/protocol/openid-connect/auth?client_id=security-admin-console`],
    ['POST', `${KEYCLOAK_PATH}/realms/master/protocol/openid-connect/token`],
    ['POST', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/protocol/openid-connect/token`],
    ['GET', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/account/`],
    ['GET', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/.well-known/openid-configuration`],
    ['GET', `${KEYCLOAK_PATH}/health/ready`],
    // Out of a routed prefix by dot segments, encoded or not, and by a parameter: refused before Keycloak normalises them.
    ['GET', `${KEYCLOAK_PATH}/resources/../admin/master/console/`],
    ['POST', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/login-actions/../protocol/openid-connect/token`],
    ['GET', `${KEYCLOAK_PATH}/resources/%2e%2e/admin/realms`],
    ['GET', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/login-actions/x;/../../../master/`],
    ['GET', `${KEYCLOAK_PATH}/metrics`],
  ] as const)('%s %s is refused by the gateway', async (method, urlPath) => {
    try {
      adminProbe ??= server().gatewayClient('identity provider administration');
      const answer = await call(adminProbe, method, urlPath, {
        ...(method === 'POST'
          ? {
              body: 'grant_type=password&client_id=admin-cli&username=admin&password=admin',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            }
          : {}),
      });
      expectRefusedByGateway(answer);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});

describe('password guessing locks the account', () => {
  probe(
    'after the configured number of wrong passwords the right one is refused too (one failure fewer: it passes)',
    async () => {
      const failures = server().homeserver.identity.lockoutFailures;
      // Each guess from another address of a small pool (the gateway bounds posted passwords per address, and must not be
      // what refuses here), more than a second apart (the failure count locks, not Keycloak's quick-succession check).
      const pool = Array.from({ length: failures }, (_, index) => server().gatewayClient(`password guessing ${index}`));
      const guess = async (uid: 'frank' | 'grace', count: number) => {
        for (let attempt = 0; attempt < count; attempt++) {
          const wrong = await login(pool[attempt % pool.length] as Endpoint, uid, `wrong-${attempt}`);
          expectStoppedAt(wrong, 'password');
          await new Promise((resolve) => setTimeout(resolve, 1_200));
        }
      };
      await guess('grace', failures - 1);
      const control = await login(server().gatewayClient('guess control'), 'grace', USERS.grace.password, { secondFactor: 'skip' });
      expectStoppedAt(control, 'second-factor');
      await guess('frank', failures);
      const locked = await login(server().gatewayClient('locked account'), 'frank', USERS.frank.password, { secondFactor: 'skip' });
      expectStoppedAt(locked, 'password');
      process.stdout.write(`locked account: Keycloak says ${JSON.stringify(locked.message)}\n`);
    },
    4 * 60_000,
  );
});
