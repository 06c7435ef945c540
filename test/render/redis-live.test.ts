/** The rendered redis.conf and ACL, enforced by a real redis-server (Debian) on loopback. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRedisConf } from '../../render/redis';
import { redisAclLine } from '../../render/redis-acl';
import { freePort, tempDirectory } from '../support/slapd';

jest.setTimeout(60_000);

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const password = randomBytes(24).toString('base64url');
let server: ChildProcess | undefined;
let port = 0;
let dataDirectory = '';

function cli(args: string[], auth: string | null = password): string {
  const result = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...(auth ? ['-a', auth] : []), ...args], { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout}${result.stderr}`.trim();
}

beforeAll(async () => {
  for (const tool of [REDIS_SERVER, REDIS_CLI]) if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: install Debian's redis-server (apt-get install redis-server)`);
  const directory = tempDirectory('redis-');
  dataDirectory = directory;
  const aclFile = path.join(directory, 'users.acl');
  fs.writeFileSync(aclFile, `${redisAclLine(createHash('sha256').update(password).digest('hex'))}\n`);
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
  it.each([['CONFIG', 'GET', 'requirepass'], ['KEYS', '*'], ['FLUSHALL'], ['DEBUG', 'SLEEP', '0'], ['ACL', 'LIST']])('refuses the dangerous command %s', (...command) => {
    expect(cli(command)).toMatch(/NOPERM|not allowed/);
  });
  it('persists nothing to its data directory', () => {
    expect(cli(['SET', 'persisted?', 'no'])).toBe('OK');
    expect(fs.readdirSync(dataDirectory).filter((name) => /\.(rdb|aof)$|appendonly/.test(name))).toEqual([]);
  });
});
