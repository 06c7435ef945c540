/**
 * The engine proof's chart repository: serves a directory of packaged charts and their
 * index.yaml over HTTPS (certificate from the tier's repository CA), read-only, GET and HEAD
 * only, no listing, and logs every request (the tests check which charts were fetched).
 * Usage: node chart-repository.cjs <directory> <certificate> <key> <host> <port>
 */
'use strict';
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

const [directory, certificate, key, host, port] = process.argv.slice(2);
if (!directory || !certificate || !key || !host || !port) {
  process.stderr.write('usage: chart-repository.cjs <directory> <certificate> <key> <host> <port>\n');
  process.exit(2);
}

const TYPES = { '.yaml': 'application/yaml', '.tgz': 'application/gzip', '.prov': 'text/plain' };

const server = https.createServer(
  { cert: fs.readFileSync(certificate), key: fs.readFileSync(key), minVersion: 'TLSv1.2' },
  (request, response) => {
    const name = decodeURIComponent((request.url || '/').split('?')[0]).replace(/^\/+/, '');
    const file = path.join(directory, name);
    const allowed =
      (request.method === 'GET' || request.method === 'HEAD') &&
      /^[A-Za-z0-9._-]+$/.test(name) &&
      fs.existsSync(file) &&
      fs.statSync(file).isFile();
    process.stdout.write(`${new Date().toISOString()} ${request.method} /${name} ${allowed ? 200 : 404}\n`);
    if (!allowed) {
      response.writeHead(404).end();
      return;
    }
    const content = fs.readFileSync(file);
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] || 'application/octet-stream', 'Content-Length': content.length });
    response.end(request.method === 'HEAD' ? undefined : content);
  },
);
server.listen(Number(port), host, () => process.stdout.write(`listening on https://${host}:${port}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
