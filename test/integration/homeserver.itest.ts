/**
 * Real homeserver proof: the configs this project renders, booted with the real software on
 * loopback (see support/homeserver.ts), and every breach lesson probed over HTTPS through the
 * gateway, as a client on the Internet would. Where Synapse itself must hold the line too, a
 * "second lock" check goes straight to its listener, bypassing the gateway.
 *
 * Nothing is stubbed: slapd, PostgreSQL, Redis, HAProxy (Debian), Synapse (PyPI, the deployed
 * version), Keycloak (Maven Central, the deployed version), livekit-server and lk-jwt-service
 * (built from source at the images' versions): every login goes through the identity provider
 * with the directory password and a TOTP code (support/oidc-login.ts; the MFA proofs themselves
 * are in identity.itest.ts). Each probe comes from its own client address, as distinct people
 * would, so one probe's rate limits never decide another's outcome (the calls probes share two,
 * one per public name).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSize, parseDuration } from '../../config/durations';
import { CALLS_TLS_PORT, livekitServiceName } from '../../model/calls';
import { hostOf } from '../../model/dns-names';
import { SECRET_NAMES } from '../../model/secrets';
import { expectDone, probeJoin, probeTurnAllocate, PROBE_REFUSED, type JoinResult } from '../support/livekit';
import { bootHomeserver, directoryUser, SYNAPSE_PODS, type Homeserver } from './support/homeserver';
import { call, type Answer, type Endpoint } from './support/matrix-client';
import { accessToken, login } from './support/oidc-login';

/** Boot (after the one-time tool builds) must finish within this; the whole file has a hard bound too. */
const BOOT_DEADLINE_MS = 3 * 60_000;
// Cold machines first build the Synapse venv and ESO's template engine (minutes, once per machine).
jest.setTimeout(5 * 60_000);

const secret = () => randomBytes(18).toString('base64url');
const person = directoryUser;
const USERS = {
  /** Inside the admission filter (group member, allowed domain): the everyday user of the probes. */
  alice: person('alice', 'alice@agency.example.org', true),
  /** Inside; shares a private room with alice. */
  dave: person('dave', 'dave@agency.example.org', true),
  /** Inside; shares no room with alice. */
  carol: person('carol', 'carol@agency.example.org', true),
  /** Inside; the token-lifetime probes log in as erin. */
  erin: person('erin', 'erin@agency.example.org', true),
  /** Inside; the target of the login-guessing probe. */
  frank: person('frank', 'frank@agency.example.org', true),
  /** Outside: allowed domain, but not a member of the admission group. */
  bob: person('bob', 'bob@agency.example.org', false),
  /** Outside: group member, but the mail domain is not allowed (a look-alike). */
  oscar: person('oscar', 'oscar@agency.example.org.evil.test', true),
};

let hs: Homeserver | undefined;
let failed = false;
const server = () => {
  if (!hs) throw new Error('the homeserver did not boot');
  return hs;
};
const userId = (uid: string) => `@${uid}:${server().homeserver.serverName}`;

