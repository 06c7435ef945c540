import { pgHbaRules, postgresParameters } from '../../../render/postgres';
import { instanceHba, instanceSettings, operatorSettings, primaryConninfo, type InstanceSpec } from './postgres-instance';

const spec: InstanceSpec = {
  name: 'postgres-2',
  address: '127.0.10.8',
  root: '/run/drill/postgres-2',
  serviceName: 'postgres-rw.agency-homeserver.svc',
  ca: { certificate: '/ca.crt', key: '/ca.key' },
  archiveCommand: 'archive %p',
  restoreCommand: 'restore %f %p',
  env: {},
};

describe('a Cluster instance on loopback', () => {
  it("never lets the project's parameters touch a setting the operator owns", () => {
    const owned = Object.keys(operatorSettings(spec));
    expect(Object.keys(postgresParameters()).filter((key) => owned.includes(key))).toEqual([]);
  });

  it.each([
    ['a primary with a standby', { kind: 'primary', synchronousStandbys: ['postgres-2'] } as const, 'ANY 1 ("postgres-2")', ''],
    ['a primary alone', { kind: 'primary', synchronousStandbys: [] } as const, '', ''],
    ['a standby', { kind: 'standby' } as const, '', primaryConninfo(spec)],
  ])('%s: synchronous standbys and the replication connection', (_what, role, synchronous, conninfo) => {
    const settings = instanceSettings(spec, role);
    expect({ synchronous: settings.synchronous_standby_names, conninfo: settings.primary_conninfo }).toEqual({ synchronous, conninfo });
    for (const [key, value] of Object.entries(postgresParameters())) expect(settings[key]).toBe(value);
  });

  it('replicates through the -rw name, verified both ways', () => {
    expect(primaryConninfo(spec)).toContain('host=postgres-rw.agency-homeserver.svc');
    expect(primaryConninfo(spec)).toContain('sslmode=verify-full');
    expect(primaryConninfo(spec)).toContain('sslcert=/run/drill/postgres-2/tls/streaming_replica.crt');
  });

  it("puts the project's pg_hba rules after the operator's fixed ones and before its catch-all", () => {
    const lines = instanceHba().trim().split('\n');
    expect(lines.slice(3, -1)).toEqual(pgHbaRules());
    expect(lines.at(-1)).toBe('host all all all scram-sha-256');
  });
});
