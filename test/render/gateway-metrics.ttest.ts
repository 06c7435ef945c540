/**
 * The gateway's metrics, proven on a real HAProxy (Debian's 2.6, built with the Prometheus
 * exporter) running the rendered config on loopback in front of TLS stand-ins for Synapse and
 * the media worker: the metrics frontend serves Prometheus text with exactly the metric names
 * and labels the alert rules read, counts media bytes and refused logins as the alerts assume,
 * and answers 404 to everything but GET /metrics.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { HAPROXY_METRICS_PATH } from '../../model/monitoring';
import { HAPROXY_PROXIES, renderHaproxyConfig } from '../../render/gateway/haproxy-config';
import { ALERT_METRICS, homeserverAlertGroups } from '../../render/monitoring/alert-rules';
import { requireHaproxy, startHaproxy, throwawayPem, waitUntil } from '../support/haproxy';
import { freePort, tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa } from '../support/test-ca';

jest.setTimeout(60_000);

const SYNAPSE_NAME = 'synapse.agency-homeserver.svc';
const MEDIA_NAME = 'media-repository.agency-media.svc';
const MEDIA_BODY_BYTES = 64 * 1024;
const LOGIN_LIMIT = 2;

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Prometheus text exposition, parsed: `name{a="b",...} value` lines (comments skipped). */
function parseExposition(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!]),
    );
    return [{ name: match[1]!, labels, value: Number(match[3]) }];
  });
}

function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value) &&
      Object.keys(sample.labels).length === Object.keys(labels).length,
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
  return found[0]?.value;
}

