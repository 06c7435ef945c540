import type { DeploymentConfig } from '../../config/deployment-config';
import { homeserverNamespace, LABEL_NAMESPACE_NAME, LABEL_WORKLOAD, platformNamespace } from '../../model/compartments';
import { carveOuts, flowMatrix, type Flow } from '../../model/flows';
import { loadDeploymentConfig } from '../../model/load-config';
import { PROMETHEUS_ENDPOINT_NAME, scrapeTargets } from '../../model/monitoring';
import { baselinePolicies, deriveFlowPolicies, type NetworkPolicyModel, type PolicyPeer } from '../../model/network-policies';
import { platformPod } from '../../model/platform';
import { POSTGRES_CLUSTER_NAME, POSTGRES_INSTANCE_PORTS, POSTGRES_POD_SELECTOR } from '../../model/postgres';
import { podPorts, type WorkloadSpec } from '../../model/workload-spec';
import { workloadsOf } from '../../workloads/catalogue';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const closed = loadDeploymentConfig();
const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const closedHomeserver = closed.homeservers[0]!;
const [ministry, , region] = fleet.homeservers;

interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  /** false: a site namespace (e.g. its Prometheus), where this deployment writes no policy. */
  readonly managed: boolean;
}

function podsOf(homeserverName: string, workloads: readonly WorkloadSpec[]): Pod[] {
  return workloads.map((workload) => ({
    namespace: homeserverNamespace(homeserverName, workload.compartment),
    name: workload.name,
    labels: { [LABEL_WORKLOAD]: workload.name },
    ports: podPorts(workload).map((port) => port.containerPort),
    managed: true,
  }));
}

/** The pods the operators run: the database instances (labelled as the workload through the Cluster) and the PostgreSQL operator. */
function operatedPods(config: DeploymentConfig, homeserverName: string): Pod[] {
  const operator = platformPod('cloudnative-pg');
  return [
    {
      namespace: homeserverNamespace(homeserverName, 'homeserver'),
      name: POSTGRES_CLUSTER_NAME,
      labels: { [LABEL_WORKLOAD]: POSTGRES_CLUSTER_NAME, ...POSTGRES_POD_SELECTOR },
      ports: POSTGRES_INSTANCE_PORTS.map((port) => port.containerPort),
      managed: true,
    },
    {
      namespace: platformNamespace(config.deploymentName, operator.component),
      name: operator.name,
      labels: operator.podLabels,
      ports: [],
      managed: true,
    },
  ];
}

/** The site's pods in its monitoring namespace: its Prometheus, and a neighbour that must get nowhere. */
function sitePods(config: DeploymentConfig): Pod[] {
  const { namespace, prometheusPodLabels } = config.monitoring;
  return [
    { namespace, name: PROMETHEUS_ENDPOINT_NAME, labels: prometheusPodLabels, ports: [9090], managed: false },
    { namespace, name: 'grafana', labels: { 'app.kubernetes.io/name': 'grafana' }, ports: [3000], managed: false },
  ];
}

const matchesLabels = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

function selects(policy: NetworkPolicyModel, pod: Pod): boolean {
  return policy.namespace === pod.namespace && matchesLabels(policy.podLabels, pod.labels);
}

function peerMatches(peer: PolicyPeer, pod: Pod): boolean {
  return (
    peer.kind === 'pods' &&
    peer.namespaceLabels[LABEL_NAMESPACE_NAME] === pod.namespace &&
    Object.keys(peer.podLabels).length > 0 &&
    matchesLabels(peer.podLabels, pod.labels)
  );
}

/**
 * Recomputes pod-to-pod reachability from the policies alone, as the API server would enforce
 * it. A pod in a site namespace has no policy of ours: its egress is the site's business, so
 * only our ingress side decides (the flow is ingress-only).
 */
