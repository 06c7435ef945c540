import { loadDeploymentConfig } from '../../model/load-config';
import { deriveLimitRange, deriveQuota } from '../../model/quotas';
import { workloadsIn } from '../../workloads/catalogue';

const config = loadDeploymentConfig();

describe('quota and limit range derivation', () => {
  it('sizes the homeserver quota from its workloads with room for one rollout', () => {
    const quota = deriveQuota(workloadsIn(config, config.homeservers[0]!, 'homeserver'), { loadBalancers: 0, nodePorts: 0 });
    // synapse 1 + postgres 1 + redis 1 replicas, doubled
    expect(quota.hard).toMatchObject({
      pods: '6',
      'requests.cpu': '1700m',
      'limits.memory': '6656Mi',
      persistentvolumeclaims: '1',
      'requests.storage': '20Gi',
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

  it('caps containers at the largest declared limit and claims at the largest volume', () => {
    const limits = deriveLimitRange(workloadsIn(config, config.homeservers[0]!, 'media'));
    expect(limits.container.max).toEqual({ cpu: '1', memory: '1Gi' });
    expect(limits.persistentVolumeClaimMaxStorage).toBe('50Gi');
  });
});
