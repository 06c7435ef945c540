/**
 * The calls tooling works against the real servers, in the tier's loopback-only namespace:
 * livekit-server (test/support/livekit.ts) with a hand-written config, driven by livekit-probe,
 * and lk-jwt-service (test/support/lk-jwt-service.ts) answering its health check. The OpenID
 * chain through Synapse is proved elsewhere, with the rendered configs.
 *
 *  - with `room.auto_create: false`, a join to a room nobody created is refused (404), unless
 *    the token itself holds the roomCreate grant;
 *  - a room created through RoomService is joined, and the JoinResponse carries the embedded
 *    TURN server's per-participant credentials;
 *  - with those credentials TURN allocates relays on node_ip, inside [relay_range_start,
 *    relay_range_end] only: once every port of the range is taken, the next allocation is
 *    refused (508) rather than placed elsewhere; a wrong credential, or a token signed with a
 *    wrong secret, is refused.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectDone,
  livekitProbeBinary,
  livekitServerBinary,
  mintToken,
  probeCreateRoom,
  probeHealth,
  probeJoin,
  probeTurnAllocate,
  PROBE_REFUSED,
  startLivekitServer,
  waitForLivekit,
  type ApiKey,
  type JoinResult,
} from '../support/livekit';
import { lkJwtServiceBinary, startLkJwtService } from '../support/lk-jwt-service';
import { Sandbox, tail, waitFor } from '../support/sandbox';
import { tempDirectory } from '../support/slapd';

jest.setTimeout(5 * 60_000);

const ADDRESS = '127.0.0.1';
const PORTS = {
  http: 7880,
  rtcTcp: 7881,
  rtcUdp: 7882,
  turnUdp: 3478,
  relayStart: 49160,
  relayEnd: 49163,
  jwt: 8080,
} as const;
const HTTP_URL = `http://${ADDRESS}:${PORTS.http}`;
const WS_URL = `ws://${ADDRESS}:${PORTS.http}`;
const TURN_SERVER = `${ADDRESS}:${PORTS.turnUdp}`;

let sandbox: Sandbox | undefined;
let directory = '';
let apiKey: ApiKey = { key: '', secret: '' };
let failed = false;

const box = () => {
  if (!sandbox) throw new Error('the sandbox did not start');
  return sandbox;
};

/** livekit-server's configuration, written as an operator would (key names from pkg/config/config.go and mediatransportutil's rtcconfig). */
function livekitConfig(keyFile: string): string {
  return [
    `port: ${PORTS.http}`,
    `bind_addresses: [${ADDRESS}]`,
    `key_file: ${keyFile}`,
    'rtc:',
    `  udp_port: ${PORTS.rtcUdp}`,
    `  tcp_port: ${PORTS.rtcTcp}`,
    '  use_external_ip: false',
    `  node_ip: ${ADDRESS}`,
    'turn:',
    '  enabled: true',
    `  udp_port: ${PORTS.turnUdp}`,
    `  relay_range_start: ${PORTS.relayStart}`,
    `  relay_range_end: ${PORTS.relayEnd}`,
    '  domain: turn.calls.test',
    `  bind_addresses: [${ADDRESS}]`,
    'room:',
    '  auto_create: false',
    'logging:',
    '  level: debug',
    '',
  ].join('\n');
}