function reachable(policies: readonly NetworkPolicyModel[], pods: readonly Pod[]): Set<string> {
  const result = new Set<string>();
  for (const from of pods) {
    for (const to of pods) {
      for (const port of to.ports) {
        const allowsPort = (ports: readonly { port: number }[]) => ports.some((candidate) => candidate.port === port);
        const egress =
          !from.managed ||
          policies.some(
            (p) => selects(p, from) && p.egress.some((rule) => allowsPort(rule.ports) && rule.peers.some((peer) => peerMatches(peer, to))),
          );
        const ingress =
          to.managed &&
          policies.some(
            (p) => selects(p, to) && p.ingress.some((rule) => allowsPort(rule.ports) && rule.peers.some((peer) => peerMatches(peer, from))),
          );
        if (egress && ingress) result.add(`${from.name} -> ${to.name}:${port}`);
      }
    }
  }
  return result;
}

function declared(flows: readonly Flow[]): Set<string> {
  const name = (endpoint: Flow['from']) =>
    endpoint.kind === 'workload' ? endpoint.workload : endpoint.kind === 'pods' ? endpoint.name : undefined;
  return new Set(
    flows.flatMap((flow) => (name(flow.from) && name(flow.to) ? [`${name(flow.from)} -> ${name(flow.to)}:${flow.port}`] : [])),
  );
}