/** Wraps a test body so that its failure keeps the run directory and every server's log. */
function tracked<Args extends unknown[]>(body: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await body(...args);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

/** One probe: an `it` whose failure keeps the run directory and logs. */
function probe(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it(name, tracked(body), timeoutMs);
}

/** Answers HAProxy produces itself (deny / return): its HTML error page, never Synapse's JSON. */
function expectRefusedByGateway(answer: Answer, status: number): void {
  expect({ status: answer.status, body: answer.text.slice(0, 200) }).toEqual({
    status,
    body: expect.stringMatching(new RegExp(`<h1>${status} `)),
  });
  expect(answer.json).toBeUndefined();
}

/** Synapse's own refusal: its JSON error. */
function expectRefusedBySynapse(answer: Answer, status: number, errcode: string): void {
  expect({ status: answer.status, errcode: answer.json?.errcode }).toEqual({ status, errcode });
}

const sessions = new Map<string, string>();
/** One login per user for the whole file (Synapse limits logins per account), each from its own address. */
async function session(uid: keyof typeof USERS): Promise<string> {
  const cached = sessions.get(uid);
  if (cached) return cached;
  const token = accessToken(await login(server().gatewayClient(`session of ${uid}`), uid, USERS[uid].password));
  sessions.set(uid, token);
  return token;
}

const marker = () => `probe-${randomBytes(6).toString('hex')}`;
/** Polls `condition` (every 200 ms) until it holds; fails after `timeoutMs`. */
async function waitUntil(timeoutMs: number, condition: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`not true within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
/** The Synapse pods whose log shows a request carrying `tag`. */
const servedBy = (tag: string) => SYNAPSE_PODS.filter((name) => server().log(name).includes(tag));
/** True when no Synapse process logged a request carrying `tag` (it never got past the gateway). */
const reachedSynapse = (tag: string) => servedBy(tag).length > 0;

/** The non-refreshable token whose expiry the last probe checks, obtained right after boot. */
let expiring: { token: string; issuedAt: number; firstCheck: Answer } | undefined;

beforeAll(
  tracked(async () => {
    const booted = await bootHomeserver({ users: Object.values(USERS), bootDeadlineMs: BOOT_DEADLINE_MS });
    hs = booted;
    process.stdout.write(`integration tier: homeserver booted in ${(booted.bootMs / 1000).toFixed(1)} s (${booted.directory})\n`);
    const client = booted.gatewayClient('token expiry (non-refreshable)');
    const answer = await login(client, 'erin', USERS.erin.password);
    // Taken when Synapse's answer arrives (the login before it may wait for a fresh TOTP step): the token is at most this old.
    const issuedAt = Date.now();
    const token = accessToken(answer);
    expiring = { token, issuedAt, firstCheck: await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token }) };
  }),
  30 * 60_000,
);

afterAll(async () => {
  // MATRIX_ITEST_KEEP=1 keeps the run directory (configs, secrets, logs) after a green run too.
  await hs?.stop(failed || process.env.MATRIX_ITEST_KEEP === '1');
}, 60_000);

describe('admission: accounts exist only through the LDAP filter', () => {
  probe(
    'an LDAP user inside the filter logs in through the identity provider (which binds to the directory with the password of its vault file)',
    async () => {
      const answer = await login(server().gatewayClient('LDAP user logs in'), 'alice', USERS.alice.password);
      expect({ stage: answer.stage, status: answer.status, user_id: answer.json?.user_id }).toEqual({
        stage: 'matrix',
        status: 200,
        user_id: userId('alice'),
      });
      // The bind password reached Keycloak only as a vault file: the realm names the vault key, never the value.
      const bindPassword = server().secretValues.get(SECRET_NAMES.ldapBind)?.password ?? '';
      const keycloak = server().pods.get('keycloak');
      const realm = Object.entries(keycloak?.files ?? {}).find(([file]) => file.endsWith('.json'))?.[1][1] ?? '';
      expect(bindPassword).toHaveLength(40);
      expect(realm).toMatch(/"bindCredential": \[\s*"\$\{vault\.[a-z0-9]+\}"\s*\]/);
      for (const [file, [, text]] of [
        ...Object.entries(keycloak?.files ?? {}),
        ...Object.entries(server().pods.get('synapse')?.files ?? {}),
      ])
        expect({ file, holdsBindPassword: text.includes(bindPassword) }).toEqual({ file, holdsBindPassword: false });
    },
  );

  it.each([
    ['bob', 'not a member of the admission group'],
    ['oscar', 'a member, but with a mail address in a look-alike domain'],
  ] as const)(
    'a user outside the filter cannot log in: %s (%s)',
    tracked(async (uid: 'bob' | 'oscar', _why: string) => {
      const user = USERS[uid];
      // The password is right: the directory accepts it, so only the admission filter refuses.
      const { usersDn } = server().homeserver.directory;
      const caFile = path.join(server().pods.get('synapse')?.root ?? '', '/trust/ca.crt');
      const bind = await server().exec(
        'ldapwhoami',
        ['-x', '-H', 'ldaps://openldap.agency-directory.svc:636', '-D', `uid=${uid},${usersDn}`, '-w', user.password],
        { LDAPTLS_CACERT: caFile, LDAPTLS_REQCERT: 'demand' },
      );
      expect(bind).toEqual({ status: 0, output: `dn:uid=${uid},${usersDn}\n` });
      // The identity provider does not find them (its federation searches with the admission filter): no token, Synapse never asked.
      const answer = await login(server().gatewayClient(`outside user ${uid}`), uid, user.password);
      expect({ stage: answer.stage, token: answer.json?.access_token }).toEqual({ stage: 'password', token: undefined });
    }),
  );
});

describe('registration is closed', () => {
  probe('local registration is refused', async () => {
    const answer = await call(server().gatewayClient('local registration'), 'POST', '/_matrix/client/v3/register', {
      json: { username: 'mallory', password: secret(), auth: { type: 'm.login.dummy' } },
    });
    expectRefusedBySynapse(answer, 403, 'M_FORBIDDEN');
    expect(answer.json?.error).toMatch(/Registration has been disabled/);
  });

  probe('shared-secret registration is refused (the gateway never routes /_synapse/admin; Synapse has no shared secret)', async () => {
    const tag = marker();
    expectRefusedByGateway(
      await call(server().gatewayClient('shared-secret registration'), 'GET', `/_synapse/admin/v1/register?${tag}`),
      404,
    );
    expectRefusedByGateway(
      await call(server().gatewayClient('shared-secret registration (POST)'), 'POST', `/_synapse/admin/v1/register?${tag}`, {
        json: { nonce: 'x', username: 'mallory', password: secret(), mac: '00' },
      }),
      404,
    );
    expect(reachedSynapse(tag)).toBe(false);
    // Second lock: even reached directly, Synapse has no registration shared secret to check a MAC against.
    const nonce = (await call(server().direct('synapse'), 'GET', '/_synapse/admin/v1/register')).json?.nonce;
    const direct = await call(server().direct('synapse'), 'POST', '/_synapse/admin/v1/register', {
      json: { nonce, username: 'mallory', password: secret(), admin: true, mac: '0'.repeat(40) },
    });
    expect({ status: direct.status, error: direct.json?.error }).toEqual({
      status: 400,
      error: 'Shared secret registration is not enabled',
    });
  });

  probe('guest access is refused', async () => {
    const answer = await call(server().gatewayClient('guest registration'), 'POST', '/_matrix/client/v3/register?kind=guest', { json: {} });
    // Synapse raises this one without an errcode of its own (M_UNKNOWN); the message is the proof.
    expect({ status: answer.status, error: answer.json?.error }).toEqual({ status: 403, error: 'Guest access is disabled' });
  });
});

describe('rooms are end-to-end encrypted by default', () => {
  probe('a room created as public has m.room.encryption', async () => {
    const client = server().gatewayClient('public room');
    const token = await session('alice');
    const created = await call(client, 'POST', '/_matrix/client/v3/createRoom', {
      token,
      json: { preset: 'public_chat', name: 'town square' },
    });
    expect(created.status).toBe(200);
    const roomId = encodeURIComponent(String(created.json?.room_id));
    const joinRules = await call(client, 'GET', `/_matrix/client/v3/rooms/${roomId}/state/m.room.join_rules/`, { token });
    expect(joinRules.json).toEqual({ join_rule: 'public' });
    const encryption = await call(client, 'GET', `/_matrix/client/v3/rooms/${roomId}/state/m.room.encryption/`, { token });
    expect({ status: encryption.status, algorithm: encryption.json?.algorithm }).toEqual({
      status: 200,
      algorithm: 'm.megolm.v1.aes-sha2',
    });
  });
});

describe('no scraping of people: profiles and the user directory', () => {
  let client: Endpoint;
  let token = '';
  let sharedRoom = '';
  beforeAll(
    tracked(async () => {
      client = server().gatewayClient('profiles and directory');
      token = await session('alice');
      // carol exists (she logged in) but shares no room with alice; dave shares a private one.
      await session('carol');
      const daveToken = await session('dave');
      const room = await call(client, 'POST', '/_matrix/client/v3/createRoom', {
        token,
        json: { preset: 'private_chat', invite: [userId('dave')] },
      });
      expect(room.status).toBe(200);
      sharedRoom = String(room.json?.room_id);
      const joined = await call(client, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(sharedRoom)}`, {
        token: daveToken,
        json: {},
      });
      expect(joined.status).toBe(200);
    }),
  );

  probe('profile lookup of a user who shares no room is refused', async () => {
    const refused = await call(client, 'GET', `/_matrix/client/v3/profile/${encodeURIComponent(userId('carol'))}`, { token });
    expectRefusedBySynapse(refused, 403, 'M_FORBIDDEN');
    // Control: the same lookup of a room-mate works, and without a token nothing is answered.
    expect((await call(client, 'GET', `/_matrix/client/v3/profile/${encodeURIComponent(userId('dave'))}`, { token })).status).toBe(200);
    expectRefusedBySynapse(
      await call(client, 'GET', `/_matrix/client/v3/profile/${encodeURIComponent(userId('dave'))}`),
      401,
      'M_MISSING_TOKEN',
    );
  });

  probe('user directory search finds only users sharing a room', async () => {
    const search = async (term: string) => {
      const answer = await call(client, 'POST', '/_matrix/client/v3/user_directory/search', {
        token,
        json: { search_term: term, limit: 10 },
      });
      expect(answer.status).toBe(200);
      return ((answer.json?.results ?? []) as { user_id: string }[]).map((result) => result.user_id);
    };
    // The directory is updated in the background, and only when a new event arrives: on a fresh
    // database, joins made while Synapse's first directory population still runs wait for the
    // next event. So each retry sends one (few requests: searches are rate-limited per user).
    const deadline = Date.now() + 30_000;
    let found: string[];
    while (!(found = await search('dave')).includes(userId('dave')) && Date.now() < deadline) {
      const nudge = await call(
        client,
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(sharedRoom)}/send/m.room.message/${marker()}`,
        {
          token,
          json: { msgtype: 'm.text', body: 'directory catch-up' },
        },
      );
      expect(nudge.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(found).toEqual([userId('dave')]);
    expect(await search('carol')).toEqual([]);
    expect(await search('agency')).not.toContain(userId('carol'));
  });
});

describe('media: authenticated only, bounded in size', () => {
  const maxUpload = () => parseSize(server().homeserver.synapse.maxUploadSize) ?? 0;

  probe('unauthenticated media download is refused, authenticated download works', async () => {
    const client = server().gatewayClient('media download');
    const token = await session('alice');
    const content = randomBytes(4096);
    const uploaded = await call(client, 'POST', '/_matrix/media/v3/upload?filename=report.bin', {
      token,
      body: content,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(uploaded.status).toBe(200);
    const [, origin, mediaId] = /^mxc:\/\/([^/]+)\/(.+)$/.exec(String(uploaded.json?.content_uri)) ?? [];
    expect(origin).toBe(server().homeserver.serverName);
    const download = `/_matrix/client/v1/media/download/${origin}/${mediaId}`;
    expectRefusedBySynapse(await call(client, 'GET', download), 401, 'M_MISSING_TOKEN');
    // The unauthenticated legacy endpoint does not serve media uploaded under authenticated media.
    expectRefusedBySynapse(await call(client, 'GET', `/_matrix/media/v3/download/${origin}/${mediaId}`), 404, 'M_NOT_FOUND');
    const authenticated = await call(client, 'GET', download, { token });
    expect(authenticated.status).toBe(200);
    expect(authenticated.body.equals(content)).toBe(true);
    // It was the media worker that stored and served it (the main process has no media repository).
    expect(server().log('media-repository')).toContain(mediaId);
  });

  probe('an upload above max_upload_size is refused at the gateway', async () => {
    const client = server().gatewayClient('oversized upload');
    const token = await session('alice');
    const tag = marker();
    // The client announces the body and waits for the go-ahead (Expect: 100-continue), as large uploads do: the gateway answers from the length alone.
    const oversized = {
      token,
      body: Buffer.alloc(maxUpload() + 1),
      expectContinue: true,
      headers: { 'Content-Type': 'application/octet-stream' },
    };
    expectRefusedByGateway(await call(client, 'POST', `/_matrix/media/v3/upload?filename=${tag}`, oversized), 413);
    // Without a length the gateway cannot check the size: refused too.
    const chunked = await call(client, 'POST', `/_matrix/media/v3/upload?filename=${tag}`, {
      token,
      body: Buffer.alloc(16),
      chunked: true,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect({ status: chunked.status, text: chunked.text }).toEqual({ status: 411, text: 'Content-Length required' });
    expect(reachedSynapse(tag)).toBe(false);
    // Exactly max_upload_size passes both the gateway and Synapse: the two limits agree.
    const atLimit = await call(client, 'POST', '/_matrix/media/v3/upload?filename=limit.bin', {
      token,
      body: Buffer.alloc(maxUpload()),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(atLimit.status).toBe(200);
    // Second lock: the media worker refuses the same oversized body itself.
    const direct = await call(server().direct('media-repository'), 'POST', '/_matrix/media/v3/upload?filename=direct.bin', oversized);
    expectRefusedBySynapse(direct, 413, 'M_TOO_LARGE');
  });
});

describe('the gateway exposes only the client API', () => {
  probe('/_synapse/admin/... is refused at the gateway', async () => {
    const client = server().gatewayClient('admin API');
    const token = await session('alice');
    const tag = marker();
    for (const adminPath of [
      '/_synapse/admin/v1/server_version',
      '/_synapse/admin/v2/users',
      `/_synapse/admin/v1/users/${encodeURIComponent(userId('alice'))}/admin`,
    ]) {
      expectRefusedByGateway(await call(client, 'GET', `${adminPath}?${tag}`, { token }), 404);
    }
    expect(reachedSynapse(tag)).toBe(false);
    // Second lock: Synapse refuses its admin API to a non-admin.
    expectRefusedBySynapse(await call(server().direct('synapse'), 'GET', '/_synapse/admin/v2/users', { token }), 403, 'M_FORBIDDEN');
  });

  probe('federation and key endpoints are refused when federation is off', async () => {
    const client = server().gatewayClient('federation endpoints');
    const tag = marker();
    // With calls, `.well-known/matrix/server` and the OpenID userinfo path are served (see the calls probes); nothing else.
    for (const federationPath of [
      '/_matrix/federation/v1/version',
      '/_matrix/key/v2/server',
      '/_matrix/federation/v1/media/download/x',
      '/_matrix/federation/v1/openid/userinfo/x',
      ...(server().homeserver.calls ? [] : ['/.well-known/matrix/server']),
    ]) {
      expectRefusedByGateway(await call(client, 'GET', `${federationPath}?${tag}`), 404);
    }
    expect(reachedSynapse(tag)).toBe(false);
    // Second lock: Synapse's listeners serve no federation or key resource either.
    for (const pod of ['synapse', 'media-repository', 'sync-workers-0', 'client-readers-0'] as const) {
      for (const federationPath of ['/_matrix/federation/v1/version', '/_matrix/key/v2/server']) {
        const answer = await call(server().direct(pod), 'GET', federationPath);
        expect({ pod, federationPath, status: answer.status }).toEqual({ pod, federationPath, status: 404 });
      }
    }
  });
});

describe('calls: MatrixRTC through the gateway (rendered LiveKit config, authorisation service environment and TLS fronts)', () => {
  interface OpenIdToken {
    access_token: string;
    token_type: string;
    matrix_server_name: string;
    expires_in: number;
  }
  const calls = () => {
    const settings = server().homeserver.calls;
    if (!settings) throw new Error('the integration profile has no calls');
    return settings;
  };
  // Two client identities for the whole block (the boot has a bounded number): one per public name.
  let onCallsName: Endpoint | undefined;
  let onServerName: Endpoint | undefined;
  const callsClient = () => {
    onCallsName ??= server().gatewayClient('calls: on the calls name', calls().hostname);
    return onCallsName;
  };
  const serverClient = () => {
    onServerName ??= server().gatewayClient('calls: on the server name');
    return onServerName;
  };
  const box = () => server().sandbox;
  /** The slot lk-jwt-service gives the legacy endpoint's rooms (and MatrixRTC's m.call application uses). */
  const SLOT = 'm.call#ROOM';
  /** lk-jwt-service's names: unpadded base64 of the SHA-256 of a JSON array of strings. */
  const hashed = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64').replace(/=+$/, '');
  const FOREIGN_SERVER = 'matrix.elsewhere.example.net';
  const timings: string[] = [];
  const timed = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
    const begun = Date.now();
    const result = await body();
    timings.push(`${what} ${Date.now() - begun} ms`);
    return result;
  };
  let roomId = '';
  let openId: OpenIdToken | undefined;
  let joined: JoinResult | undefined;
  const token = () => {
    if (!openId) throw new Error('no OpenID token was issued');
    return openId;
  };
  const joinResult = () => {
    if (!joined) throw new Error('the join failed');
    return joined;
  };
  const requestOpenId = async (): Promise<OpenIdToken> => {
    const answer = await call(
      serverClient(),
      'POST',
      `/_matrix/client/v3/user/${encodeURIComponent(userId('alice'))}/openid/request_token`,
      { token: await session('alice'), json: {} },
    );
    expect(answer.status).toBe(200);
    return answer.json as unknown as OpenIdToken;
  };
  const userinfoRequests = () =>
    (
      server()
        .log('synapse')
        .match(/openid\/userinfo/g) ?? []
    ).length;

  beforeAll(
    tracked(async () => {
      const created = await call(serverClient(), 'POST', '/_matrix/client/v3/createRoom', {
        token: await session('alice'),
        json: { preset: 'private_chat', name: 'call room' },
      });
      expect(created.status).toBe(200);
      roomId = String(created.json?.room_id);
    }),
  );

  afterAll(() => {
    const boot = server().callsBoot;
    process.stdout.write(
      `integration tier: calls pods ready ${(boot.startedToReadyMs / 1000).toFixed(1)} s after their start (the boot waited ${(boot.waitedMs / 1000).toFixed(1)} s more for them); ${timings.join('; ')}\n`,
    );
  });

  probe(
    'a logged-in user exchanges an OpenID token at /sfu/get through the gateway: a LiveKit token, the room created for this full-access user, a join through the gateway naming the user',
    async () => {
      openId = await timed('OpenID token (cold)', requestOpenId);
      expect({ server: token().matrix_server_name, type: token().token_type }).toEqual({
        server: server().homeserver.serverName,
        type: 'Bearer',
      });
      const deviceId = 'CALLPROBE';
      const exchange = () =>
        call(callsClient(), 'POST', '/sfu/get', { json: { room: roomId, openid_token: token(), device_id: deviceId } });
      const answer = await timed('/sfu/get with room creation (cold)', exchange);
      expect({ status: answer.status, url: answer.json?.url, jwt: typeof answer.json?.jwt }).toEqual({
        status: 200,
        url: `wss://${calls().hostname}`,
        jwt: 'string',
      });
      const room = hashed([roomId, SLOT]);
      const join = (jwt: string) => probeJoin(box(), `wss://${calls().hostname}`, jwt, server().caFile);
      joined = expectDone(await timed('join through the gateway (cold)', () => join(String(answer.json?.jwt))), 'join through the gateway');
      expect({ room: joined.room, identity: joined.identity }).toEqual({ room, identity: `${userId('alice')}:${deviceId}` });
      // The service created the room (LiveKit creates none itself: auto_create is off), through the gateway's call route.
      expect(server().log('rtc-auth')).toContain(
        `LiveKit room sid: ${joined.roomSid} (alias: ${room}) for full-access Matrix user ${userId('alice')}`,
      );
      const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(server().log('haproxy')).toMatch(
        new RegExp(` livekit/livekit .* 200 .*"POST (https://${escaped(calls().hostname)})?/twirp/livekit\\.RoomService/CreateRoom HTTP`),
      );
      // The join's WebSocket went through the gateway too (HAProxy logs a connection when it closes), and its
      // token, a bearer credential for the call, is not in the log: requests are logged without their query.
      const jwt = String(answer.json?.jwt);
      await waitUntil(5_000, () => / livekit\/livekit .* 101 .*"GET \/rtc HTTP/.test(server().log('haproxy')));
      expect(server().log('haproxy')).not.toContain(jwt.slice(0, 60));
      // Warm: the same exchange and join again (connections and lookups made once).
      const again = await timed('/sfu/get (warm)', exchange);
      expect(again.status).toBe(200);
      expect(expectDone(await timed('join (warm)', () => join(String(again.json?.jwt))), 'second join').roomSid).toBe(joined.roomSid);
    },
  );

  probe('/get_token with the member fields: a LiveKit token for the hashed member identity, which joins through the gateway', async () => {
    const member = { id: `member-${marker()}`, claimed_user_id: userId('alice'), claimed_device_id: 'CALLPROBE' };
    const answer = await timed('/get_token (warm)', () =>
      call(callsClient(), 'POST', '/get_token', {
        json: { room_id: roomId, slot_id: SLOT, openid_token: token(), member },
      }),
    );
    expect({ status: answer.status, url: answer.json?.url }).toEqual({ status: 200, url: `wss://${calls().hostname}` });
    const join = expectDone(
      await probeJoin(box(), `wss://${calls().hostname}`, String(answer.json?.jwt), server().caFile),
      'join with the /get_token token',
    );
    expect({ room: join.room, identity: join.identity }).toEqual({
      room: hashed([roomId, SLOT]),
      identity: hashed([userId('alice'), member.claimed_device_id, member.id]),
    });
    // A member claiming another user with this token is refused.
    const claimed = await call(callsClient(), 'POST', '/get_token', {
      json: { room_id: roomId, slot_id: SLOT, openid_token: token(), member: { ...member, claimed_user_id: userId('dave') } },
    });
    expect({ status: claimed.status, errcode: claimed.json?.errcode }).toEqual({ status: 401, errcode: 'M_UNAUTHORIZED' });
  });

  probe('a token claimed for a foreign homeserver is refused: the service cannot reach it, so no token and no room', async () => {
    const foreign = { ...token(), matrix_server_name: FOREIGN_SERVER };
    const room = `!foreign-${marker()}:${FOREIGN_SERVER}`;
    const current = await call(callsClient(), 'POST', '/get_token', {
      json: {
        room_id: room,
        slot_id: SLOT,
        openid_token: foreign,
        member: { id: 'member-foreign', claimed_user_id: `@alice:${FOREIGN_SERVER}`, claimed_device_id: 'FOREIGN' },
      },
    });
    expect({ status: current.status, errcode: current.json?.errcode, jwt: current.json?.jwt }).toEqual({
      status: 401,
      errcode: 'M_UNAUTHORIZED',
      jwt: undefined,
    });
    const legacy = await call(callsClient(), 'POST', '/sfu/get', {
      json: { room, openid_token: foreign, device_id: 'FOREIGN' },
    });
    expect({ status: legacy.status, errcode: legacy.json?.errcode, jwt: legacy.json?.jwt }).toEqual({
      status: 500,
      errcode: 'M_LOOKUP_FAILED',
      jwt: undefined,
    });
    expect(server().log('rtc-auth')).toContain('Failed to look up user info');
    expect(server().log('rtc-auth')).not.toContain(hashed([room, SLOT]));
  });

  probe("a forged OpenID token for this server is refused: Synapse's userinfo answers 401, and the service refuses", async () => {
    const forged = { ...token(), access_token: randomBytes(18).toString('base64url') };
    const userinfo = await call(serverClient(), 'GET', `/_matrix/federation/v1/openid/userinfo?access_token=${forged.access_token}`);
    expectRefusedBySynapse(userinfo, 401, 'M_UNKNOWN_TOKEN');
    const before = userinfoRequests();
    const current = await call(callsClient(), 'POST', '/get_token', {
      json: {
        room_id: roomId,
        slot_id: SLOT,
        openid_token: forged,
        member: { id: 'member-forged', claimed_user_id: userId('alice'), claimed_device_id: 'FORGED' },
      },
    });
    expect({ status: current.status, errcode: current.json?.errcode, jwt: current.json?.jwt }).toEqual({
      status: 401,
      errcode: 'M_UNAUTHORIZED',
      jwt: undefined,
    });
    const legacy = await call(callsClient(), 'POST', '/sfu/get', {
      json: { room: roomId, openid_token: forged, device_id: 'FORGED' },
    });
    expect({ status: legacy.status, errcode: legacy.json?.errcode }).toEqual({ status: 500, errcode: 'M_LOOKUP_FAILED' });
    // Both refusals were Synapse's answer to the service's lookup through the gateway, not a failure to reach it.
    expect(userinfoRequests()).toBeGreaterThanOrEqual(before + 2);
  });

  probe(
    "TURN: the join's credentials allocate a relay at the published TURN port, on the public address, within relayPorts; a wrong credential is refused",
    async () => {
      const { publicAddress, turnUdpPort, relayPorts } = calls().media;
      const turnServer = `${publicAddress}:${turnUdpPort}`;
      const [ice] = joinResult().iceServers;
      if (!ice) throw new Error('no ICE server in the JoinResponse');
      expect(ice.urls).toEqual([`turn:${turnServer}?transport=udp`]);
      const relayed = expectDone(
        await timed('TURN allocation', () => probeTurnAllocate(box(), turnServer, ice.username, ice.credential)),
        'turn-allocate',
      ).relayed;
      const separator = relayed.lastIndexOf(':');
      const port = Number(relayed.slice(separator + 1));
      expect({ address: relayed.slice(0, separator), inRange: port >= relayPorts.first && port <= relayPorts.last }).toEqual({
        address: publicAddress,
        inRange: true,
      });
      const wrong = await probeTurnAllocate(box(), turnServer, ice.username, randomBytes(24).toString('base64url'));
      expect({ status: wrong.status, output: wrong.output.trim() }).toEqual({
        status: PROBE_REFUSED,
        output: expect.stringMatching(/allocation refused: .*error 400/) as string,
      });
    },
  );

  probe('the calls name serves the call paths only, and the call paths are served on the calls name only', async () => {
    const tag = marker();
    for (const [label, answer] of [
      ['client API on the calls name', await call(callsClient(), 'GET', `/_matrix/client/versions?${tag}`)],
      ['well-known on the calls name', await call(callsClient(), 'GET', '/.well-known/matrix/client')],
      ['other LiveKit API on the calls name', await call(callsClient(), 'POST', '/twirp/livekit.RoomService/ListRooms', { json: {} })],
      ['/sfu/get on the server name', await call(serverClient(), 'POST', '/sfu/get', { json: {} })],
      ['/get_token on the server name', await call(serverClient(), 'POST', '/get_token', { json: {} })],
      ['/rtc on the server name', await call(serverClient(), 'GET', '/rtc')],
      [
        'room creation on the server name',
        await call(serverClient(), 'POST', '/twirp/livekit.RoomService/CreateRoom', {
          json: {},
        }),
      ],
    ] as const) {
      expect({ label, status: answer.status, byGateway: /<h1>404 /.test(answer.text) }).toEqual({ label, status: 404, byGateway: true });
    }
    expect(reachedSynapse(tag)).toBe(false);
    // Second lock: the SFU's TLS front forwards only its listed paths, even to a client inside the cluster.
    const curl = (url: string) =>
      server().exec('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        server().caFile,
        '-X',
        'POST',
        '-H',
        'Content-Type: application/json',
        '-d',
        '{}',
        url,
      ]);
    const livekitFront = `https://${livekitServiceName(server().homeserver)}:${CALLS_TLS_PORT.containerPort}`;
    expect((await curl(`${livekitFront}/twirp/livekit.RoomService/ListRooms`)).output).toBe('404');
    expect((await curl(`${livekitFront}/twirp/livekit.RoomService/CreateRoom`)).output).toBe('401');
  });

  probe('the server name advertises the focus and names the gateway for federation lookups', async () => {
    const client = serverClient();
    const wellKnownClient = await call(client, 'GET', '/.well-known/matrix/client');
    expect(wellKnownClient.json?.['org.matrix.msc4143.rtc_foci']).toEqual([
      { type: 'livekit', livekit_service_url: `https://${calls().hostname}` },
    ]);
    const wellKnownServer = await call(client, 'GET', '/.well-known/matrix/server');
    expect({ status: wellKnownServer.status, json: wellKnownServer.json }).toEqual({
      status: 200,
      json: { 'm.server': `${hostOf(server().homeserver.serverName)}:443` },
    });
  });

  probe('Synapse answers the OpenID userinfo through the gateway for a valid token', async () => {
    const answer = await call(
      serverClient(),
      'GET',
      `/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(token().access_token)}`,
    );
    expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { sub: userId('alice') } });
  });
});