function probe(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

beforeAll(async () => {
  failed = true;
  // Cold builds first, outside any boot deadline (minutes on a fresh machine, milliseconds after).
  for (const [name, build] of [
    ['livekit-server', livekitServerBinary],
    ['livekit-probe', livekitProbeBinary],
    ['lk-jwt-service', lkJwtServiceBinary],
  ] as const) {
    const started = Date.now();
    build();
    process.stdout.write(`integration tier: ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }

  directory = tempDirectory('livekit-tools-');
  fs.chmodSync(directory, 0o755);
  sandbox = await Sandbox.create(directory, {}, ADDRESS);

  // livekit-server reads the file as YAML (`key: secret`, other users may not read it);
  // lk-jwt-service splits it at the colon and trims, so the same file serves both.
  apiKey = { key: `API${randomBytes(6).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
  const keyFile = path.join(directory, 'livekit-keys.yaml');
  fs.writeFileSync(keyFile, `${apiKey.key}: ${apiKey.secret}\n`, { mode: 0o600 });
  const configFile = path.join(directory, 'livekit.yaml');
  fs.writeFileSync(configFile, livekitConfig(keyFile));

  const deadline = Date.now() + 60_000;
  const livekit = startLivekitServer(box(), configFile);
  await waitForLivekit(box(), livekit, HTTP_URL, deadline);

  const jwt = startLkJwtService(box(), {
    keyFile,
    livekitUrl: WS_URL,
    fullAccessHomeservers: ['matrix.calls.test'],
    bind: `${ADDRESS}:${PORTS.jwt}`,
  });
  await waitFor(
    'lk-jwt-service',
    deadline,
    () => probeHealth(box(), `http://${ADDRESS}:${PORTS.jwt}/healthz`),
    () => box().assertRunning(jwt),
  );
  failed = false;
}, 30 * 60_000);

afterAll(async () => {
  if (!sandbox) return;
  await sandbox.stop();
  if (failed) {
    const report = sandbox
      .logFiles()
      .map((file) => `--- ${file} (last lines)\n${tail(file, 40)}`)
      .join('\n');
    process.stderr.write(`\nintegration tier: run directory KEPT at ${directory} (every server's log under logs/)\n${report}\n`);
  } else {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

describe('livekit-server with room.auto_create: false', () => {
  probe('refuses a join to a room nobody created (HTTP 404)', async () => {
    const token = await mintToken(box(), apiKey, 'never-created', 'alice');
    const answer = await probeJoin(box(), WS_URL, token);
    expect({ status: answer.status, output: answer.output.trim() }).toEqual({
      status: PROBE_REFUSED,
      output: expect.stringContaining('HTTP 404: requested room does not exist') as string,
    });
  });

  probe('lets a token holding the roomCreate grant create the room by joining (what lk-jwt-service never issues)', async () => {
    const token = await mintToken(box(), apiKey, 'created-by-join', 'carol', { roomCreate: true });
    expect(expectDone(await probeJoin(box(), WS_URL, token), 'join with roomCreate').room).toBe('created-by-join');
  });

  probe('refuses a token signed with another secret (HTTP 401)', async () => {
    const token = await mintToken(box(), { key: apiKey.key, secret: randomBytes(32).toString('base64url') }, 'any', 'mallory');
    const answer = await probeJoin(box(), WS_URL, token);
    expect({ status: answer.status, output: answer.output.trim() }).toEqual({
      status: PROBE_REFUSED,
      output: expect.stringContaining('HTTP 401') as string,
    });
  });

  probe('refuses RoomService calls signed with another secret', async () => {
    const answer = await probeCreateRoom(box(), WS_URL, { key: apiKey.key, secret: randomBytes(32).toString('base64url') }, 'sneaky');
    expect({ status: answer.status, output: answer.output.trim() }).toEqual({
      status: PROBE_REFUSED,
      output: expect.stringContaining('unauthenticated') as string,
    });
  });
});

describe('a participant of a room created through RoomService', () => {
  let joined: JoinResult | undefined;
  const join = () => {
    if (!joined) throw new Error('the join failed');
    return joined;
  };

  probe('joins and receives the embedded TURN server with per-participant credentials', async () => {
    const created = expectDone(await probeCreateRoom(box(), WS_URL, apiKey, 'call-1'), 'create-room');
    expect(created.name).toBe('call-1');
    const token = await mintToken(box(), apiKey, 'call-1', 'bob');
    joined = expectDone(await probeJoin(box(), WS_URL, token), 'join');
    expect({ room: joined.room, roomSid: joined.roomSid, identity: joined.identity }).toEqual({
      room: 'call-1',
      roomSid: created.sid,
      identity: 'bob',
    });
    expect(joined.iceServers).toEqual([
      { urls: [`turn:${TURN_SERVER}?transport=udp`], username: expect.any(String) as string, credential: expect.any(String) as string },
    ]);
  });

  probe('refuses an allocation with a wrong credential (400: the message integrity check fails)', async () => {
    const [server] = join().iceServers;
    if (!server) throw new Error('no ICE server in the JoinResponse');
    const wrong = randomBytes(24).toString('base64url');
    const answer = await probeTurnAllocate(box(), TURN_SERVER, server.username, wrong);
    expect({ status: answer.status, output: answer.output.trim() }).toEqual({
      status: PROBE_REFUSED,
      output: expect.stringMatching(/allocation refused: .*error 400/) as string,
    });
  });

  probe(
    'allocates TURN relays on node_ip within [relay_range_start, relay_range_end] only, and none once the range is used up',
    async () => {
      const [server] = join().iceServers;
      if (!server) throw new Error('no ICE server in the JoinResponse');
      // Each probe leaves its allocation in place (until its lifetime ends), so the range fills up.
      const ports: number[] = [];
      for (let port = PORTS.relayStart; port <= PORTS.relayEnd; port++) {
        const relayed = expectDone(
          await probeTurnAllocate(box(), TURN_SERVER, server.username, server.credential),
          'turn-allocate',
        ).relayed;
        const separator = relayed.lastIndexOf(':');
        expect(relayed.slice(0, separator)).toBe(ADDRESS);
        ports.push(Number(relayed.slice(separator + 1)));
      }
      const range = Array.from({ length: PORTS.relayEnd - PORTS.relayStart + 1 }, (_, index) => PORTS.relayStart + index);
      expect([...ports].sort((a, b) => a - b)).toEqual(range);
      const exhausted = await probeTurnAllocate(box(), TURN_SERVER, server.username, server.credential);
      expect({ status: exhausted.status, output: exhausted.output.trim() }).toEqual({
        status: PROBE_REFUSED,
        output: expect.stringMatching(/allocation refused: .*error 508/) as string,
      });
    },
  );
});

describe('lk-jwt-service', () => {
  probe('answers its health check (GET /healthz: 200)', async () => {
    expect(await probeHealth(box(), `http://${ADDRESS}:${PORTS.jwt}/healthz`)).toBe(true);
  });
});
