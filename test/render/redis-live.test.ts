/** The rendered redis.conf and ACL, enforced by a real redis-server (Debian) on loopback. */
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

// The first run builds ESO's template engine from Go modules (minutes); later runs reuse it.
jest.setTimeout(30 * 60_000);

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
let password = '';
let server: ChildProcess | undefined;
let port = 0;
let dataDirectory = '';

function cli(args: string[], auth: string | null = password): string {
  const result = spawnSync(
    REDIS_CLI,
    ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...(auth ? ['-a', auth] : []), ...args],
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
  fs.writeFileSync(path.join(directory, 'redis.conf'), renderRedisConf(aclFile, 64, directory));
  port = await freePort();
  // Only what a pod provides differently is overridden: loopback address and a free port.
  server = spawn(REDIS_SERVER, [path.join(directory, 'redis.conf'), '--port', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!cli(['PING']).includes('PONG')) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('Redis as rendered', () => {
  it('holds only the hash of the delivered password in its ACL file', () => {
    const acl = fs.readFileSync(path.join(dataDirectory, 'users.acl'), 'utf8');
    expect(acl).toMatch(/^user default on #[0-9a-f]{64} /);
    expect(acl).not.toContain(password);
  });
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