describe('flow matrix', () => {
  it('declares each flow once with a unique id and a reason', () => {
    for (const homeserver of fleet.homeservers) {
      const flows = flowMatrix(fleet, homeserver);
      expect(new Set(flows.map((flow) => flow.id)).size).toBe(flows.length);
      for (const flow of flows) expect(flow.reason.length).toBeGreaterThan(10);
    }
  });

  it('only names workloads of the catalogue or the database cluster, on ports they declare', () => {
    const workloads = workloadsOf(closed, closedHomeserver);
    for (const flow of flowMatrix(closed, closedHomeserver)) {
      if (flow.to.kind !== 'workload') continue;
      const target = flow.to;
      if (target.workload === POSTGRES_CLUSTER_NAME) {
        expect(target.compartment).toBe('homeserver');
        expect(POSTGRES_INSTANCE_PORTS.map((port) => port.containerPort)).toContain(flow.port);
        continue;
      }
      const workload = workloads.find((candidate) => candidate.name === target.workload && candidate.compartment === target.compartment);
      expect(workload).toBeDefined();
      expect(podPorts(workload ?? { ports: [] }).map((port) => port.containerPort)).toContain(flow.port);
    }
  });

  it('gives the database exactly its clients, its replication, the operator, the API server and the backup store', () => {
    const flows = flowMatrix(closed, closedHomeserver);
    const touching = flows.filter((flow) =>
      [flow.from, flow.to].some((end) => end.kind === 'workload' && end.workload === POSTGRES_CLUSTER_NAME),
    );
    expect(touching.map((flow) => flow.id).sort()).toEqual([
      'client-readers-to-postgres-postgres',
      `cloudnative-pg-to-${closedHomeserver.name}-postgres-status`,
      'event-persister-1-to-postgres-postgres',
      'keycloak-to-postgres-postgres',
      'media-repository-to-postgres-postgres',
      'postgres-to-outside-apiserver',
      'postgres-to-outside-backup',
      'postgres-to-postgres-postgres',
      'prometheus-to-postgres-metrics',
      'synapse-to-postgres-postgres',
      'sync-workers-to-postgres-postgres',
    ]);
    const backup = flows.find((flow) => flow.id === 'postgres-to-outside-backup');
    expect(backup).toMatchObject({ port: 443, to: { kind: 'outside', cidrs: closed.backup.objectStore.cidrs, except: [] } });
    const api = flows.find((flow) => flow.id === 'postgres-to-outside-apiserver');
    expect(api).toMatchObject({ port: closed.kubernetes.apiServer.port, to: { cidrs: closed.kubernetes.apiServer.cidrs } });
  });

  it('has exactly the directory, media and gateway flows of the documented flow matrix', () => {
    const ids = flowMatrix(closed, closedHomeserver).map((flow) => flow.id);
    expect(ids.filter((id) => id.endsWith('-to-openldap-ldaps'))).toEqual(['keycloak-to-openldap-ldaps']);
    expect(ids.filter((id) => id.includes('-to-media-repository-')).sort()).toEqual([
      'haproxy-to-media-repository-http',
      'prometheus-to-media-repository-metrics',
      'synapse-to-media-repository-replication',
    ]);
    // From outside: the gateway, and call media to the SFU's published ports.
    expect(ids.filter((id) => id.startsWith('outside-'))).toEqual([
      'outside-to-haproxy-https',
      ...(closedHomeserver.calls ? ['outside-to-livekit-rtc-udp', 'outside-to-livekit-rtc-tcp', 'outside-to-livekit-turn-udp'] : []),
    ]);
    expect(ids.some((id) => id.startsWith('openldap-to-'))).toBe(false);
  });

  it('adds no outside egress when federation is off, but for the database (API server and backup store) and the backup jobs', () => {
    expect(
      flowMatrix(closed, closedHomeserver)
        .filter((flow) => flow.to.kind === 'outside')
        .map((flow) => flow.id),
    ).toEqual([
      // TURN relays reach the SFU's own published media port.
      ...(closedHomeserver.calls ? ['livekit-to-outside-relay'] : []),
      'postgres-to-outside-apiserver',
      'postgres-to-outside-backup',
      ...(closedHomeserver.directory.mode === 'external' ? [] : ['directory-backup-to-outside-backup']),
      ...(closedHomeserver.media.s3 ? [] : ['media-backup-to-outside-backup']),
    ]);
  });

  it('adds federation egress on 8448 and 443 that carves out metadata and cluster ranges', () => {
    const federation = flowMatrix(fleet, ministry!).filter(
      (flow) => flow.to.kind === 'outside' && flow.portName !== 'apiserver' && flow.portName !== 'backup',
    );
    expect(federation.map((flow) => `${flow.from.kind === 'workload' ? flow.from.workload : '?'}:${flow.port}`).sort()).toEqual([
      'federation-readers:443',
      'federation-readers:8448',
      'federation-sender:443',
      'federation-sender:8448',
      'media-repository:443',
      'media-repository:8448',
      'synapse:443',
      'synapse:8448',
    ]);
    for (const flow of federation) {
      expect(flow.to).toMatchObject({
        cidrs: ['0.0.0.0/0', '::/0'],
        except: expect.arrayContaining(['169.254.169.254/32', 'fd00:ec2::254/128', '10.244.0.0/16', '10.96.0.0/12', '192.168.0.0/16']),
      });
    }
  });

  it('carves out only the reserved ranges inside a narrow egress range', () => {
    expect(carveOuts(['203.0.113.0/24'], fleet)).toEqual([]);
    expect(carveOuts(['10.0.0.0/8'], fleet).sort()).toEqual(['10.244.0.0/16', '10.96.0.0/12']);
    expect(
      flowMatrix(fleet, region!)
        .filter((flow) => flow.to.kind === 'outside')
        .map((flow) => flow.to),
    ).toContainEqual(expect.objectContaining({ cidrs: ['203.0.113.0/24', '198.51.100.0/24'], except: [] }));
  });
});