describe('login guessing is rate limited', () => {
  // Passwords are guessed at the identity provider, which locks the account (identity.itest.ts). What reaches Synapse's
  // /login is a login token; guessed ones are refused, and the address is limited by Synapse and by the gateway.
  probe('guessed login tokens are refused, then the address is limited (Synapse per address, then the gateway)', async () => {
    const client = server().gatewayClient('login token guessing');
    const guess = (attempt: number) =>
      call(client, 'POST', '/_matrix/client/v3/login', { json: { type: 'm.login.token', token: `syl_guess_${attempt}_${secret()}` } });
    const perAddress = server().homeserver.gateway.rateLimit.loginRequestsPer10s;
    const attempts: Answer[] = [];
    for (let attempt = 0; attempt <= perAddress; attempt++) attempts.push(await guess(attempt));
    // Synapse refuses each guessed token; its per-address login limit (rc_login.address, a burst of 5) may answer 429 first.
    for (const answer of attempts.slice(0, -1)) expect(['M_FORBIDDEN', 'M_LIMIT_EXCEEDED']).toContain(answer.json?.errcode);
    expect(attempts[0]?.json?.errcode).toBe('M_FORBIDDEN');
    // Beyond loginRequestsPer10s from one address, the gateway refuses before Synapse.
    expectRefusedByGateway(attempts.at(-1) as Answer, 429);
    // Another address is not affected by this one's burst at the gateway.
    const other = await call(server().gatewayClient('login token guessing, other address'), 'POST', '/_matrix/client/v3/login', {
      json: { type: 'm.login.token', token: 'syl_guess_other' },
    });
    expectRefusedBySynapse(other, 403, 'M_FORBIDDEN');
  });
});

