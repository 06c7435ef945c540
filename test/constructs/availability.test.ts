/**
 * What every long-running workload gets for availability: a disruption budget that lets a
 * drain take one pod at a time, its pods spread over nodes when there are several, distinct
 * readiness and liveness probes, local disk sized from its scratch directories, a StatefulSet's
 * headless governing Service, and a singleton's reason on its controller.
 */
import type { Construct } from 'constructs';
import { HardenedDeployment } from '../../constructs/hardened-deployment';
import type { AnyWorkloadSpec } from '../../constructs/hardened-pod-template';
import { HardenedStatefulSet } from '../../constructs/hardened-stateful-set';
import { SINGLETON_ANNOTATION } from '../../model/availability';
import { loadDeploymentConfig } from '../../model/load-config';
import { directoryWorkloads, gatewayWorkloads } from '../../workloads/catalogue';
import { homeserverWorkloads } from '../../workloads/homeserver-workloads';
import { identityWorkloads } from '../../workloads/identity-workloads';
import { onlyResource, resourcesOf, synthResources, type Resources } from './synth-scope';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const [synapse] = homeserverWorkloads(config, homeserver);
const [openldap] = directoryWorkloads(config, homeserver);
const [haproxy] = gatewayWorkloads(config, homeserver);
const [keycloak] = identityWorkloads(config, homeserver);
const site = { namespace: 'agency-homeserver', allowedRegistries: config.images.pullRegistries, storageClassName: 'encrypted-retain' };

function synth(spec: AnyWorkloadSpec, expose = false): Resources {
  return synthResources((scope: Construct) => {
    const props = { ...site, compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment }, spec };
    const workload =
      spec.kind === 'StatefulSet' ? new HardenedStatefulSet(scope, spec.name, props) : new HardenedDeployment(scope, spec.name, props);
    if (expose) workload.expose();
  });
}

function controllerOf(resources: Resources): ReturnType<typeof onlyResource> {
  return resourcesOf(resources, 'kubernetes_deployment_v1')[0] ?? onlyResource(resources, 'kubernetes_stateful_set_v1');
}

describe('disruption budget', () => {
  it.each([
    ['a singleton (a drain may still evict it)', synapse!],
    ['a workload of two pods', haproxy!],
    ['a StatefulSet', openldap!],
  ])('lets a drain take one pod of %s at a time, selecting exactly its pods', (_name, spec) => {
    const resources = synth(spec);
    const budget = onlyResource(resources, 'kubernetes_pod_disruption_budget_v1');
    expect(budget.spec).toEqual({ max_unavailable: '1', selector: { match_labels: { 'matrix.sovereign/workload': spec.name } } });
    expect(budget.spec.selector.match_labels).toEqual(controllerOf(resources).spec.selector.match_labels);
    expect(budget.metadata).toMatchObject({ name: spec.name, namespace: site.namespace });
  });
});

describe('topology spread', () => {
  it('spreads two or more pods one per node (DoNotSchedule) and over zones where there are zones (ScheduleAnyway)', () => {
    const pod = controllerOf(synth(haproxy!)).spec.template.spec;
    const common = {
      max_skew: 1,
      label_selector: [{ match_labels: { 'matrix.sovereign/workload': 'haproxy' } }],
      node_taints_policy: 'Honor',
      node_affinity_policy: 'Honor',
    };
    expect(pod.topology_spread_constraint).toEqual([
      { ...common, topology_key: 'kubernetes.io/hostname', when_unsatisfiable: 'DoNotSchedule' },
      { ...common, topology_key: 'topology.kubernetes.io/zone', when_unsatisfiable: 'ScheduleAnyway' },
    ]);
  });

  it('writes none for a single pod', () => {
    expect(controllerOf(synth(synapse!)).spec.template.spec.topology_spread_constraint).toBeUndefined();
  });
});

describe('probes', () => {
  it('reads readiness from the declared endpoint and restarts only a process that stops accepting connections', () => {
    const container = controllerOf(synth(synapse!)).spec.template.spec.container[0];
    expect(container.readiness_probe).toMatchObject({ http_get: { path: '/health', port: 'http', scheme: 'HTTPS' }, period_seconds: 10 });
    expect(container.liveness_probe).toEqual({
      initial_delay_seconds: 30,
      period_seconds: 30,
      timeout_seconds: 5,
      failure_threshold: 6,
      success_threshold: 1,
      tcp_socket: [{ port: 'http' }],
    });
    const window = (probe: { period_seconds: number; failure_threshold: number }) => probe.period_seconds * probe.failure_threshold;
    expect(window(container.liveness_probe)).toBeGreaterThan(window(container.readiness_probe));
  });

  it('keeps the startup probe on the declared endpoint, allowing the declared start time', () => {
    const container = controllerOf(synth(keycloak!)).spec.template.spec.container[0];
    expect(container.startup_probe).toMatchObject({
      http_get: container.readiness_probe.http_get,
      initial_delay_seconds: 0,
      failure_threshold: 30,
    });
  });
});

describe('headless governing Service of a StatefulSet', () => {
  const resources = synth(openldap!, true);
  const services = resourcesOf(resources, 'kubernetes_service_v1');
  const headless = services.find((service) => service.spec.cluster_ip === 'None');

  it('is named by serviceName, headless, selecting the set pods, ready ones only, with no port', () => {
    expect(onlyResource(resources, 'kubernetes_stateful_set_v1').spec.service_name).toBe('openldap-pods');
    expect(headless).toMatchObject({
      metadata: { name: 'openldap-pods', namespace: site.namespace },
      spec: {
        type: 'ClusterIP',
        cluster_ip: 'None',
        selector: { 'matrix.sovereign/workload': 'openldap' },
        publish_not_ready_addresses: false,
      },
    });
    expect(headless?.spec.port).toBeUndefined();
  });

  it('stands beside the Service expose() creates', () => {
    expect(services).toHaveLength(2);
    expect(services.map((service): unknown => service.metadata.name)).toEqual(expect.arrayContaining(['openldap', 'openldap-pods']));
  });
});

describe('singleton reason', () => {
  it('is written on the controller only', () => {
    const resources = synth(synapse!, true);
    expect(controllerOf(resources).metadata.annotations[SINGLETON_ANNOTATION]).toBe(synapse!.singletonReason);
    for (const type of ['kubernetes_service_v1', 'kubernetes_pod_disruption_budget_v1'])
      expect(onlyResource(resources, type).metadata.annotations[SINGLETON_ANNOTATION]).toBeUndefined();
  });

  it('is absent from a workload that is no singleton', () => {
    expect(controllerOf(synth(haproxy!)).metadata.annotations[SINGLETON_ANNOTATION]).toBeUndefined();
  });
});

describe('local disk', () => {
  it('gives every container, init steps included, its scratch directories and 64Mi for logs', () => {
    const pod = controllerOf(synth(keycloak!)).spec.template.spec;
    for (const container of [...pod.init_container, ...pod.container]) {
      expect(container.resources.requests['ephemeral-storage']).toBe('1344Mi');
      expect(container.resources.limits['ephemeral-storage']).toBe('1344Mi');
    }
  });

  it('refuses memory-backed scratch the memory limit could not hold', () => {
    const greedy = {
      ...synapse!,
      writablePaths: [...synapse!.writablePaths, { name: 'cache', mountPath: '/cache', sizeLimitMi: 1024, medium: 'Memory' as const }],
    };
    expect(() => synth(greedy)).toThrow(/memory-backed scratch is more than half its 2048Mi memory limit/);
  });
});
