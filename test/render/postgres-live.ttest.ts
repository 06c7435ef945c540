/**
 * The rendered PostgreSQL settings and pg_hba, enforced by a real PostgreSQL (Debian) on
 * loopback laid out as the CloudNativePG instance manager lays it out (test/support/cnpg-instance.ts):
 * TLS 1.3 only, SCRAM, only the synapse role on the synapse database, C collation, and the
 * libpq passfile rule that makes the pod's 0600 copy step necessary.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { homeserverNamespace } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { POSTGRES_SERVICES } from '../../model/postgres';
import { SECRET_NAMES } from '../../model/secrets';
import { homeserverSecrets } from '../../workloads/secrets';
import { bootstrapPsqlArguments, initdbArguments, instanceArguments, operatorPgHba, operatorPgIdent } from '../support/cnpg-instance';
import { deliveredFiles, valuesFor } from '../support/delivered-secrets';
import { esoTemplateBinary } from '../support/eso-template';
import { giveToServer, postgresBinDirectory, runAsServer, serverUserName, startAsServer } from '../support/postgres';
import { freePort, tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa } from '../support/test-ca';

// The first run builds ESO's template engine from Go modules (minutes); later runs reuse it.
jest.setTimeout(30 * 60_000);

/** The name Synapse connects to (database.args.host), which the server certificate carries. */
const SERVICE_NAME = `${POSTGRES_SERVICES.readWrite}.${homeserverNamespace(loadDeploymentConfig().homeservers[0]!.name, 'homeserver')}.svc`;
let password = '';
let server: ChildProcess | undefined;
let port = 0;
let root = '';
let passfile = '';

function psql(connection: Record<string, string | number>, sql: string, env: Record<string, string> = {}) {
  // libpq matches the passfile and verifies the certificate against `host`, and connects to `hostaddr`.
  const conninfo = Object.entries({ host: SERVICE_NAME, hostaddr: '127.0.0.1', port, connect_timeout: 5, ...connection })
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const result = spawnSync('psql', [conninfo, '-XAtqc', sql], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, PGPASSWORD: '', ...env },
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

beforeAll(async () => {
  const bin = postgresBinDirectory();
  esoTemplateBinary();
  port = await freePort();
  root = tempDirectory('postgres-');
  // The synapse-database Secret as External Secrets renders it; only the port differs from the pod (loopback).
  const declaration = homeserverSecrets({
    inClusterDirectory: true,
    s3: false,
    storeBackups: ['directory', 'media'],
    pgpassPrefix: `${SERVICE_NAME}:${port}:synapse:synapse:`,
  }).find((secret) => secret.name === SECRET_NAMES.database);
  if (!declaration) throw new Error('no synapse-database declaration');
  const files = deliveredFiles(declaration, valuesFor(declaration));
  password = files.password ?? '';
  // The postgres-tls Secret: a certificate for the Service name from the (test) internal CA.
  const tls = path.join(root, 'tls');
  fs.mkdirSync(tls);
  const ca = testCa(tls);
  const issued = issueServerCertificate(ca, SERVICE_NAME, tls);
  fs.copyFileSync(issued.certificate, path.join(tls, 'tls.crt'));
  fs.copyFileSync(issued.key, path.join(tls, 'tls.key'));
  fs.copyFileSync(ca.certificate, path.join(tls, 'ca.crt'));
  fs.chmodSync(path.join(tls, 'tls.key'), 0o600);
  fs.writeFileSync(path.join(root, 'pg_hba.conf'), operatorPgHba());
  fs.writeFileSync(path.join(root, 'pg_ident.conf'), operatorPgIdent(serverUserName()));
  fs.mkdirSync(path.join(root, 'run'));
  giveToServer(root);
  // As the instance manager does: initdb as the superuser with the rendered locale and checksums.
  const init = runAsServer(path.join(bin, 'initdb'), initdbArguments(path.join(root, 'data')));
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  // The operator's fixed settings and the rendered parameters; only address, port and directories are loopback's.
  server = startAsServer(
    path.join(bin, 'postgres'),
    ['-D', path.join(root, 'data'), ...instanceArguments({ tls, config: root, socket: path.join(root, 'run'), listen: '127.0.0.1', port })],
    path.join(root, 'postgres.log'),
  );
  const deadline = Date.now() + 30_000;
  passfile = path.join(tempDirectory('pgpass-'), 'pgpass');
  // The pod's init step copies the delivered pgpass to a 0600 file.
  fs.writeFileSync(passfile, files.pgpass ?? '', { mode: 0o600 });
  for (;;) {
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
    if (ready.status === 0) break;
    if (Date.now() > deadline) throw new Error(`postgres did not start:\n${fs.readFileSync(path.join(root, 'postgres.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // As the instance manager does after initdb: the owner role with the bootstrap Secret's password, and its database (peer, over the socket).
  const created = runAsServer('psql', bootstrapPsqlArguments(path.join(root, 'run'), port, password));
  if (created.status !== 0) throw new Error(`bootstrap failed: ${created.stderr}`);
});

afterAll(() => {
  server?.kill('SIGTERM');
});

const verified = () => ({ user: 'synapse', sslmode: 'verify-full', sslrootcert: path.join(root, 'tls', 'ca.crt'), passfile });

describe('PostgreSQL as rendered', () => {
  it('accepts the synapse role over TLS verified against the internal CA and the Service name, with the delivered passfile', () => {
    expect(fs.readFileSync(passfile, 'utf8')).toBe(`${SERVICE_NAME}:${port}:synapse:synapse:${password}`);
    const result = psql({ ...verified(), dbname: 'synapse' }, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    expect(result).toEqual({ status: 0, out: 't' });
  });

  it('refuses a server name the certificate does not carry (verify-full)', () => {
    const result = psql({ ...verified(), host: 'postgres.elsewhere.svc', dbname: 'synapse' }, 'SELECT 1', { PGPASSWORD: password });
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/does not match host name|server certificate/);
  });

  it('keeps C collation and ctype, as Synapse requires', () => {
    expect(
      psql({ ...verified(), dbname: 'synapse' }, "SELECT datcollate || '/' || datctype FROM pg_database WHERE datname = 'synapse'").out,
    ).toBe('C/C');
  });

  it('refuses connections without TLS', () => {
    const result = psql({ ...verified(), sslmode: 'disable', dbname: 'synapse' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/rejects connection.*no encryption|no pg_hba.conf entry.*no encryption/);
  });

  it('refuses other databases over TCP, even for the synapse role', () => {
    const result = psql({ ...verified(), dbname: 'postgres' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/rejects connection|no pg_hba.conf entry/);
  });

  it('ignores a group-readable passfile (why the pod copies it to 0600 first)', () => {
    const loose = path.join(path.dirname(passfile), 'pgpass-loose');
    fs.writeFileSync(loose, fs.readFileSync(passfile));
    fs.chmodSync(loose, 0o640);
    const result = psql({ ...verified(), passfile: loose, dbname: 'synapse' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/group or world access/);
  });

  it('refuses TLS below 1.3', () => {
    const result = psql({ ...verified(), dbname: 'synapse', ssl_max_protocol_version: 'TLSv1.2' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
  });

  it('refuses every other role over TCP, the superuser included (the reject before the catch-all of the operator)', () => {
    const superuser = psql({ ...verified(), user: 'postgres', dbname: 'postgres' }, 'SELECT 1', { PGPASSWORD: password });
    expect(superuser.status).not.toBe(0);
    expect(superuser.out).toMatch(/rejects connection|no pg_hba.conf entry/);
  });
});
