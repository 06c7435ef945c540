/**
 * The rendered redis.conf and ACL, enforced by a real redis-server (Debian) on loopback: TLS
 * only, a client certificate of the internal CA required, then the ACL password.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { SECRET_NAMES } from '../../model/secrets';
import { renderRedisConf } from '../../render/redis';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { deliveredFiles, valuesFor } from '../support/delivered-secrets';
import { esoTemplateBinary } from '../support/eso-template';
import { freePort, tempDirectory } from '../support/slapd';
import { issueClientCertificate, issueServerCertificate, testCa } from '../support/test-ca';

// The first run builds ESO's template engine from Go modules (minutes); later runs reuse it.
jest.setTimeout(30 * 60_000);

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
let password = '';
let redis: ChildProcess | undefined;
let port = 0;
let dataDirectory = '';
/** TLS options of a client: the internal CA, and a client certificate (of that CA, or of another). */
let tls: { ca: string; certificate: string; key: string; foreignCertificate: string; foreignKey: string } | undefined;

type Transport = 'tls' | 'plaintext' | 'tls-without-certificate' | 'tls-foreign-certificate';

function cli(args: string[], auth: string | null = password, transport: Transport = 'tls'): string {
  if (!tls) throw new Error('no test CA');
  const tlsArgs: Record<Transport, string[]> = {
    tls: ['--tls', '--cacert', tls.ca, '--cert', tls.certificate, '--key', tls.key],
    plaintext: [],
    'tls-without-certificate': ['--tls', '--cacert', tls.ca],
    'tls-foreign-certificate': ['--tls', '--cacert', tls.ca, '--cert', tls.foreignCertificate, '--key', tls.foreignKey],
  };
  const result = spawnSync(
    REDIS_CLI,
    ['-h', '127.0.0.1', '-p', String(port), ...tlsArgs[transport], '--no-auth-warning', ...(auth ? ['-a', auth] : []), ...args],
    { encoding: 'utf8', timeout: 10_000 },
  );
  return `${result.stdout}${result.stderr}`.trim();
}

beforeAll(async () => {
  for (const tool of [REDIS_SERVER, REDIS_CLI])
    if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: install Debian's redis-server (apt-get install redis-server)`);
  const directory = tempDirectory('redis-');
  dataDirectory = directory;
  esoTemplateBinary();
  // The redis-auth Secret as External Secrets renders it: the password, and an ACL holding only its SHA-256.
  const declaration = homeserverSecretDeclarations(loadDeploymentConfig().homeservers[0]!).find(
    (secret) => secret.name === SECRET_NAMES.redis,
  );
  if (!declaration) throw new Error('no redis-auth declaration');
  const files = deliveredFiles(declaration, valuesFor(declaration));
  password = files.password ?? '';
  const aclFile = path.join(directory, 'users.acl');
  fs.writeFileSync(aclFile, files['users.acl'] ?? '');
  // The internal CA, Redis's server certificate and a Synapse process's (server and client usage), and a stranger's.
  for (const name of ['ca', 'server', 'client', 'stranger-ca', 'foreign']) fs.mkdirSync(path.join(directory, name));
  const ca = testCa(path.join(directory, 'ca'), 'internal-ca');
  const server = issueServerCertificate(ca, '127.0.0.1', path.join(directory, 'server'));
  const client = issueServerCertificate(ca, 'synapse.agency-homeserver.svc', path.join(directory, 'client'), { alsoClient: true });
  const stranger = testCa(path.join(directory, 'stranger-ca'), 'stranger-ca');
  const foreign = issueClientCertificate(stranger, 'synapse', path.join(directory, 'foreign'));
  tls = {
    ca: ca.certificate,
    certificate: client.certificate,
    key: client.key,
    foreignCertificate: foreign.certificate,
    foreignKey: foreign.key,
  };
  fs.writeFileSync(
    path.join(directory, 'redis.conf'),
    renderRedisConf({ aclFile, certificateFile: server.certificate, keyFile: server.key, caFile: ca.certificate }, 64, directory),
  );
  port = await freePort();
  // Only what a pod provides differently is overridden: loopback address and a free port.
  redis = spawn(REDIS_SERVER, [path.join(directory, 'redis.conf'), '--tls-port', String(port), '--bind', '127.0.0.1'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (!cli(['PING']).includes('PONG')) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(() => {
  redis?.kill('SIGTERM');
});

describe('Redis as rendered', () => {
  it('holds only the hash of the delivered password in its ACL file', () => {
    const acl = fs.readFileSync(path.join(dataDirectory, 'users.acl'), 'utf8');
    expect(acl).toMatch(/^user default on #[0-9a-f]{64} /);
    expect(acl).not.toContain(password);
  });
  it('has no plaintext listener: a client without TLS gets no answer', () => {
    expect(cli(['PING'], password, 'plaintext')).not.toContain('PONG');
  });
  it.each([['tls-without-certificate'], ['tls-foreign-certificate']] as const)(
    'refuses a TLS client whose certificate is not of the internal CA (%s), even with the password',
    (transport) => {
      expect(cli(['PING'], password, transport)).not.toContain('PONG');
    },
  );
  it('refuses unauthenticated clients', () => {
    expect(cli(['PING'], null)).toMatch(/NOAUTH/);
  });
  it('refuses a wrong password', () => {
    expect(cli(['PING'], 'wrong-password')).toMatch(/WRONGPASS|invalid username-password/);
  });
  it('serves what Synapse uses (pub/sub, keys with expiry) to the authenticated client', () => {
    expect(cli(['PUBLISH', 'replication', 'x'])).toBe('0');
    expect(cli(['SET', 'cache:key', 'v', 'PX', '1000'])).toBe('OK');
    expect(cli(['GET', 'cache:key'])).toBe('v');
  });
  it.each([['CONFIG', 'GET', 'requirepass'], ['KEYS', '*'], ['FLUSHALL'], ['DEBUG', 'SLEEP', '0'], ['ACL', 'LIST']])(
    'refuses the dangerous command %s',
    (...command) => {
      expect(cli(command)).toMatch(/NOPERM|not allowed/);
    },
  );
  it('persists nothing to its data directory', () => {
    expect(cli(['SET', 'persisted?', 'no'])).toBe('OK');
    expect(fs.readdirSync(dataDirectory).filter((name) => /\.(rdb|aof)$|appendonly/.test(name))).toEqual([]);
  });
});
