/**
 * The Synapse renderer's parts that need no Python: the LDAP admission filter (RFC 4515 escaping)
 * and the Synapse workloads' command lines. The rendered YAML read back with PyYAML (Synapse's own
 * parser) and the admission patterns under Python's `re` are in synapse-config.ttest.ts
 * (npm run test:tools).
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { admissionFilter, escapeLdapFilterValue } from '../../render/ldap-filter';
import { homeserverWorkloads, mediaWorkloads } from '../../workloads/homeserver-workloads';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const ministry = fleet.homeservers[0]!;

describe('LDAP admission filter', () => {
  it('escapes filter metacharacters per RFC 4515', () => {
    expect(escapeLdapFilterValue('a*b(c)d\\e\0')).toBe('a\\2ab\\28c\\29d\\5ce\\00');
  });
  it('requires the admission group and one of the allowed mail domains', () => {
    expect(admissionFilter(fleet.homeservers[1]!.directory, fleet.homeservers[1]!.allowedEmailDomains)).toBe(
      '(&(objectClass=inetOrgPerson)(memberOf=cn=matrix-users,ou=groups,dc=agency,dc=example,dc=org)(|(mail=*@agency.example.org)(mail=*@staff.agency.example.org)))',
    );
  });
});

describe('Synapse workloads', () => {
  it('start every Synapse process with --no-secrets-in-config', () => {
    const processes = [...homeserverWorkloads(fleet, ministry), ...mediaWorkloads(fleet, ministry)].filter(
      (w) => w.image === fleet.images.effective.synapse,
    );
    expect(processes.map((w) => w.name)).toEqual([
      'synapse',
      'sync-workers',
      'client-readers',
      'federation-readers',
      'event-persister-1',
      'federation-sender',
      'media-repository',
    ]);
    for (const workload of processes) expect(workload.command?.at(-1)).toBe('--no-secrets-in-config');
    // Every process trusts the internal CA for replication, and mounts its compartment's certificate for Redis.
    for (const workload of processes) {
      expect(workload.env?.SSL_CERT_FILE).toBe('/trust/ca.crt');
      expect(workload.secretMounts?.map((mount) => mount.secretName)).toContain(
        workload.compartment === 'media' ? 'media-tls' : 'synapse-tls',
      );
    }
    // A pool pod names its worker after itself; the named instances keep the name in worker.yaml.
    const pool = processes.find((w) => w.name === 'sync-workers');
    expect(pool?.command).toContain('/run/worker/identity.yaml');
    expect(pool?.initSteps?.map((step) => step.name)).toEqual(['pgpass', 'worker-name']);
    expect(processes.find((w) => w.name === 'event-persister-1')?.command).not.toContain('/run/worker/identity.yaml');
  });
});
