import { IN_CLUSTER, type Exposure } from '../../constructs/exposure';
import { HardenedDeployment } from '../../constructs/hardened-deployment';
import { HardenedStatefulSet } from '../../constructs/hardened-stateful-set';
import type { LongRunningWorkload } from '../../constructs/long-running-workload';
import { loadDeploymentConfig } from '../../model/load-config';
import type { WorkloadSpec } from '../../model/workload-spec';
import { directoryWorkloads, gatewayWorkloads } from '../../workloads/catalogue';
import { homeserverWorkloads } from '../../workloads/homeserver-workloads';
import { onlyResource, resourcesOf, synthResources, type Resources } from './synth-scope';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const [synapse] = homeserverWorkloads(config, homeserver);
const [openldap] = directoryWorkloads(config, homeserver);
const [haproxy] = gatewayWorkloads(config, homeserver);

function deployment(spec: WorkloadSpec, expose: (workload: LongRunningWorkload) => void): Resources {
  return synthResources((scope) => {
    const workload = new HardenedDeployment(scope, spec.name, {
      namespace: 'agency-gateway',
      compartmentLabels: {},
      spec,
      allowedRegistries: config.images.pullRegistries,
    });
    expose(workload);
  });
}

describe('expose() gives a workload exactly one Service, on its service ports only', () => {
  it.each<[string, WorkloadSpec, Exposure | undefined, Record<string, unknown>]>([
    [
      'in-cluster by default',
      synapse!,
      undefined,
      { type: 'ClusterIP', external_traffic_policy: undefined, load_balancer_source_ranges: undefined },
    ],
    ['in-cluster', synapse!, IN_CLUSTER, { type: 'ClusterIP', external_traffic_policy: undefined, load_balancer_source_ranges: undefined }],
    [
      'the public entry point through a load balancer, from its source ranges, keeping client addresses',
      haproxy!,
      { reachableFrom: 'outside', through: 'LoadBalancer', sourceRanges: ['203.0.113.0/24'] },
      { type: 'LoadBalancer', external_traffic_policy: 'Local', load_balancer_source_ranges: ['203.0.113.0/24'] },
    ],
    [
      'the public entry point through node ports (ranges enforced by the network policy)',
      haproxy!,
      { reachableFrom: 'outside', through: 'NodePort', sourceRanges: ['203.0.113.0/24'] },
      { type: 'NodePort', external_traffic_policy: 'Local', load_balancer_source_ranges: [] },
    ],
  ])('%s', (_name, spec, exposure, expected) => {
    const resources = deployment(spec, (workload) => workload.expose(exposure));
    const service = onlyResource(resources, 'kubernetes_service_v1');
    expect(service.spec).toMatchObject({
      selector: { 'matrix.sovereign/workload': spec.name },
      publish_not_ready_addresses: false,
      session_affinity: 'None',
    });
    for (const [key, value] of Object.entries(expected)) expect([key, service.spec[key]]).toEqual([key, value]);
    const declared = spec.ports
      .filter((port) => port.servicePort !== undefined)
      .map((port) => ({ name: port.name, port: port.servicePort, target_port: port.name, protocol: 'TCP' }));
    expect(service.spec.port).toEqual(declared);
    expect(service.wait_for_load_balancer).toBe(false);
  });

  it('leaves ports without a service port (metrics) off the Service', () => {
    const service = onlyResource(
      deployment(synapse!, (workload) => workload.expose()),
      'kubernetes_service_v1',
    );
    expect(service.spec.port.map((port: { name: string }) => port.name)).toEqual(['http', 'replication']);
  });

  it('returns the Service and keeps it on the workload', () => {
    synthResources((scope) => {
      const workload = new HardenedStatefulSet(scope, 'openldap', {
        namespace: 'agency-directory',
        compartmentLabels: {},
        spec: openldap!,
        allowedRegistries: config.images.pullRegistries,
        storageClassName: 'encrypted-retain',
      });
      expect(workload.service).toBeUndefined();
      const service = workload.expose();
      expect(workload.service).toBe(service);
    });
  });

  it('writes no Service for a workload never exposed', () => {
    expect(
      resourcesOf(
        deployment(synapse!, () => undefined),
        'kubernetes_service_v1',
      ),
    ).toEqual([]);
  });

  it.each<[string, WorkloadSpec, (workload: LongRunningWorkload) => void, RegExp]>([
    ['twice', synapse!, (workload) => [workload.expose(), workload.expose()], /"synapse" is already exposed; a workload has one Service/],
    [
      'in-cluster and publicly',
      haproxy!,
      (workload) => [workload.expose(), workload.expose({ reachableFrom: 'outside', through: 'LoadBalancer', sourceRanges: [] })],
      /already exposed/,
    ],
    [
      'with no service port',
      { ...synapse!, ports: [{ name: 'metrics', containerPort: 9000, protocol: 'TCP' }] },
      (workload) => workload.expose(),
      /no port with a service port: nothing to expose/,
    ],
  ])('refuses to expose a workload %s', (_name, spec, expose, message) => {
    expect(() => deployment(spec, expose)).toThrow(message);
  });
});