describe('network policies derived from the flow matrix', () => {
  it('realises every pod-to-pod flow with an egress policy at the source and an ingress policy at the destination', () => {
    const flows = flowMatrix(closed, closedHomeserver);
    const policies = deriveFlowPolicies(flows, closedHomeserver);
    // Sources in our namespaces (workloads, and the platform's pods such as the PostgreSQL operator) get an egress policy.
    const ours = (end: Flow['from']) => end.kind === 'workload' || (end.kind === 'pods' && end.managed !== false);
    for (const flow of flows) {
      if (ours(flow.from)) expect(policies.filter((p) => p.name === `egress-${flow.id}`)).toHaveLength(1);
      else expect(policies.filter((p) => p.name === `egress-${flow.id}`)).toHaveLength(0);
      if (flow.to.kind === 'workload') expect(policies.filter((p) => p.name === `ingress-${flow.id}`)).toHaveLength(1);
    }
    expect(policies).toHaveLength(
      flows.reduce((count, flow) => count + (ours(flow.from) ? 1 : 0) + (flow.to.kind === 'workload' ? 1 : 0), 0),
    );
  });

  it.each([
    ['closed default', closed, closedHomeserver],
    ['federated fleet member', fleet, ministry!],
  ])('recomputed reachability equals the declared matrix, the site Prometheus included (%s)', (_name, config, homeserver) => {
    const flows = flowMatrix(config, homeserver);
    const pods = [
      ...podsOf(homeserver.name, workloadsOf(config, homeserver)),
      ...operatedPods(config, homeserver.name),
      ...sitePods(config),
    ];
    const computed = reachable(deriveFlowPolicies(flows, homeserver), pods);
    expect(computed).toEqual(declared(flows));
    // The site's Prometheus reaches exactly the scrape targets' metrics ports, and nothing else of ours does.
    expect([...computed].filter((edge) => edge.startsWith(`${PROMETHEUS_ENDPOINT_NAME} -> `)).sort()).toEqual(
      scrapeTargets(homeserver)
        .map((target) => `${PROMETHEUS_ENDPOINT_NAME} -> ${target.workload}:${target.port.containerPort}`)
        .sort(),
    );
    expect([...computed].filter((edge) => /:(9000|8404|9187)$/.test(edge) && !edge.startsWith(`${PROMETHEUS_ENDPOINT_NAME} -> `))).toEqual(
      [],
    );
    expect([...computed].some((edge) => edge.startsWith('grafana -> '))).toBe(false);
  });

  it('metrics flows are ingress-only: no policy is written into the site monitoring namespace', () => {
    for (const homeserver of fleet.homeservers) {
      const flows = flowMatrix(fleet, homeserver);
      const scrapes = flows.filter((flow) => flow.from.kind === 'pods' && flow.from.name === PROMETHEUS_ENDPOINT_NAME);
      expect(scrapes.map((flow) => flow.id).sort()).toEqual([
        'prometheus-to-client-readers-metrics',
        'prometheus-to-event-persister-1-metrics',
        'prometheus-to-federation-readers-metrics',
        'prometheus-to-federation-sender-metrics',
        'prometheus-to-haproxy-metrics',
        'prometheus-to-media-repository-metrics',
        'prometheus-to-postgres-metrics',
        'prometheus-to-synapse-metrics',
        'prometheus-to-sync-workers-metrics',
      ]);
      for (const flow of scrapes) expect(flow.reason.length).toBeGreaterThan(10);
      const policies = deriveFlowPolicies(flows, homeserver);
      expect(policies.filter((policy) => policy.namespace === fleet.monitoring.namespace)).toEqual([]);
      for (const flow of scrapes)
        expect(policies.filter((policy) => policy.name.endsWith(flow.id)).map((policy) => policy.name)).toEqual([`ingress-${flow.id}`]);
    }
  });

  it('without its ingress policy the Prometheus pod reaches nothing (the ingress side is the only gate)', () => {
    const flows = flowMatrix(closed, closedHomeserver);
    const pods = [...podsOf(closedHomeserver.name, workloadsOf(closed, closedHomeserver)), ...sitePods(closed)];
    const withoutIngress = deriveFlowPolicies(flows, closedHomeserver).filter((p) => p.name !== 'ingress-prometheus-to-haproxy-metrics');
    const computed = reachable(withoutIngress, pods);
    expect(computed.has('prometheus -> haproxy:8404')).toBe(false);
    expect(computed.has('prometheus -> synapse:9000')).toBe(true);
  });

  it('removing one side of a flow makes it unreachable (both sides are needed)', () => {
    const flows = flowMatrix(closed, closedHomeserver);
    const pods = podsOf(closedHomeserver.name, workloadsOf(closed, closedHomeserver));
    const withoutIngress = deriveFlowPolicies(flows, closedHomeserver).filter((p) => p.name !== 'ingress-keycloak-to-openldap-ldaps');
    expect(reachable(withoutIngress, pods).has('synapse -> openldap:1636')).toBe(false);
  });

  it('never uses an empty selector, and any-address blocks only for gateway ingress and federation egress', () => {
    for (const homeserver of fleet.homeservers) {
      const operator = platformPod('cloudnative-pg');
      for (const policy of deriveFlowPolicies(flowMatrix(fleet, homeserver), homeserver)) {
        // Our workloads by workload label; the database by its operator's cluster label (its Jobs lack ours); the operator by its chart's labels.
        if (policy.namespace === platformNamespace(fleet.deploymentName, operator.component))
          expect(policy.podLabels).toEqual(operator.podLabels);
        else if (policy.podLabels[LABEL_WORKLOAD] === undefined) expect(policy.podLabels).toEqual(POSTGRES_POD_SELECTOR);
        else expect(Object.keys(policy.podLabels)).toEqual([LABEL_WORKLOAD]);
        for (const [direction, rules] of [
          ['ingress', policy.ingress],
          ['egress', policy.egress],
        ] as const) {
          for (const peer of rules.flatMap((rule) => rule.peers)) {
            if (peer.kind === 'pods') {
              expect(Object.keys(peer.namespaceLabels)).toEqual([LABEL_NAMESPACE_NAME]);
              // Our pods by workload label; the site's Prometheus by the labels the config names (never none).
              if (peer.namespaceLabels[LABEL_NAMESPACE_NAME] === fleet.monitoring.namespace) {
                expect(direction).toBe('ingress');
                expect(peer.podLabels).toEqual(fleet.monitoring.prometheusPodLabels);
              } else if (peer.namespaceLabels[LABEL_NAMESPACE_NAME] === platformNamespace(fleet.deploymentName, operator.component)) {
                expect(direction).toBe('ingress');
                expect(peer.podLabels).toEqual(operator.podLabels);
              } else if (peer.podLabels[LABEL_WORKLOAD] === undefined) expect(peer.podLabels).toEqual(POSTGRES_POD_SELECTOR);
              else expect(Object.keys(peer.podLabels)).toEqual([LABEL_WORKLOAD]);
              continue;
            }
            if (peer.ipBlock.cidr === '0.0.0.0/0' || peer.ipBlock.cidr === '::/0') {
              if (direction === 'ingress') expect(policy.namespace).toBe(homeserverNamespace(homeserver.name, 'gateway'));
              else {
                expect(['synapse', 'federation-readers', 'federation-sender', 'media-repository']).toContain(
                  policy.podLabels[LABEL_WORKLOAD],
                );
                expect(peer.ipBlock.except.length).toBeGreaterThan(0);
              }
            }
          }
        }
      }
    }
  });

  it('keeps each except entry in the family of its block', () => {
    const egress = deriveFlowPolicies(flowMatrix(fleet, ministry!), ministry).find(
      (p) => p.name === 'egress-synapse-to-outside-federation',
    );
    const blocks = egress?.egress.flatMap((rule) => rule.peers).flatMap((peer) => (peer.kind === 'ipBlock' ? [peer.ipBlock] : []));
    expect(blocks).toEqual([
      { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.244.0.0/16', '10.96.0.0/12', '192.168.0.0/16'] },
      { cidr: '::/0', except: ['fd00:ec2::254/128'] },
    ]);
  });

  it('baseline: default deny both ways and DNS only to the resolver pods', () => {
    const [deny, dns] = baselinePolicies('x-homeserver', closed.kubernetes.dns);
    expect(deny).toMatchObject({ podLabels: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    expect(dns?.egress).toEqual([
      {
        peers: [{ kind: 'pods', namespaceLabels: { [LABEL_NAMESPACE_NAME]: 'kube-system' }, podLabels: { 'k8s-app': 'kube-dns' } }],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
  });
});
