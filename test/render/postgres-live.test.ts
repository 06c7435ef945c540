/**
 * The rendered PostgreSQL settings and pg_hba, enforced by a real PostgreSQL (Debian) on
 * loopback: TLS only, SCRAM, only the synapse role on the synapse database, C collation,
 * and the libpq passfile rule that makes the pod's 0600 copy step necessary.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { POSTGRES_INITDB_ARGS, postgresServerArgs, renderPgHba } from '../../render/postgres';
import { giveToServer, postgresBinDirectory, runAsServer, startAsServer } from '../support/postgres';
import { freePort, selfSignedCertificate, tempDirectory } from '../support/slapd';

jest.setTimeout(120_000);

const password = randomBytes(24).toString('base64url');
let server: ChildProcess | undefined;
let port = 0;
let root = '';
let passfile = '';

function psql(connection: Record<string, string | number>, sql: string, env: Record<string, string> = {}) {
  const conninfo = Object.entries({ host: '127.0.0.1', port, connect_timeout: 5, ...connection }).map(([key, value]) => `${key}=${value}`).join(' ');
  const result = spawnSync('psql', [conninfo, '-XAtqc', sql], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, PGPASSWORD: '', ...env } });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

beforeAll(async () => {
  const bin = postgresBinDirectory();
  root = tempDirectory('postgres-');
  const tls = path.join(root, 'tls');
  selfSignedCertificate(tls, '127.0.0.1');
  fs.chmodSync(path.join(tls, 'tls.key'), 0o600);
  fs.writeFileSync(path.join(root, 'pg_hba.conf'), renderPgHba());
  fs.writeFileSync(path.join(root, 'pwfile'), `${password}\n`);
  fs.mkdirSync(path.join(root, 'run'));
  giveToServer(root);
  // As the image's entrypoint does: initdb with the role, its password and POSTGRES_INITDB_ARGS.
  const init = runAsServer(path.join(bin, 'initdb'), ['-D', path.join(root, 'data'), '--username=synapse', `--pwfile=${path.join(root, 'pwfile')}`, ...POSTGRES_INITDB_ARGS.split(' ')]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  port = await freePort();
  // The rendered arguments, then only what differs on loopback: address, port, socket directory.
  const args = postgresServerArgs({ configDirectory: root, tlsDirectory: tls }).slice(1);
  server = startAsServer(path.join(bin, 'postgres'), ['-D', path.join(root, 'data'), ...args, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${path.join(root, 'run')}`], path.join(root, 'postgres.log'));
  const deadline = Date.now() + 30_000;
  passfile = path.join(tempDirectory('pgpass-'), 'pgpass');
  fs.writeFileSync(passfile, `*:*:*:synapse:${password}\n`, { mode: 0o600 });
  for (;;) {
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
    if (ready.status === 0) break;
    if (Date.now() > deadline) throw new Error(`postgres did not start:\n${fs.readFileSync(path.join(root, 'postgres.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // As the entrypoint does for POSTGRES_DB: over the local socket (SCRAM), the only non-TLS path.
  const created = psql({ host: path.join(root, 'run'), dbname: 'postgres', user: 'synapse' }, 'CREATE DATABASE synapse', { PGPASSWORD: password });
  if (created.status !== 0) throw new Error(`CREATE DATABASE failed: ${created.out}`);
});

afterAll(() => {
  server?.kill('SIGTERM');
});

const verified = () => ({ user: 'synapse', sslmode: 'verify-full', sslrootcert: path.join(root, 'tls', 'ca.crt'), passfile });

describe('PostgreSQL as rendered', () => {
  it('accepts the synapse role over verified TLS with a 0600 passfile', () => {
    const result = psql({ ...verified(), dbname: 'synapse' }, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    expect(result).toEqual({ status: 0, out: 't' });
  });

  it('keeps C collation and ctype, as Synapse requires', () => {
    expect(psql({ ...verified(), dbname: 'synapse' }, "SELECT datcollate || '/' || datctype FROM pg_database WHERE datname = 'synapse'").out).toBe('C/C');
  });

  it('refuses connections without TLS', () => {
    const result = psql({ ...verified(), sslmode: 'disable', dbname: 'synapse' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/no pg_hba.conf entry.*no encryption/);
  });

  it('refuses other databases over TCP, even for the synapse role', () => {
    const result = psql({ ...verified(), dbname: 'postgres' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/no pg_hba.conf entry/);
  });

  it('ignores a group-readable passfile (why the pod copies it to 0600 first)', () => {
    const loose = path.join(path.dirname(passfile), 'pgpass-loose');
    fs.writeFileSync(loose, fs.readFileSync(passfile));
    fs.chmodSync(loose, 0o640);
    const result = psql({ ...verified(), passfile: loose, dbname: 'synapse' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/group or world access/);
  });

  it('refuses TLS below 1.2', () => {
    const result = psql({ ...verified(), dbname: 'synapse', ssl_max_protocol_version: 'TLSv1.1' }, 'SELECT 1');
    expect(result.status).not.toBe(0);
  });
});
