/**
 * The gateway's rendered config in the real HAProxy: `haproxy -c` on it, and the config running on
 * loopback in front of two stand-in backends, probed over HTTPS. The route table and the text
 * checks are in haproxy.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { renderHaproxyConfig } from '../../render/gateway/haproxy-config';
import { workloadsIn } from '../../workloads/catalogue';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { checkConfig, requireHaproxy, startHaproxy, throwawayPem, waitUntil } from '../support/haproxy';
import { freePort, tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa, type TestCa } from '../support/test-ca';
import { haproxyInput } from './haproxy-input';

jest.setTimeout(60_000);

describe('rendered haproxy.cfg', () => {
  let directory = '';
  let pem = '';
  let ca: TestCa;
  beforeAll(() => {
    requireHaproxy();
    directory = tempDirectory('haproxy-check-');
    pem = throwawayPem(directory);
    ca = testCa(directory);
  });

  it.each([false, true])('passes haproxy -c (federation %s)', (federationEnabled) => {
    const file = path.join(directory, `haproxy-${federationEnabled}.cfg`);
    fs.writeFileSync(file, renderHaproxyConfig(haproxyInput({ federationEnabled, certificateFile: pem, backendCaFile: ca.certificate })));
    const check = checkConfig(file);
    expect(check.output).toMatch(/Configuration file is valid/);
    expect(check.status).toBe(0);
  });

  it('passes haproxy -c as deployed: the gateway ConfigMap of every fleet member', () => {
    const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
    for (const homeserver of fleet.homeservers) {
      const [gateway] = workloadsIn(fleet, homeserver, 'gateway');
      const deployed = gateway?.configFiles?.[0]?.files['haproxy.cfg'] ?? '';
      const file = path.join(directory, `${homeserver.name}.cfg`);
      // Only the file paths differ from the pod (where the certificate Secret is at /tls and the CA bundle at /trust).
      expect(deployed).toContain(' crt /tls/tls-combined.pem ');
      fs.writeFileSync(
        file,
        deployed
          .replace(' crt /tls/tls-combined.pem ', ` crt ${pem} `)
          .replaceAll(' ca-file /trust/ca.crt ', ` ca-file ${ca.certificate} `),
      );
      expect(checkConfig(file).status).toBe(0);
    }
  });

  it('passes haproxy -c as deployed: the default gateway (web client and calls routes) and the calls TLS fronts', () => {
    const config = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
    const [homeserver] = config.homeservers;
    if (!homeserver?.client || !homeserver.calls) throw new Error('the default deployment has a web client and calls');
    const files = [
      ...workloadsIn(config, homeserver, 'gateway').flatMap((workload) => workload.configFiles ?? []),
      ...workloadsIn(config, homeserver, 'calls').flatMap((workload) =>
        workload.tlsFront ? [{ files: { 'haproxy.cfg': workload.tlsFront.configFile } }] : [],
      ),
    ].map((entry) => entry.files['haproxy.cfg'] ?? '');
    expect(files).toHaveLength(3);
    // A call's signalling WebSocket outlives the gateway's ordinary timeouts.
    expect(files[0]).toMatch(/^backend livekit\n( {2}.*\n)* {2}timeout tunnel 4h\n/m);
    files.forEach((deployed, index) => {
      const file = path.join(directory, `default-${index}.cfg`);
      fs.writeFileSync(
        file,
        deployed
          .replace(' crt /tls/tls-combined.pem ', ` crt ${pem} `)
          .replaceAll(' ca-file /trust/ca.crt ', ` ca-file ${ca.certificate} `),
      );
      const check = checkConfig(file);
      // Service names resolve only in the cluster; any other warning (rule order, ignored settings) is a defect.
      const warnings = check.output
        .split('\n')
        .filter((line) => /\[(WARNING|ALERT)\]/.test(line))
        .filter((line) => !/could not resolve address|log format ignored for frontend 'metrics'/.test(line));
      expect(warnings).toEqual([]);
      expect(check.status).toBe(0);
    });
  });

  it('the check can fail: haproxy -c rejects a broken config', () => {
    const file = path.join(directory, 'broken.cfg');
    fs.writeFileSync(
      file,
      `${renderHaproxyConfig(haproxyInput({ certificateFile: pem, backendCaFile: ca.certificate }))}  no-such-keyword here\n`,
    );
    expect(checkConfig(file).status).not.toBe(0);
  });
});

interface Answer {
  status: number;
  body: string;
}

const SYNAPSE_NAME = 'synapse.agency-homeserver.svc';
const MEDIA_NAME = 'media-repository.agency-media.svc';

describe('rendered HAProxy running on loopback', () => {
  let haproxy: ChildProcess | undefined;
  const backends: https.Server[] = [];
  let port = 0;
  const maxUploadBytes = 1024;
  const seen: { backend: string; path: string; forwardedFor: string | undefined }[] = [];
  /** HAProxy's stdout: the request log. */
  let logged = '';

  /** A backend serving TLS with a certificate for `tlsName`, as the Synapse listeners do. */
  function standIn(name: string, certificate: { certificate: string; key: string }): Promise<number> {
    const server = https.createServer(
      { cert: fs.readFileSync(certificate.certificate), key: fs.readFileSync(certificate.key) },
      (request, response) => {
        // Health checks (Synapse's, and the identity provider's discovery document) are not requests under test.
        if (request.url === '/health' || request.url?.endsWith('/.well-known/openid-configuration')) return void response.end('OK');
        seen.push({ backend: name, path: request.url ?? '', forwardedFor: request.headers['x-forwarded-for'] as string | undefined });
        request.resume();
        request.on('end', () => response.end(JSON.stringify({ backend: name })));
      },
    );
    backends.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  }

  function call(
    method: string,
    requestPath: string,
    options: { body?: string; chunked?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = https.request(
        { host: '127.0.0.1', port, method, path: requestPath, rejectUnauthorized: false, headers: options.headers ?? {}, agent: false },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      // Node streams bodies chunked unless a length is given.
      if (options.chunked) request.setHeader('Transfer-Encoding', 'chunked');
      else if (options.body !== undefined) request.setHeader('Content-Length', Buffer.byteLength(options.body));
      if (options.body !== undefined) request.write(options.body);
      request.end();
    });
  }

  beforeAll(async () => {
    requireHaproxy();
    const directory = tempDirectory('haproxy-live-');
    const ca = testCa(directory);
    const synapsePort = await standIn('synapse', issueServerCertificate(ca, SYNAPSE_NAME, directory));
    // The media stand-in's certificate comes from another CA: HAProxy must refuse to talk to it.
    const mediaPort = await standIn('media', issueServerCertificate(testCa(directory, 'rogue-ca'), MEDIA_NAME, directory));
    port = await freePort();
    const file = path.join(directory, 'haproxy.cfg');
    fs.writeFileSync(
      file,
      renderHaproxyConfig(
        haproxyInput({
          listenPort: port,
          metricsPort: await freePort(),
          certificateFile: throwawayPem(directory),
          maxUploadBytes,
          rateLimit: { requestsPer10s: 1000, loginRequestsPer10s: 3 },
          backendCaFile: ca.certificate,
          backends: {
            synapse: { host: '127.0.0.1', port: synapsePort, tlsName: SYNAPSE_NAME },
            media: { host: '127.0.0.1', port: mediaPort, tlsName: MEDIA_NAME },
            identity: { host: '127.0.0.1', port: mediaPort, tlsName: MEDIA_NAME },
          },
        }),
      ).replace(/^ {2}bind :(\d+)/gm, '  bind 127.0.0.1:$1'),
    );
    haproxy = startHaproxy(file);
    haproxy.stdout?.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    await waitUntil(async () => (await call('GET', '/_matrix/client/versions')).status === 200, 'haproxy');
  });

  afterAll(async () => {
    haproxy?.kill('SIGTERM');
    await Promise.all(backends.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('routes the client API to Synapse over TLS verified against the internal CA', async () => {
    expect(JSON.parse((await call('GET', '/_matrix/client/v3/sync')).body)).toEqual({ backend: 'synapse' });
  });

  it('refuses a backend whose certificate does not chain to the internal CA (media routes get 503, nothing reaches it)', async () => {
    const before = seen.length;
    expect((await call('GET', '/_matrix/client/v1/media/download/x/y')).status).toBe(503);
    expect((await call('GET', '/_matrix/media/v3/download/x/y')).status).toBe(503);
    expect(seen.length).toBe(before);
  });

  it.each([
    '/_synapse/admin/v1/users/@a:b',
    '/_synapse/admin/v2/users',
    '/_synapse/metrics',
    '/metrics',
    '/_matrix/federation/v1/version',
    '/_matrix/key/v2/server',
    '/.well-known/matrix/server',
  ])('refuses %s without reaching a backend', async (refused) => {
    const before = seen.length;
    expect((await call('GET', refused)).status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it.each([
    '/auth/resources/../admin/master/console/',
    '/auth/realms/matrix/login-actions/../protocol/openid-connect/token',
    '/auth/resources/%2e%2e/admin/',
    '/auth/resources/%2E%2E%2fadmin/',
    '/auth/realms/matrix/login-actions/authenticate;jsessionid=x/../../../master',
    '/auth/resources//admin/',
    '/auth/resources/..%5cadmin',
  ])('refuses %s (a path that could step out of a routed identity prefix) without reaching a backend', async (refused) => {
    const before = seen.length;
    expect((await call('GET', refused)).status).toBe(400);
    expect(seen.length).toBe(before);
  });

  it('answers the client well-known itself', async () => {
    const answer = await call('GET', '/.well-known/matrix/client');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ 'm.homeserver': { base_url: 'https://matrix.agency.example.org' } });
  });

  it('refuses uploads above max_upload_size and uploads without a length, before any backend', async () => {
    expect((await call('POST', '/_matrix/media/v3/upload', { body: 'x'.repeat(maxUploadBytes + 1) })).status).toBe(413);
    expect((await call('POST', '/_matrix/media/v3/upload', { body: 'x'.repeat(10), chunked: true })).status).toBe(411);
    // A body within the limit passes the gateway and reaches Synapse's route table (here: a client path).
    expect((await call('POST', '/_matrix/client/v3/rooms/x/send/m.room.message/1', { body: 'x'.repeat(10) })).status).toBe(200);
  });

  it('replaces a spoofed X-Forwarded-For with the real client address', async () => {
    await call('GET', '/_matrix/client/v3/profile/x', { headers: { 'X-Forwarded-For': '203.0.113.66' } });
    expect(seen.at(-1)).toMatchObject({ path: '/_matrix/client/v3/profile/x', forwardedFor: '127.0.0.1' });
  });

  it('logs each request with its path and never its query string, where bearer tokens travel', async () => {
    const token = randomBytes(24).toString('hex');
    const requestPath = '/_matrix/client/v3/sync';
    expect((await call('GET', `${requestPath}?since=s72594_4483&access_token=${token}`)).status).toBe(200);
    // The query reached Synapse (legacy clients authenticate that way): only the log leaves it out.
    expect(seen.at(-1)?.path).toBe(`${requestPath}?since=s72594_4483&access_token=${token}`);
    await waitUntil(async () => Promise.resolve(logged.includes(`"GET ${requestPath} HTTP/1.1"`)), 'the request log line', 5_000);
    const line = logged.split('\n').find((candidate) => candidate.includes(`"GET ${requestPath} HTTP/1.1"`)) ?? '';
    expect(line).toMatch(/^127\.0\.0\.1:\d+ \[.+\] public~ synapse\/synapse .* 200 /);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain('access_token');
  });

  it('rate-limits repeated logins from one address', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) statuses.push((await call('POST', '/_matrix/client/v3/login', { body: '{}' })).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});
