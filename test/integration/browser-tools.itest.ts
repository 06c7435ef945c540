/**
 * The browser tooling proves itself: a real headless Chromium loads a page served by a real
 * nginx (as nobody, over TLS from a throwaway CA) through a real HAProxy that adds the security
 * headers, all inside the tier's loopback-only network namespace. The page plants what an
 * attacker would (an inline script, an image from another origin) next to what the client
 * legitimately does (a same-origin script, a call to the homeserver); the browser must enforce
 * the gateway's Content-Security-Policy and report every violation, and the foreign origin must
 * never see a connection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireChromium, visitPage, type PageVisit } from '../support/chromium';
import { HAPROXY, requireHaproxy } from '../support/haproxy';
import { requireNginx, startNginx, type NginxServer } from '../support/nginx';
import { Sandbox, tail, waitFor, type SandboxProcess } from '../support/sandbox';
import { tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa } from '../support/test-ca';

jest.setTimeout(2 * 60_000);

const CLIENT = 'client.example.org';
const BACKEND = 'element-web.client.svc';
const FOREIGN = 'elsewhere.example';
const HOMESERVER = 'matrix.example.org';
const ADDRESSES = { [CLIENT]: '127.0.0.10', [BACKEND]: '127.0.0.11', [FOREIGN]: '127.0.0.12', [HOMESERVER]: '127.0.0.13' };

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "img-src 'self'",
  `connect-src 'self' https://${HOMESERVER}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const INDEX_HTML = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>client probe</title>
    <script>document.documentElement.dataset.inline = 'ran';</script>
    <script src="/app.js"></script>
  </head>
  <body>
    <img src="https://${FOREIGN}/x.png" alt="">
  </body>
</html>
`;

const APP_JS = `document.documentElement.dataset.external = 'ran';
fetch('https://${HOMESERVER}/_matrix/client/versions').catch(() => undefined);
`;

/** Shaped like the config the deployment renders for the Element image: TLS on 8443, root /app, everything written under one directory. */
function nginxConfig(directory: string, tls: { certificate: string; key: string }): string {
  return `worker_processes 1;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${directory}/logs/access.log;
  client_body_temp_path ${directory}/tmp/client_body;
  proxy_temp_path ${directory}/tmp/proxy;
  fastcgi_temp_path ${directory}/tmp/fastcgi;
  uwsgi_temp_path ${directory}/tmp/uwsgi;
  scgi_temp_path ${directory}/tmp/scgi;
  server {
    listen ${ADDRESSES[BACKEND]}:8443 ssl;
    server_name ${BACKEND};
    ssl_certificate ${tls.certificate};
    ssl_certificate_key ${tls.key};
    root ${directory}/app;
    index index.html;
    location / { try_files $uri $uri/ =404; }
  }
}
`;
}

function haproxyConfig(gatewayPem: string, caFile: string): string {
  return `global
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend client
  bind ${ADDRESSES[CLIENT]}:443 ssl crt ${gatewayPem}
  http-response set-header Content-Security-Policy "${CSP}"
  http-response set-header Strict-Transport-Security "max-age=31536000; includeSubDomains"
  http-response set-header Referrer-Policy no-referrer
  http-response set-header Permissions-Policy "camera=(), microphone=(), geolocation=()"
  http-response set-header X-Content-Type-Options nosniff
  default_backend element
backend element
  server web ${BACKEND}:8443 ssl verify required ca-file ${caFile} verifyhost ${BACKEND}
`;
}

/** Counts the connections anything makes to the foreign origin's address. */
const TRAP = `const net = require('node:net');
net.createServer((socket) => { console.log('connection'); socket.destroy(); }).listen(443, process.argv[1], () => console.log('listening'));`;

let directory = '';
let sandbox: Sandbox | undefined;
let nginx: NginxServer | undefined;
let haproxy: SandboxProcess | undefined;
let trap: SandboxProcess | undefined;
let gatewayCertificate = '';
let failed = false;
const timings: string[] = [];

const trapConnections = () =>
  trap
    ? fs
        .readFileSync(trap.logFile, 'utf8')
        .split('\n')
        .filter((line) => line === 'connection').length
    : 0;
const inSandbox = () => {
  if (!sandbox) throw new Error('the sandbox did not start');
  return sandbox;
};

beforeAll(async () => {
  const started = Date.now();
  requireChromium();
  requireNginx();
  requireHaproxy();
  directory = tempDirectory('browser-tools-');
  fs.chmodSync(directory, 0o755);
  const caDirectory = path.join(directory, 'ca');
  fs.mkdirSync(caDirectory);
  const ca = testCa(caDirectory);
  const gateway = issueServerCertificate(ca, CLIENT, caDirectory);
  gatewayCertificate = gateway.certificate;
  const gatewayPem = path.join(caDirectory, 'gateway.pem');
  fs.writeFileSync(gatewayPem, fs.readFileSync(gateway.certificate, 'utf8') + fs.readFileSync(gateway.key, 'utf8'));

  const web = path.join(directory, 'web');
  for (const sub of ['app', 'tls', 'tmp']) fs.mkdirSync(path.join(web, sub), { recursive: true });
  fs.writeFileSync(path.join(web, 'app', 'index.html'), INDEX_HTML);
  fs.writeFileSync(path.join(web, 'app', 'app.js'), APP_JS);
  const backend = issueServerCertificate(ca, BACKEND, caDirectory);
  const tls = { certificate: path.join(web, 'tls', 'tls.crt'), key: path.join(web, 'tls', 'tls.key') };
  fs.copyFileSync(backend.certificate, tls.certificate);
  fs.copyFileSync(backend.key, tls.key);

  sandbox = await Sandbox.create(directory, ADDRESSES, '127.0.0.53');
  trap = sandbox.start('trap', process.execPath, ['-e', TRAP, ADDRESSES[FOREIGN]]);
  await waitFor(
    'the foreign origin trap',
    Date.now() + 10_000,
    async () => fs.readFileSync(trap?.logFile ?? '', 'utf8').includes('listening'),
    () => inSandbox().assertRunning(trap as SandboxProcess),
  );
  nginx = await startNginx({ config: nginxConfig(web, tls), directory: web, listen: { address: ADDRESSES[BACKEND], port: 8443 }, sandbox });
  const haproxyFile = path.join(directory, 'haproxy.cfg');
  fs.writeFileSync(haproxyFile, haproxyConfig(gatewayPem, ca.certificate));
  haproxy = sandbox.start('haproxy', HAPROXY, ['-db', '-f', haproxyFile]);
  await waitFor(
    'the gateway',
    Date.now() + 10_000,
    () => inSandbox().acceptsTcp(ADDRESSES[CLIENT], 443),
    () => inSandbox().assertRunning(haproxy as SandboxProcess),
  );
  timings.push(`servers up: ${Date.now() - started} ms`);
});