describe('scale-out: worker pools behind the gateway, TLS on every internal hop', () => {
  let client: Endpoint;
  let token = '';
  let roomId = '';
  const room = () => encodeURIComponent(roomId);
  const send = (body: string, txn: string) =>
    call(client, 'PUT', `/_matrix/client/v3/rooms/${room()}/send/m.room.message/${txn}`, { token, json: { msgtype: 'm.text', body } });
  const history = async (limit: number, tag = marker()) => {
    const answer = await call(client, 'GET', `/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=${limit}&${tag}`, { token });
    expect(answer.status).toBe(200);
    return ((answer.json?.chunk ?? []) as { type: string; content: { body?: string } }[])
      .filter((event) => event.type === 'm.room.message')
      .map((event) => event.content.body ?? '');
  };
  beforeAll(
    tracked(async () => {
      client = server().gatewayClient('worker pools');
      token = await session('alice');
      const created = await call(client, 'POST', '/_matrix/client/v3/createRoom', { token, json: { preset: 'private_chat' } });
      expect(created.status).toBe(200);
      roomId = String(created.json?.room_id);
    }),
  );

  probe('sync goes to a sync worker, room history to a client reader, sending to the main process and the event persister', async () => {
    const [syncTag, historyTag, sendTag] = [marker(), marker(), marker()];
    expect((await send(sendTag, sendTag)).status).toBe(200);
    expect((await call(client, 'GET', `/_matrix/client/v3/sync?timeout=0&${syncTag}`, { token })).status).toBe(200);
    expect(await history(5, historyTag)).toContain(sendTag);
    expect(servedBy(syncTag)).toEqual([expect.stringMatching(/^sync-workers-[01]$/)]);
    expect(servedBy(historyTag)).toEqual([expect.stringMatching(/^client-readers-[01]$/)]);
    expect(servedBy(sendTag)).toEqual(['synapse']);
    // The main process hands the event to the events stream's writer, over the replication listener.
    expect(server().log('event-persister-1')).toMatch(/\/_synapse\/replication\/send_events?\//);
  });

  probe('each pool pod runs under its own worker name, its pod name', async () => {
    for (const name of ['sync-workers-0', 'sync-workers-1', 'client-readers-0', 'client-readers-1']) {
      const identity = fs.readFileSync(path.join(server().pods.get(name)?.root ?? '', '/run/worker/identity.yaml'), 'utf8');
      expect(identity).toBe(`worker_name: "${name}"\n`);
    }
  });

  probe(
    'killing a pool pod mid-traffic loses no request a client would not retry, and no message',
    async () => {
      const { since } = { since: String((await call(client, 'GET', '/_matrix/client/v3/sync?timeout=0', { token })).json?.next_batch) };
      const outcomes: { what: string; status: number; retried?: number }[] = [];
      const sent: string[] = [];
      const afterKill: string[] = [];
      const started = Date.now();
      let killed = false;
      // Paced below the gateway's per-address rate limit (requestsPer10s), as one client's traffic is.
      const pace = Math.ceil(10_000 / server().homeserver.gateway.rateLimit.requestsPer10s) * 6;
      while (Date.now() - started < 12_000) {
        const iteration = Date.now();
        if (!killed && Date.now() - started > 3_000) {
          killed = true;
          // A lost node: no shutdown, the connections just break.
          await Promise.all([server().stopSynapse('sync-workers-0', 'SIGKILL'), server().stopSynapse('client-readers-0', 'SIGKILL')]);
        }
        const tag = marker();
        if (killed) afterKill.push(tag);
        const requests: [string, () => Promise<Answer>][] = [
          ['sync', () => call(client, 'GET', `/_matrix/client/v3/sync?timeout=0&since=${encodeURIComponent(since)}&${tag}`, { token })],
          ['messages', () => call(client, 'GET', `/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=5&${tag}`, { token })],
        ];
        if (sent.length < 6 && outcomes.length % 4 === 0) {
          const body = marker();
          sent.push(body);
          // A client retries a send with the same transaction id until it is acknowledged: at most once in the room.
          requests.push(['send', () => send(body, body)]);
        }
        for (const [what, request] of requests) {
          const answer = await request();
          const outcome: { what: string; status: number; retried?: number } = { what, status: answer.status };
          if (answer.status !== 200) outcome.retried = (await request()).status;
          outcomes.push(outcome);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, iteration + pace - Date.now())));
      }
      const failed = outcomes.filter((outcome) => outcome.status !== 200);
      process.stdout.write(
        `integration tier: ${outcomes.length} requests while a sync worker and a client reader were killed; ${failed.length} answered other than 200 (${failed.map((outcome) => `${outcome.what} ${outcome.status}`).join(', ') || 'none'})\n`,
      );
      expect(killed).toBe(true);
      // The killed pods served nothing after the kill; the survivors served everything.
      expect([...new Set(afterKill.flatMap(servedBy))].sort()).toEqual(['client-readers-1', 'sync-workers-1']);
      // Every request either succeeded or succeeded when retried, as a Matrix client retries.
      expect(failed.filter((outcome) => outcome.retried !== 200)).toEqual([]);
      // Every acknowledged message is in the room exactly once.
      const bodies = await history(50);
      for (const body of sent)
        expect({ body, copies: bodies.filter((candidate) => candidate === body).length }).toEqual({ body, copies: 1 });
      await Promise.all([server().startSynapse('sync-workers-0', 120_000), server().startSynapse('client-readers-0', 120_000)]);
    },
    240_000,
  );

  /** Sends `request` in plain text to host:port inside the namespace; prints what comes back (at most 200 bytes). */
  const plaintext = async (host: string, port: number, request: string) => {
    const program = [
      'import socket, sys',
      `s = socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=5)`,
      `s.sendall(${JSON.stringify(request)}.encode())`,
      'try:',
      '    data = s.recv(200)',
      'except OSError as error:',
      '    data = repr(error).encode()',
      "sys.stdout.write(data.decode('latin-1'))",
    ].join('\n');
    return (await server().exec('python3', ['-c', program])).output;
  };

  probe('replication listeners answer TLS only: a plain-text request gets no HTTP answer', async () => {
    for (const [pod, address] of [
      ['synapse', '127.0.10.1'],
      ['event-persister-1', '127.0.10.13'],
      ['media-repository', '127.0.10.2'],
    ] as const) {
      const answer = await plaintext(address, 9093, 'GET /health HTTP/1.0\r\n\r\n');
      expect({ pod, plainTextAnswer: answer.startsWith('HTTP/') }).toEqual({ pod, plainTextAnswer: false });
    }
    // Control: the same listener over TLS, verified against the internal CA and its Service name.
    expect((await call(server().direct('event-persister-1'), 'GET', '/health')).status).toBe(200);
  });

  probe('Redis answers TLS only: a plain-text command gets no Redis answer', async () => {
    const answer = await plaintext('127.0.10.4', 6379, 'PING\r\n');
    expect(answer).not.toMatch(/^[+-]/);
    // Control: the processes reached it over TLS with their certificates (a worker's log shows the replication connection).
    expect(server().log('sync-workers-0')).toMatch(/Connected to redis/i);
  });
});

