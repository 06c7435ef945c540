import { scanText } from '../../policies/secrets/secret-scan';
import { pgHbaRules, POSTGRES_INITDB, postgresParameters } from '../../render/postgres';
import { renderRedisConf } from '../../render/redis';

describe('PostgreSQL', () => {
  const parameters = postgresParameters();

  it.each([
    ['ssl_min_protocol_version', 'TLSv1.3'],
    ['password_encryption', 'scram-sha-256'],
    ['log_connections', 'on'],
    ['log_disconnections', 'on'],
  ])('sets %s = %s', (key, value) => {
    expect(parameters[key]).toBe(value);
  });

  it('sets none of the parameters the operator manages (it refuses them)', () => {
    const managed = [
      'ssl',
      'ssl_cert_file',
      'ssl_key_file',
      'ssl_ca_file',
      'hba_file',
      'listen_addresses',
      'port',
      'unix_socket_directories',
    ];
    expect(Object.keys(parameters).filter((key) => managed.includes(key))).toEqual([]);
  });

  it("admits TCP only over TLS, only each role to its own database (Synapse's, the identity provider's), with SCRAM, and rejects everything else before the operator catch-all", () => {
    const rules = pgHbaRules().map((line) => line.split(/\s+/));
    expect(rules).toEqual([
      ['hostssl', 'synapse', 'synapse', 'all', 'scram-sha-256'],
      ['hostssl', 'keycloak', 'keycloak', 'all', 'scram-sha-256'],
      ['host', 'all', 'all', 'all', 'reject'],
    ]);
    expect(rules.some((rule) => rule.includes('trust') || rule.includes('md5') || rule.includes('password'))).toBe(false);
  });

  it('initialises the cluster with C collation and ctype, as Synapse requires', () => {
    expect(POSTGRES_INITDB).toEqual({ encoding: 'UTF8', localeCollate: 'C', localeCType: 'C' });
  });
});

describe('Redis', () => {
  const conf = renderRedisConf(
    {
      aclFile: '/secrets/redis/users.acl',
      certificateFile: '/secrets/tls/tls.crt',
      keyFile: '/secrets/tls/tls.key',
      caFile: '/trust/ca.crt',
    },
    192,
  );
  it('listens on TLS only and requires a client certificate of the internal CA', () => {
    expect(conf).toContain('port 0\n');
    expect(conf).toContain('tls-port 6379');
    expect(conf).toContain('tls-auth-clients yes');
    expect(conf).toContain('tls-ca-cert-file /trust/ca.crt');
  });
  it('authenticates through a mounted ACL file and persists nothing', () => {
    expect(conf).toContain('aclfile /secrets/redis/users.acl');
    expect(conf).toContain('protected-mode yes');
    expect(conf).toContain('appendonly no');
    expect(conf).toContain('save ""');
    expect(conf).not.toMatch(/requirepass|masterauth/);
  });
  it('holds no secret', () => {
    expect(scanText(conf, 'redis.conf')).toEqual([]);
    expect(scanText(pgHbaRules().join('\n'), 'pg_hba.conf')).toEqual([]);
  });
});