afterAll(async () => {
  await nginx?.stop();
  await sandbox?.stop();
  if (failed && directory) {
    const logs = sandbox ? sandbox.logFiles() : [];
    if (nginx) logs.push(nginx.errorLog);
    const report = logs.map((file) => `--- ${file}\n${tail(file, 20)}`).join('\n');
    process.stderr.write(`browser tools: run directory KEPT at ${directory}\n${report}\n`);
  } else if (directory) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
  process.stderr.write(`browser tools timings: ${timings.join('; ')}\n`);
});

function tracked(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

async function visit(label: string, options: { hostResolverRules?: Record<string, string> } = {}): Promise<PageVisit> {
  const started = Date.now();
  const result = await visitPage({
    url: `https://${CLIENT}/`,
    workDir: directory,
    trustedCertificates: [gatewayCertificate],
    enter: (command, args, asNobody) => inSandbox().enter(command, args, asNobody),
    evaluate: {
      inline: 'document.documentElement.dataset.inline ?? null',
      external: 'document.documentElement.dataset.external ?? null',
    },
    ...options,
  });
  timings.push(`${label}: ${Date.now() - started} ms (browser ${result.durationMs} ms)`);
  return result;
}

function expectEnforced(page: PageVisit, connectionsBefore: number): void {
  expect(page.status).toBe(200);
  expect(page.headers['content-security-policy']).toBe(CSP);
  expect(page.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(page.headers['referrer-policy']).toBe('no-referrer');

  // The planted inline script never ran; the same-origin script did.
  expect(page.values).toEqual({ inline: null, external: 'ran' });

  // The page's own report of each refusal (the securitypolicyviolation event).
  const events = page.cspViolations.filter((violation) => violation.via === 'event');
  expect(events).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ blockedURI: 'inline', effectiveDirective: 'script-src-elem', disposition: 'enforce' }),
      expect.objectContaining({ blockedURI: `https://${FOREIGN}/x.png`, effectiveDirective: 'img-src', disposition: 'enforce' }),
    ]),
  );
  // And the browser's own (the DevTools console).
  const logged = page.cspViolations.filter((violation) => violation.via === 'console');
  expect(logged.map((violation) => violation.blockedURI).sort()).toEqual([`https://${FOREIGN}/x.png`, 'inline']);

  // The foreign image: refused by the renderer (blockedReason csp), never handed to the network
  // stack, and no connection reached the foreign address.
  const foreign = page.requests.filter((request) => new URL(request.url).hostname === FOREIGN);
  expect(foreign).toEqual([expect.objectContaining({ resourceType: 'Image', blockedReason: 'csp', sentToNetwork: false })]);
  expect(trapConnections()).toBe(connectionsBefore);

  // What the CSP allows did go out: the page, its script, the homeserver call (nothing listens there).
  const sent = page.requests.filter((request) => request.sentToNetwork).map((request) => `${request.resourceType} ${request.url}`);
  expect(sent).toEqual(expect.arrayContaining([`Document https://${CLIENT}/`, `Script https://${CLIENT}/app.js`]));
  const homeserver = page.requests.find((request) => request.url === `https://${HOMESERVER}/_matrix/client/versions`);
  expect(homeserver).toMatchObject({ resourceType: 'Fetch' });
  expect(homeserver?.blockedReason).toBeUndefined();
  // Every request the page made or tried is for the client's own origin, the homeserver or the planted foreign image.
  expect(new Set(page.requests.map((request) => new URL(request.url).origin))).toEqual(
    new Set([`https://${CLIENT}`, `https://${HOMESERVER}`, `https://${FOREIGN}`]),
  );
}

test(
  'names from the namespace /etc/hosts: the gateway CSP blocks the inline script and the foreign image',
  tracked(async () => {
    const before = trapConnections();
    const page = await visit('first visit (names from /etc/hosts)');
    expectEnforced(page, before);
  }),
);

test(
  'names from --host-resolver-rules (absent from /etc/hosts): the same enforcement',
  tracked(async () => {
    const box = inSandbox();
    const hosts = box.hosts();
    box.setHosts({ [BACKEND]: ADDRESSES[BACKEND] });
    try {
      const before = trapConnections();
      const page = await visit('second visit (host-resolver-rules)', {
        hostResolverRules: {
          [CLIENT]: `${ADDRESSES[CLIENT]}:443`,
          [FOREIGN]: `${ADDRESSES[FOREIGN]}:443`,
          [HOMESERVER]: `${ADDRESSES[HOMESERVER]}:443`,
        },
      });
      expectEnforced(page, before);
    } finally {
      box.setHosts(hosts);
    }
  }),
);