describe('gateway metrics on a live HAProxy', () => {
  let haproxy: ChildProcess | undefined;
  const servers: https.Server[] = [];
  let publicPort = 0;
  let metricsPort = 0;
  let loginsSeenBySynapse = 0;

  function standIn(
    certificate: { certificate: string; key: string },
    handler: (request: http.IncomingMessage, response: http.ServerResponse) => void,
  ): Promise<number> {
    const server = https.createServer(
      { cert: fs.readFileSync(certificate.certificate), key: fs.readFileSync(certificate.key) },
      (request, response) => {
        if (request.url === '/health') return void response.end('OK');
        request.resume();
        request.on('end', () => handler(request, response));
      },
    );
    servers.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  }

  function call(options: {
    port: number;
    tls: boolean;
    method?: string;
    path: string;
    body?: string;
  }): Promise<{ status: number; body: string; contentType: string }> {
    return new Promise((resolve, reject) => {
      const requestOptions = {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        agent: false,
        headers: options.body === undefined ? {} : { 'Content-Length': Buffer.byteLength(options.body) },
      };
      const onResponse = (response: http.IncomingMessage) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, contentType: response.headers['content-type'] ?? '' }));
      };
      const request = options.tls
        ? https.request({ ...requestOptions, rejectUnauthorized: false }, onResponse)
        : http.request(requestOptions, onResponse);
      request.on('error', reject);
      if (options.body !== undefined) request.write(options.body);
      request.end();
    });
  }

  const scrape = async () => parseExposition((await call({ port: metricsPort, tls: false, path: HAPROXY_METRICS_PATH })).body);

  beforeAll(async () => {
    requireHaproxy();
    const directory = tempDirectory('haproxy-metrics-');
    const ca = testCa(directory);
    const synapsePort = await standIn(issueServerCertificate(ca, SYNAPSE_NAME, directory), (request, response) => {
      // Synapse answers a wrong password with 403 M_FORBIDDEN.
      if (request.method === 'POST' && request.url === '/_matrix/client/v3/login') {
        loginsSeenBySynapse++;
        response.statusCode = 403;
        return void response.end('{"errcode":"M_FORBIDDEN"}');
      }
      response.end('{}');
    });
    const mediaPort = await standIn(issueServerCertificate(ca, MEDIA_NAME, directory), (_request, response) =>
      response.end(Buffer.alloc(MEDIA_BODY_BYTES, 120)),
    );
    publicPort = await freePort();
    metricsPort = await freePort();
    const file = path.join(directory, 'haproxy.cfg');
    const config = renderHaproxyConfig({
      serverName: 'matrix.agency.example.org',
      federationEnabled: true,
      maxUploadBytes: 1024 * 1024,
      rateLimit: { requestsPer10s: 1000, loginRequestsPer10s: LOGIN_LIMIT },
      listenPort: publicPort,
      metricsPort,
      certificateFile: throwawayPem(directory),
      backendCaFile: ca.certificate,
      backends: {
        synapse: { host: '127.0.0.1', port: synapsePort, tlsName: SYNAPSE_NAME },
        media: { host: '127.0.0.1', port: mediaPort, tlsName: MEDIA_NAME },
        identity: { host: '127.0.0.1', port: mediaPort, tlsName: MEDIA_NAME },
      },
    });
    fs.writeFileSync(file, config.replace(/^ {2}bind :(\d+)/gm, '  bind 127.0.0.1:$1'));
    haproxy = startHaproxy(file);
    // Ready when both backends pass their health checks.
    await waitUntil(async () => {
      const samples = await scrape();
      return (
        valueOf(samples, 'haproxy_backend_active_servers', { proxy: HAPROXY_PROXIES.media }) === 1 &&
        valueOf(samples, 'haproxy_backend_active_servers', { proxy: HAPROXY_PROXIES.login }) === 1
      );
    }, 'haproxy');
  });

  afterAll(async () => {
    haproxy?.kill('SIGTERM');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('serves Prometheus text with exactly the series the alert rules read', async () => {
    const answer = await call({ port: metricsPort, tls: false, path: HAPROXY_METRICS_PATH });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/plain/);
    const samples = parseExposition(answer.body);
    expect(valueOf(samples, ALERT_METRICS.mediaBytes.metric, { proxy: ALERT_METRICS.mediaBytes.proxy })).toBeDefined();
    expect(
      valueOf(samples, ALERT_METRICS.loginResponses.metric, {
        proxy: ALERT_METRICS.loginResponses.proxy,
        code: ALERT_METRICS.loginResponses.code,
      }),
    ).toBeDefined();
    // And the rendered expressions name them with these labels.
    const expressions = homeserverAlertGroups({
      homeserverName: 'agency',
      serverName: 'matrix.agency.example.org',
      namespaces: { gateway: 'agency-gateway', homeserver: 'agency-homeserver', media: 'agency-media' },
      targets: [{ namespace: 'agency-gateway', workload: 'haproxy' }],
      storeBackups: [],
      thresholds: { mediaEgressBytesPerHour: 1, userDirectorySearchesPerMinute: 1, profileLookupsPerMinute: 1, rejectedLoginsPerMinute: 1 },
      backupIntervalSeconds: 86400,
    })
      .flatMap((group) => group.rules)
      .map((rule) => rule.expr)
      .join('\n');
    expect(expressions).toContain('haproxy_backend_bytes_out_total{namespace="agency-gateway", proxy="media"}');
    expect(expressions).toContain('haproxy_backend_http_responses_total{namespace="agency-gateway", proxy="login", code="4xx"}');
  });

  it('counts the bytes the media backend serves to clients', async () => {
    const before = valueOf(await scrape(), 'haproxy_backend_bytes_out_total', { proxy: 'media' }) ?? 0;
    const downloads = 5;
    for (let index = 0; index < downloads; index++) {
      const answer = await call({
        port: publicPort,
        tls: true,
        path: `/_matrix/client/v1/media/download/matrix.agency.example.org/m${index}`,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.length).toBe(MEDIA_BODY_BYTES);
    }
    const grown = (valueOf(await scrape(), 'haproxy_backend_bytes_out_total', { proxy: 'media' }) ?? 0) - before;
    // Bodies plus response headers; nothing from other backends.
    expect(grown).toBeGreaterThanOrEqual(downloads * MEDIA_BODY_BYTES);
    expect(grown).toBeLessThan(downloads * (MEDIA_BODY_BYTES + 1024));
  });

  it("counts every refused login, Synapse's 403s and the gateway's own 429s, and nothing else", async () => {
    const before = await scrape();
    const login = (samples: readonly Sample[], code: string) =>
      valueOf(samples, 'haproxy_backend_http_responses_total', { proxy: 'login', code }) ?? 0;
    const attempts = 6;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < attempts; attempt++)
      statuses.push((await call({ port: publicPort, tls: true, method: 'POST', path: '/_matrix/client/v3/login', body: '{}' })).status);
    // Unrouted paths are refused too, but they are no login and must not count as one.
    expect((await call({ port: publicPort, tls: true, path: '/_synapse/admin/v1/users' })).status).toBe(404);
    const after = await scrape();
    expect(statuses.filter((status) => status === 403)).toHaveLength(LOGIN_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(attempts - LOGIN_LIMIT);
    expect(loginsSeenBySynapse).toBe(LOGIN_LIMIT);
    expect(login(after, '4xx') - login(before, '4xx')).toBe(attempts);
    expect(login(after, '2xx') - login(before, '2xx')).toBe(0);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/stats'],
    ['GET', '/metrics/extra'],
    ['GET', '/_synapse/metrics'],
    ['GET', '/_matrix/client/v3/sync'],
    ['POST', '/metrics'],
  ])('answers 404 to %s %s on the metrics port', async (method, requestPath) => {
    const answer = await call({ port: metricsPort, tls: false, method, path: requestPath });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('haproxy_');
  });

  it('does not serve the exporter on the public port', async () => {
    const answer = await call({ port: publicPort, tls: true, path: HAPROXY_METRICS_PATH });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('haproxy_');
  });
});
