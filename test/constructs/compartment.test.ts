import { Testing } from 'cdktf';
import { Compartment, podSecurityLabels, type CompartmentProps } from '../../constructs/compartment';
import { HOMESERVER_COMPARTMENTS, homeserverNamespace, type HomeserverCompartment } from '../../model/compartments';
import { flowMatrix, type Flow } from '../../model/flows';
import { loadDeploymentConfig } from '../../model/load-config';
import { deriveFlowPolicies } from '../../model/network-policies';
import { platformFlowMatrix } from '../../model/platform';
import { deriveLimitRange, deriveQuota } from '../../model/quotas';

const config = loadDeploymentConfig();

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synthWith(
  identity: Partial<Pick<CompartmentProps, 'kind' | 'namespace' | 'owner'>>,
  extra?: (compartment: Compartment) => void,
): Resources {
  const json = Testing.synthScope((scope) => {
    const compartment = new Compartment(scope, 'compartment', {
      kind: 'directory',
      namespace: 'agency-directory',
      deploymentName: 'matrix',
      owner: { homeserverName: 'agency' },
      ...identity,
      kubernetes: config.kubernetes,
      quota: deriveQuota([], { loadBalancers: 0, nodePorts: 0 }),
      limitRange: deriveLimitRange([]),
    });
    extra?.(compartment);
  });
  return (JSON.parse(json) as { resource: Resources }).resource;
}

function synthCompartment(): Resources {
  return synthWith({});
}

function only(resources: Resources, type: string): Record<string, unknown>[] {
  return Object.values(resources[type] ?? {});
}

describe('Compartment', () => {
  const resources = synthCompartment();

  it('labels the namespace restricted in enforce, audit and warn, each with the pinned version', () => {
    const [namespace] = only(resources, 'kubernetes_namespace_v1');
    expect(namespace).toMatchObject({
      metadata: {
        name: 'agency-directory',
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.33',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'v1.33',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'v1.33',
          'matrix.sovereign/compartment': 'directory',
          'matrix.sovereign/homeserver': 'agency',
          'matrix.sovereign/deployment': 'matrix',
        },
      },
    });
    expect(Object.keys(podSecurityLabels('v1.33'))).toHaveLength(6);
  });

  it('manages the default service account with token automount explicitly off', () => {
    expect(only(resources, 'kubernetes_default_service_account_v1')).toEqual([
      expect.objectContaining({ automount_service_account_token: false }),
    ]);
  });

  it('denies everything both ways and allows DNS to the resolver only', () => {
    const policies = only(resources, 'kubernetes_network_policy_v1');
    expect(policies).toHaveLength(2);
    expect(policies).toContainEqual(
      expect.objectContaining({
        spec: { pod_selector: { match_labels: {} }, policy_types: ['Ingress', 'Egress'], ingress: [], egress: [] },
      }),
    );
    expect(policies).toContainEqual(
      expect.objectContaining({
        spec: expect.objectContaining({
          policy_types: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                  pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } },
                },
              ],
              ports: [
                { port: '53', protocol: 'UDP' },
                { port: '53', protocol: 'TCP' },
              ],
            },
          ],
        }),
      }),
    );
  });

  it('has a quota and a limit range in its namespace', () => {
    expect(only(resources, 'kubernetes_resource_quota_v1')[0]).toMatchObject({
      spec: { hard: { pods: '0', 'services.loadbalancers': '0' } },
    });
    expect(only(resources, 'kubernetes_limit_range_v1')[0]).toMatchObject({
      spec: { limit: [expect.objectContaining({ type: 'Container' }), expect.objectContaining({ type: 'PersistentVolumeClaim' })] },
    });
  });
});

describe('Compartment.allow(flows)', () => {
  const homeserver = config.homeservers[0]!;
  const flows = flowMatrix(config, homeserver);
  // Sorted: the synthesized JSON orders resources by logical id.
  const policyNames = (resources: Resources) =>
    only(resources, 'kubernetes_network_policy_v1')
      .map((policy) => (policy.metadata as { name: string }).name)
      .sort();
  const BASELINE = ['default-deny-all', 'baseline-dns-egress'];

  function synthHomeserverCompartment(kind: HomeserverCompartment, allowed: readonly Flow[]): Resources {
    return synthWith(
      { kind, namespace: homeserverNamespace(homeserver.name, kind), owner: { homeserverName: homeserver.name } },
      (compartment) => compartment.allow(allowed),
    );
  }

  it.each(HOMESERVER_COMPARTMENTS)('the %s compartment, handed the whole matrix, allows exactly its own side of each flow', (kind) => {
    const namespace = homeserverNamespace(homeserver.name, kind);
    const ownSide = deriveFlowPolicies(flows, homeserver)
      .filter((policy) => policy.namespace === namespace)
      .map((policy) => policy.name);
    expect(ownSide.length).toBeGreaterThan(0);
    expect(policyNames(synthHomeserverCompartment(kind, flows))).toEqual([...BASELINE, ...ownSide].sort());
  });

  it.each<[string, HomeserverCompartment, string, string[]]>([
    ['a flow entering it: ingress only', 'directory', 'keycloak-to-openldap-ldaps', ['ingress-keycloak-to-openldap-ldaps']],
    ['a flow leaving it: egress only', 'identity', 'keycloak-to-openldap-ldaps', ['egress-keycloak-to-openldap-ldaps']],
    [
      'a flow between two of its workloads: both sides',
      'homeserver',
      'synapse-to-postgres-postgres',
      ['egress-synapse-to-postgres-postgres', 'ingress-synapse-to-postgres-postgres'],
    ],
    ['a flow from outside the cluster: ingress only', 'gateway', 'outside-to-haproxy-https', ['ingress-outside-to-haproxy-https']],
    ['a flow between other compartments: nothing', 'directory', 'haproxy-to-synapse-http', []],
  ])('%s', (_name, kind, flowId, expected) => {
    const flow = flows.filter((candidate) => candidate.id === flowId);
    expect(flow).toHaveLength(1);
    expect(policyNames(synthHomeserverCompartment(kind, flow))).toEqual([...BASELINE, ...expected].sort());
  });

  it('makes every policy it allows a prerequisite of its pods (part of the baseline)', () => {
    const ownSide = deriveFlowPolicies(flows, homeserver).filter((policy) => policy.namespace === 'agency-homeserver');
    synthWith({ kind: 'homeserver', namespace: 'agency-homeserver' }, (compartment) => {
      const before = compartment.baseline.length;
      compartment.allow(flows);
      expect(compartment.baseline.length - before).toBe(ownSide.length);
    });
  });

  it('allows a platform component its side of the platform flows', () => {
    const resources = synthWith({ kind: 'platform', namespace: 'matrix-openbao', owner: { platformComponent: 'openbao' } }, (compartment) =>
      compartment.allow(platformFlowMatrix(config)),
    );
    expect(policyNames(resources)).toEqual(
      expect.arrayContaining(['ingress-external-secrets-to-openbao-openbao', 'egress-openbao-to-outside-apiserver']),
    );
  });

  it('refuses homeserver flows in a platform compartment (their workloads belong to no homeserver there)', () => {
    expect(() =>
      synthWith({ kind: 'platform', namespace: 'matrix-openbao', owner: { platformComponent: 'openbao' } }, (compartment) =>
        compartment.allow(flows),
      ),
    ).toThrow(/is a homeserver workload but no homeserver was given/);
  });
});
