/**
 * The engine proof's door into its network namespace. It runs inside the namespace and
 * listens on two Unix sockets in the tier's directory, which the test process (outside the
 * namespace) can open:
 *   - api.sock: a byte pipe to the API server (TLS passes through untouched, so the client
 *     still verifies the server certificate against the cluster CA);
 *   - agent.sock: HTTP, `POST /probe` with a kubelet-style probe ({ kind: 'http' | 'tcp',
 *     host, port, path, scheme, headers, timeoutMs }) answered with { ok, detail }, because
 *     the pods' addresses are reachable only from inside.
 * Usage: node tier-agent.cjs <directory> <api host> <api port>
 */
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');

const [directory, apiHost, apiPort] = process.argv.slice(2);
if (!directory || !apiHost || !apiPort) {
  process.stderr.write('usage: tier-agent.cjs <directory> <api host> <api port>\n');
  process.exit(2);
}

function listen(server, socketPath) {
  fs.rmSync(socketPath, { force: true });
  server.listen(socketPath, () => fs.chmodSync(socketPath, 0o600));
}

const pipe = net.createServer((client) => {
  const upstream = net.connect(Number(apiPort), apiHost);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
});
listen(pipe, path.join(directory, 'api.sock'));

/** One probe, as the kubelet runs it: any 2xx/3xx answer (HTTP) or an accepted connection (TCP) is success. */
function probe(spec) {
  return new Promise((resolve) => {
    const timeout = spec.timeoutMs || 1000;
    if (spec.kind === 'tcp') {
      const socket = net.connect({ host: spec.host, port: spec.port, timeout });
      socket.once('connect', () => {
        socket.destroy();
        resolve({ ok: true, detail: 'connected' });
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve({ ok: false, detail: 'timeout' });
      });
      socket.once('error', (error) => resolve({ ok: false, detail: error.code || error.message }));
      return;
    }
    const client = spec.scheme === 'HTTPS' ? https : http;
    const headers = { 'User-Agent': 'kube-probe/engine-proof', ...(spec.headers || {}) };
    // The kubelet does not verify certificates of HTTPS probes.
    const request = client.request(
      { host: spec.host, port: spec.port, path: spec.path || '/', method: 'GET', headers, timeout, rejectUnauthorized: false },
      (response) => {
        response.resume();
        const status = response.statusCode || 0;
        resolve({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
      },
    );
    request.once('timeout', () => {
      request.destroy();
      resolve({ ok: false, detail: 'timeout' });
    });
    request.once('error', (error) => resolve({ ok: false, detail: error.code || error.message }));
    request.end();
  });
}

const agent = http.createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', async () => {
    if (request.method !== 'POST' || request.url !== '/probe') {
      response.writeHead(404).end();
      return;
    }
    let spec;
    try {
      spec = JSON.parse(body);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const result = await probe(spec);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
  });
});
listen(agent, path.join(directory, 'agent.sock'));

process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
