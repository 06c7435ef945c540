import { loadDeploymentConfig } from '../../model/load-config';
import { mebibytes } from '../../model/quantities';
import { deriveLimitRange, deriveQuota, workloadQuota, workloadServices } from '../../model/quotas';
import { workloadsIn } from '../../workloads/catalogue';
import { databaseQuota } from '../../workloads/postgres-database';

const config = loadDeploymentConfig();

describe('quota and limit range derivation', () => {
  it('sizes the homeserver quota from its workloads with room for one rollout', () => {
    const homeserver = config.homeservers[0]!;
    const database = databaseQuota(homeserver);
    const quota = deriveQuota([...workloadsIn(config, homeserver, 'homeserver').map(workloadQuota), database.input], {
      loadBalancers: 0,
      nodePorts: 0,
    });
    // synapse 1 + sync workers 2 + client readers 2 + event persister 1 + redis 1 + 3 PostgreSQL instances
    // (PostgreSQL and the backup sidecar each), doubled
    expect(quota.hard).toMatchObject({
      pods: '20',
      'requests.cpu': '5800m',
      'limits.memory': '24064Mi',
      persistentvolumeclaims: '3',
      'requests.storage': '60Gi',
      // each Synapse pod (256Mi tmp) and redis (64Mi) with 64Mi for logs each; PostgreSQL and its sidecar the default 256Mi request each
      'requests.ephemeral-storage': mebibytes((6 * 320 + 128 + 3 * 2 * 256) * 2),
      'limits.ephemeral-storage': mebibytes((6 * 320 + 128 + 3 * 2 * 512) * 2),
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  it('admits nothing in a compartment without workloads', () => {
    expect(deriveQuota([], { loadBalancers: 0, nodePorts: 0 }).hard).toMatchObject({
      pods: '0',
      'requests.cpu': '0',
      persistentvolumeclaims: '0',
      services: '0',
    });
  });

  it('counts each workload Service and a StatefulSet headless governing Service', () => {
    expect(workloadServices([{ kind: 'Deployment' }, { kind: 'StatefulSet' }])).toBe(3);
  });

  it('caps containers at the largest declared limit and claims at the largest volume', () => {
    const limits = deriveLimitRange(workloadsIn(config, config.homeservers[0]!, 'media').map(workloadQuota));
    // The media worker's disk-backed tmp (512Mi) and 64Mi for logs.
    expect(limits.container.max).toEqual({ cpu: '1', memory: '1Gi', 'ephemeral-storage': '576Mi' });
    expect(limits.persistentVolumeClaimMaxStorage).toBe('50Gi');
  });
});
