import { scanText } from '../../policies/secrets/secret-scan';
import { POSTGRES_INITDB_ARGS, postgresServerArgs, renderPgHba } from '../../render/postgres';
import { renderRedisConf } from '../../render/redis';

describe('PostgreSQL', () => {
  const args = postgresServerArgs({ configDirectory: '/config', tlsDirectory: '/tls' });
  const settings = Object.fromEntries(
    args.filter((_, index) => args[index - 1] === '-c').map((pair) => pair.split('=') as [string, string]),
  );

  it.each([
    ['ssl', 'on'],
    ['ssl_min_protocol_version', 'TLSv1.2'],
    ['ssl_cert_file', '/tls/tls.crt'],
    ['ssl_key_file', '/tls/tls.key'],
    ['password_encryption', 'scram-sha-256'],
    ['hba_file', '/config/pg_hba.conf'],
    ['log_connections', 'on'],
  ])('sets %s = %s', (key, value) => {
    expect(settings[key]).toBe(value);
  });

  it('accepts TCP only over TLS, only for the synapse role and database, with SCRAM', () => {
    const rules = renderPgHba()
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(/\s+/));
    expect(
      rules
        .filter((rule) => rule[0] !== 'local')
        .every((rule) => rule[0] === 'hostssl' && rule[1] === 'synapse' && rule[2] === 'synapse' && rule[4] === 'scram-sha-256'),
    ).toBe(true);
    expect(rules.some((rule) => rule.includes('trust') || rule.includes('md5') || rule.includes('password'))).toBe(false);
  });

  it('initialises the cluster with C collation and ctype, as Synapse requires', () => {
    expect(POSTGRES_INITDB_ARGS).toContain('--locale=C');
    expect(POSTGRES_INITDB_ARGS).toContain('--encoding=UTF8');
  });
});

describe('Redis', () => {
  const conf = renderRedisConf('/secrets/redis/users.acl', 192);
  it('authenticates through a mounted ACL file and persists nothing', () => {
    expect(conf).toContain('aclfile /secrets/redis/users.acl');
    expect(conf).toContain('protected-mode yes');
    expect(conf).toContain('appendonly no');
    expect(conf).toContain('save ""');
    expect(conf).not.toMatch(/requirepass|masterauth/);
  });
  it('holds no secret', () => {
    expect(scanText(conf, 'redis.conf')).toEqual([]);
    expect(scanText(renderPgHba(), 'pg_hba.conf')).toEqual([]);
  });
});