describe('sessions are finite', () => {
  probe(
    'a refreshable access token expires after refreshableAccessTokenLifetime; only the refresh token renews it',
    async () => {
      const lifetime = parseDuration(server().homeserver.synapse.tokens.refreshableAccessTokenLifetime) ?? 0;
      const client = server().gatewayClient('token expiry (refreshable)');
      const answer = await login(client, 'erin', USERS.erin.password, { refreshToken: true });
      // When Synapse's answer arrives (the login before it may wait for a fresh TOTP step).
      const issuedAt = Date.now();
      const token = accessToken(answer);
      // Synapse reports the time left when it answers: the configured lifetime, less its own processing time.
      expect(answer.json?.expires_in_ms).toBeLessThanOrEqual(lifetime);
      expect(answer.json?.expires_in_ms).toBeGreaterThan(lifetime - 2_000);
      expect((await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + lifetime + 2_000 - Date.now())));
      const expired = await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token });
      expectRefusedBySynapse(expired, 401, 'M_UNKNOWN_TOKEN');
      expect(expired.json?.soft_logout).toBe(true);
      const refreshed = await call(client, 'POST', '/_matrix/client/v3/refresh', { json: { refresh_token: answer.json?.refresh_token } });
      expect(refreshed.status).toBe(200);
      expect(
        (await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token: String(refreshed.json?.access_token) })).json?.user_id,
      ).toBe(userId('erin'));
    },
    120_000,
  );

  probe(
    'a non-refreshable access token expires after nonrefreshableAccessTokenLifetime',
    async () => {
      const lifetime = parseDuration(server().homeserver.synapse.tokens.nonrefreshableAccessTokenLifetime) ?? 0;
      if (!expiring) throw new Error('no token was issued after boot');
      const { token, issuedAt, firstCheck } = expiring;
      const client = server().gatewayClient('token expiry (non-refreshable), check');
      expect({ status: firstCheck.status, user_id: firstCheck.json?.user_id }).toEqual({ status: 200, user_id: userId('erin') });
      const wait = (until: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
      // Still valid shortly before the end of its lifetime (when the other probes left time to check)...
      if (Date.now() < issuedAt + lifetime - 8_000) {
        await wait(issuedAt + lifetime - 5_000);
        expect((await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token })).status).toBe(200);
      }
      // ...and refused once it has passed.
      await wait(issuedAt + lifetime + 2_000);
      expectRefusedBySynapse(await call(client, 'GET', '/_matrix/client/v3/account/whoami', { token }), 401, 'M_UNKNOWN_TOKEN');
    },
    180_000,
  );
});
