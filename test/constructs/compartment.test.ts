import { Testing } from 'cdktf';
import { loadDeploymentConfig } from '../../model/load-config';
import { Compartment, podSecurityLabels } from '../../constructs/compartment';
import { deriveFlowPolicies } from '../../model/network-policies';
import { deriveLimitRange, deriveQuota } from '../../model/quotas';
import { flowMatrix } from '../../model/flows';

const config = loadDeploymentConfig();

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synthCompartment(extra?: (compartment: Compartment) => void): Resources {
  const json = Testing.synthScope((scope) => {
    const compartment = new Compartment(scope, 'compartment', {
      kind: 'directory',
      namespace: 'agency-directory',
      deploymentName: 'matrix',
      owner: { homeserverName: 'agency' },
      kubernetes: config.kubernetes,
      quota: deriveQuota([], { loadBalancers: 0, nodePorts: 0 }),
      limitRange: deriveLimitRange([]),
    });
    extra?.(compartment);
  });
  return (JSON.parse(json) as { resource: Resources }).resource;
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
      expect.objectContaining({ spec: { pod_selector: { match_labels: {} }, policy_types: ['Ingress', 'Egress'], ingress: [], egress: [] } }),
    );
    expect(policies).toContainEqual(
      expect.objectContaining({
        spec: expect.objectContaining({
          policy_types: ['Egress'],
          egress: [
            {
              to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } }, pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } } }],
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
    expect(only(resources, 'kubernetes_resource_quota_v1')[0]).toMatchObject({ spec: { hard: { pods: '0', 'services.loadbalancers': '0' } } });
    expect(only(resources, 'kubernetes_limit_range_v1')[0]).toMatchObject({
      spec: { limit: [expect.objectContaining({ type: 'Container' }), expect.objectContaining({ type: 'PersistentVolumeClaim' })] },
    });
  });

  it('renders the flow policies of its own namespace and refuses another compartment\'s', () => {
    const homeserver = config.homeservers[0]!;
    const policies = deriveFlowPolicies(flowMatrix(config, homeserver), homeserver);
    const mine = synthCompartment((compartment) => compartment.allowFlows(policies.filter((p) => p.namespace === 'agency-directory')));
    expect(only(mine, 'kubernetes_network_policy_v1').map((p) => (p.metadata as { name: string }).name)).toContain('ingress-synapse-to-openldap-ldaps');
    expect(() => synthCompartment((compartment) => compartment.allowFlows(policies))).toThrow(/targets namespace "agency-gateway", not compartment "agency-directory"|targets namespace "agency-[a-z]+", not compartment/);
  });
});
