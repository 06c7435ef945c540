/**
 * The reachability matrix computed from synthesized NetworkPolicies: Kubernetes semantics on
 * small hand-written stacks, then the real default deployment and fleet against the flow model
 * the policies were derived from.
 */
import type { DeploymentConfig } from '../../config/deployment-config';
import {
  HOMESERVER_COMPARTMENTS,
  homeserverCompartments,
  homeserverNamespace,
  LABEL_NAMESPACE_NAME,
  platformNamespace,
  PLATFORM_COMPONENTS,
} from '../../model/compartments';
import { flowMatrix, type Flow, type FlowEndpoint } from '../../model/flows';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformFlowMatrix } from '../../model/platform';
import { renderReachabilityMatrix } from '../../review/reachability-matrix';
import {
  ANY_NAMESPACE_ZONE,
  OUTSIDE_ZONE,
  outsideRangesOf,
  reachabilityDelta,
  reachabilityOf,
  type Reachability,
  type ReachabilityFlow,
} from '../../tfjson/reachability';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import type { JsonObject, SynthesizedStack } from '../../tfjson/terraform-json';
import { SHARED_CONFIG_FILES, sharedSynthesis } from '../support/shared-synthesis';

// ----------------------------------------------------------------------------------------------
// Fixture builders, in the shape cdktf synthesizes (see cdktf.out/stacks/*/cdk.tf.json)
// ----------------------------------------------------------------------------------------------

interface FixtureResource {
  readonly type: string;
  readonly name: string;
  readonly body: JsonObject;
}

function stackOf(name: string, ...entries: FixtureResource[]): SynthesizedStack {
  const resource: Record<string, Record<string, JsonObject>> = {};
  for (const entry of entries) resource[entry.type] = { ...resource[entry.type], [entry.name]: entry.body };
  return { name, json: { resource } };
}

/** How cdktf writes a namespace declared in the same stack. */
const ref = (namespace: string) => `\${kubernetes_namespace_v1.ns_${namespace}.metadata[0].name}`;

function namespace(name: string, labels: Record<string, string> = {}): FixtureResource {
  return { type: 'kubernetes_namespace_v1', name: `ns_${name}`, body: { metadata: { name, labels } } };
}

let policyCount = 0;
function policy(namespaceName: string, spec: JsonObject): FixtureResource {
  policyCount += 1;
  const name = `policy_${policyCount}`;
  return { type: 'kubernetes_network_policy_v1', name, body: { metadata: { name, namespace: ref(namespaceName) }, spec } };
}

type PortDeclaration = readonly [name: string, port: number, protocol?: string];
function deployment(
  namespaceName: string,
  name: string,
  labels: Record<string, string>,
  ports: readonly PortDeclaration[] = [],
): FixtureResource {
  const port = ports.map(([portName, containerPort, protocol]) => ({
    name: portName,
    container_port: containerPort,
    protocol: protocol ?? 'TCP',
  }));
  return {
    type: 'kubernetes_deployment_v1',
    name: `${namespaceName}_${name}`,
    body: {
      metadata: { name, namespace: ref(namespaceName) },
      spec: { template: { metadata: { labels }, spec: { container: [{ name, image: 'x', port }] } } },
    },
  };
}

const nameSelector = (name: string) => ({ match_labels: { [LABEL_NAMESPACE_NAME]: name } });
const DENY_ALL: JsonObject = { pod_selector: { match_labels: {} }, policy_types: ['Ingress', 'Egress'], ingress: [], egress: [] };
/** Every pod of the namespace may send to every pod of `target`, on every port. */
const egressTo = (target: string): JsonObject => ({
  pod_selector: { match_labels: {} },
  policy_types: ['Egress'],
  ingress: [],
  egress: [{ to: [{ namespace_selector: nameSelector(target) }] }],
});
const tcp = (port: string | number) => ({ port: String(port), protocol: 'TCP' });

const lines = (reachability: Reachability) => reachability.flows.map((flow) => `${flow.from} -> ${flow.to} ${flow.port}`);
const flowsOf = (...stacks: SynthesizedStack[]) => lines(reachabilityOf(stacks));

// ----------------------------------------------------------------------------------------------
// Semantics
// ----------------------------------------------------------------------------------------------

describe('reachabilityOf', () => {
  it('finds nothing when every namespace denies everything, and still lists the namespaces', () => {
    const stack = stackOf(
      's',
      namespace('a'),
      namespace('b'),
      policy('a', DENY_ALL),
      policy('b', DENY_ALL),
      deployment('a', 'web', { app: 'web' }),
      deployment('b', 'db', { app: 'db' }),
    );
    expect(reachabilityOf([stack])).toEqual({ zones: ['a', 'b'], flows: [], unmanaged: [] });
  });

  it('needs both the egress of the sender and the ingress of the receiver', () => {
    const base = [
      namespace('a'),
      namespace('b'),
      policy('a', DENY_ALL),
      policy('b', DENY_ALL),
      deployment('a', 'web', { app: 'web' }),
      deployment('b', 'db', { app: 'db' }),
    ];
    const egress = policy('a', {
      pod_selector: { match_labels: { app: 'web' } },
      policy_types: ['Egress'],
      egress: [{ to: [{ namespace_selector: nameSelector('b'), pod_selector: { match_labels: { app: 'db' } } }], ports: [tcp(5432)] }],
    });
    const ingress = policy('b', {
      pod_selector: { match_labels: { app: 'db' } },
      policy_types: ['Ingress'],
      ingress: [{ from: [{ namespace_selector: nameSelector('a'), pod_selector: { match_labels: { app: 'web' } } }], ports: [tcp(5432)] }],
    });
    expect(flowsOf(stackOf('s', ...base, egress))).toEqual([]);
    expect(flowsOf(stackOf('s', ...base, ingress))).toEqual([]);
    expect(flowsOf(stackOf('s', ...base, egress, ingress))).toEqual(['a -> b 5432/TCP']);
  });

  it('reads a pod selector alone as the own namespace, a namespace selector alone as all its pods, both as matching pods there', () => {
    const stack = stackOf(
      's',
      namespace('a', { team: 'front' }),
      namespace('b'),
      namespace('c', { team: 'back' }),
      ...['a', 'b', 'c'].flatMap((name) => [policy(name, DENY_ALL), policy(name, egressTo('b'))]),
      deployment('a', 'web', { app: 'web' }),
      deployment('a', 'api', { app: 'api' }),
      deployment('b', 'db', { app: 'db' }),
      deployment('b', 'worker', { app: 'web' }),
      deployment('c', 'api', { app: 'api' }),
      policy('b', {
        pod_selector: { match_labels: { app: 'db' } },
        policy_types: ['Ingress'],
        ingress: [
          { from: [{ pod_selector: { match_labels: { app: 'web' } } }], ports: [tcp(5432)] },
          { from: [{ namespace_selector: { match_labels: { team: 'front' } } }], ports: [tcp(6000)] },
          {
            from: [{ namespace_selector: { match_labels: { team: 'front' } }, pod_selector: { match_labels: { app: 'api' } } }],
            ports: [tcp(7000)],
          },
        ],
      }),
    );
    expect(flowsOf(stack)).toEqual(['a -> b 6000/TCP', 'a -> b 7000/TCP', 'b -> b 5432/TCP']);
  });

  it('evaluates match_expressions (In, NotIn, Exists, DoesNotExist) on namespace and pod labels', () => {
    const clients = { n1: { env: 'prod' }, n2: { env: 'dev' }, n3: { env: 'test', legacy: 'true' }, n4: {} };
    const stack = stackOf(
      's',
      namespace('s'),
      policy('s', DENY_ALL),
      deployment('s', 'db', { app: 'db' }),
      ...Object.entries(clients).flatMap(([name, labels]) => [
        namespace(name, labels),
        policy(name, DENY_ALL),
        policy(name, egressTo('s')),
        deployment(name, 'client', { app: 'client' }),
      ]),
      policy('s', {
        pod_selector: { match_expressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
        policy_types: ['Ingress'],
        ingress: [
          {
            from: [{ namespace_selector: { match_expressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } }],
            ports: [tcp(1001)],
          },
          {
            from: [{ namespace_selector: { match_expressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }],
            ports: [tcp(1002)],
          },
          {
            from: [{ namespace_selector: { match_expressions: [{ key: 'legacy', operator: 'Exists', values: [] }] } }],
            ports: [tcp(1003)],
          },
          { from: [{ namespace_selector: { match_expressions: [{ key: 'env', operator: 'DoesNotExist' }] } }], ports: [tcp(1004)] },
          {
            from: [
              { namespace_selector: {}, pod_selector: { match_expressions: [{ key: 'app', operator: 'NotIn', values: ['client'] }] } },
            ],
            ports: [tcp(1005)],
          },
        ],
      }),
    );
    const reachability = reachabilityOf([stack]);
    // NotIn and DoesNotExist also match namespaces nobody named; s itself denies its own egress.
    expect(lines(reachability)).toEqual([
      'n1 -> s 1001/TCP',
      'n2 -> s 1001/TCP',
      'n2 -> s 1002/TCP',
      'n3 -> s 1002/TCP',
      'n3 -> s 1003/TCP',
      'n4 -> s 1002/TCP',
      'n4 -> s 1004/TCP',
      `${ANY_NAMESPACE_ZONE} -> s 1002/TCP`,
      `${ANY_NAMESPACE_ZONE} -> s 1004/TCP`,
      `${ANY_NAMESPACE_ZONE} -> s 1005/TCP`,
    ]);
    expect(reachability.zones).toEqual(['n1', 'n2', 'n3', 'n4', 's', ANY_NAMESPACE_ZONE]);
  });

  it('puts ipBlock peers in `outside`, in both directions, with their ranges on the side', () => {
    const stack = stackOf(
      's',
      namespace('g'),
      policy('g', DENY_ALL),
      deployment('g', 'proxy', { app: 'proxy' }, [['https', 8443]]),
      policy('g', {
        pod_selector: { match_labels: { app: 'proxy' } },
        policy_types: ['Ingress'],
        ingress: [{ from: [{ ip_block: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [tcp(8443)] }],
      }),
      policy('g', {
        pod_selector: { match_labels: { app: 'proxy' } },
        policy_types: ['Egress'],
        egress: [{ to: [{ ip_block: { cidr: '192.0.2.0/24', except: [] } }, { ip_block: { cidr: '2001:db8::/32' } }], ports: [tcp(8448)] }],
      }),
      // A pod peer never admits outside, an ipBlock never admits pods.
      policy('g', {
        pod_selector: { match_labels: {} },
        policy_types: ['Ingress'],
        ingress: [{ from: [{ pod_selector: { match_labels: {} } }], ports: [tcp(9999)] }],
      }),
    );
    expect(flowsOf(stack)).toEqual(['outside -> g 8443/TCP', 'g -> outside 8448/TCP']);
    expect(reachabilityOf([stack]).zones).toEqual([OUTSIDE_ZONE, 'g']);
    expect(outsideRangesOf([stack])).toEqual([
      { from: OUTSIDE_ZONE, to: 'g', port: '8443/TCP', ranges: ['0.0.0.0/0 except 10.0.0.0/8'] },
      { from: 'g', to: OUTSIDE_ZONE, port: '8448/TCP', ranges: ['192.0.2.0/24', '2001:db8::/32'] },
    ]);
  });

  it('matches every namespace, and any other, with an empty namespace selector', () => {
    const open: JsonObject = {
      pod_selector: { match_labels: {} },
      policy_types: ['Egress'],
      egress: [{ to: [{ namespace_selector: {} }] }],
    };
    const stack = stackOf(
      's',
      namespace('a'),
      namespace('b'),
      namespace('c'),
      ...['a', 'b', 'c'].map((name) => policy(name, DENY_ALL)),
      policy('b', open),
      policy('c', open),
      deployment('a', 'db', { app: 'db' }),
      deployment('b', 'web', { app: 'web' }),
      policy('a', {
        pod_selector: { match_labels: { app: 'db' } },
        policy_types: ['Ingress'],
        ingress: [
          { from: [{ namespace_selector: {} }], ports: [tcp(5432)] },
          // With a pod selector: those pods in every namespace (stand-ins where no workload is declared).
          { from: [{ namespace_selector: {}, pod_selector: { match_labels: { app: 'scraper' } } }], ports: [tcp(9000)] },
        ],
      }),
    );
    expect(flowsOf(stack)).toEqual([
      'b -> a 5432/TCP',
      `b -> ${ANY_NAMESPACE_ZONE} all ports`,
      'c -> a 5432/TCP',
      'c -> a 9000/TCP',
      `c -> ${ANY_NAMESPACE_ZONE} all ports`,
      `${ANY_NAMESPACE_ZONE} -> a 5432/TCP`,
      `${ANY_NAMESPACE_ZONE} -> a 9000/TCP`,
    ]);
  });

  describe('ports', () => {
    const client = [namespace('client'), policy('client', DENY_ALL), deployment('client', 'c', { app: 'c' })];
    const server = [
      namespace('server'),
      policy('server', DENY_ALL),
      deployment('server', 's', { app: 's' }, [
        ['http', 8008],
        ['metrics', 9000],
        ['dns', 53, 'UDP'],
      ]),
    ];
    const egress = (ports: readonly JsonObject[] | undefined): FixtureResource =>
      policy('client', {
        pod_selector: { match_labels: {} },
        policy_types: ['Egress'],
        egress: [{ to: [{ namespace_selector: nameSelector('server') }], ...(ports ? { ports: [...ports] } : {}) }],
      });
    const ingress = (ports: readonly JsonObject[] | undefined, selector: JsonObject = { match_labels: { app: 's' } }): FixtureResource =>
      policy('server', {
        pod_selector: selector,
        policy_types: ['Ingress'],
        ingress: [{ from: [{ namespace_selector: nameSelector('client') }], ...(ports ? { ports: [...ports] } : {}) }],
      });
    const between = (...entries: FixtureResource[]) =>
      flowsOf(stackOf('s', ...client, ...server, ...entries)).filter((line) => line.startsWith('client -> server'));

    it('reports the intersection: ranges overlap, all-ports against specific, protocols must agree', () => {
      const sent: JsonObject[] = [
        { port: '8000', end_port: 8100, protocol: 'TCP' },
        { port: 'metrics', protocol: 'TCP' },
        { protocol: 'UDP' },
        tcp(7000),
      ];
      const admitted: JsonObject[] = [
        tcp(8008),
        { port: '8050', end_port: 8200, protocol: 'TCP' },
        tcp(9000),
        { port: '53', protocol: 'UDP' },
        { port: '7000', protocol: 'UDP' },
      ];
      expect(between(egress(sent), ingress(admitted))).toEqual([
        'client -> server 53/UDP',
        'client -> server 7000/UDP',
        'client -> server 8008/TCP',
        'client -> server 8050-8100/TCP',
        'client -> server 9000/TCP',
      ]);
      expect(between(egress(undefined), ingress([tcp(5432)]))).toEqual(['client -> server 5432/TCP']);
      expect(between(egress([{ port: '53', protocol: 'UDP' }]), ingress([tcp(53)]))).toEqual([]);
      expect(between(egress(undefined), ingress(undefined))).toEqual(['client -> server all ports']);
      expect(between(egress([{ protocol: 'TCP' }]), ingress(undefined))).toEqual(['client -> server all/TCP']);
    });

    it('resolves named ports on the destination pod, and keeps the name where its containers are unknown', () => {
      expect(between(egress([tcp('http')]), ingress([tcp(8008)]))).toEqual(['client -> server 8008/TCP']);
      expect(between(egress([tcp(9000)]), ingress([tcp('metrics')]))).toEqual(['client -> server 9000/TCP']);
      expect(between(egress([tcp('http')]), ingress([tcp('http')]))).toEqual(['client -> server http/TCP']);
      expect(between(egress([tcp('http')]), ingress([tcp(9000)]))).toEqual([]);
      // Not declared by the pod: allows nothing there; declared for another protocol: neither.
      expect(between(egress([tcp('grpc')]), ingress(undefined))).toEqual([]);
      expect(between(egress([tcp('dns')]), ingress(undefined))).toEqual([]);
      expect(between(egress([{ port: 'dns', protocol: 'UDP' }]), ingress(undefined))).toEqual(['client -> server dns/UDP']);
      // A chart pod (only a policy selects it): its container ports are unknown.
      const chartPod = { match_labels: { 'app.kubernetes.io/name': 'chart' } };
      expect(between(egress([tcp('metrics')]), ingress([tcp('metrics')], chartPod))).toEqual(['client -> server metrics/TCP']);
      expect(between(egress([tcp('metrics')]), ingress([tcp(9000)], chartPod))).toEqual([]);
    });

    it('leaves out ports a wider port of the same pair already covers', () => {
      const wide = policy('server', {
        pod_selector: { match_labels: {} },
        policy_types: ['Ingress'],
        ingress: [{ from: [{ namespace_selector: nameSelector('client') }] }],
      });
      expect(between(egress(undefined), ingress([tcp(5432), { port: '53', protocol: 'UDP' }]), wide)).toEqual([
        'client -> server all ports',
      ]);
      expect(between(egress([{ protocol: 'TCP' }, { port: '53', protocol: 'UDP' }]), ingress([tcp(5432)]), wide)).toEqual([
        'client -> server all/TCP',
        'client -> server 53/UDP',
      ]);
    });
  });

  describe('policy types', () => {
    const base = [namespace('a'), deployment('a', 'app', { app: 'x' })];

    it('default to Ingress only without egress rules: egress stays open', () => {
      const ingressOnly = policy('a', {
        pod_selector: { match_labels: {} },
        ingress: [{ from: [{ pod_selector: {} }], ports: [tcp(80)] }],
      });
      expect(flowsOf(stackOf('s', ...base, ingressOnly))).toEqual([
        `a -> outside all ports`,
        'a -> a 80/TCP',
        `a -> ${ANY_NAMESPACE_ZONE} all ports`,
      ]);
    });

    it('default to Ingress and Egress with egress rules: both isolated', () => {
      const withEgress = policy('a', {
        pod_selector: { match_labels: {} },
        egress: [{ to: [{ ip_block: { cidr: '192.0.2.0/24' } }], ports: [tcp(443)] }],
      });
      expect(flowsOf(stackOf('s', ...base, withEgress))).toEqual(['a -> outside 443/TCP']);
    });

    it('are authoritative when given: egress rules of an Ingress-only policy do nothing', () => {
      const declared = policy('a', {
        pod_selector: { match_labels: {} },
        policy_types: ['Ingress'],
        ingress: [],
        egress: [{ to: [{ ip_block: { cidr: '192.0.2.0/24' } }], ports: [tcp(443)] }],
      });
      expect(flowsOf(stackOf('s', ...base, declared))).toEqual([`a -> outside all ports`, `a -> ${ANY_NAMESPACE_ZONE} all ports`]);
    });
  });

  it('lets pods no policy selects send and receive everything', () => {
    const stack = stackOf(
      's',
      namespace('open'),
      deployment('open', 'app', { app: 'app' }),
      namespace('locked'),
      policy('locked', DENY_ALL),
      deployment('locked', 'db', { app: 'db' }),
      policy('locked', {
        pod_selector: { match_labels: {} },
        policy_types: ['Ingress'],
        ingress: [{ from: [{ namespace_selector: nameSelector('open') }], ports: [tcp(80)] }],
      }),
    );
    const reachability = reachabilityOf([stack]);
    expect(lines(reachability)).toEqual([
      'outside -> open all ports',
      'open -> outside all ports',
      'open -> locked 80/TCP',
      'open -> open all ports',
      `open -> ${ANY_NAMESPACE_ZONE} all ports`,
      `${ANY_NAMESPACE_ZONE} -> open all ports`,
    ]);
    expect(reachability.zones).toEqual([OUTSIDE_ZONE, 'locked', 'open', ANY_NAMESPACE_ZONE]);
  });

  it('stands in for chart pods and for namespaces only named by selectors (e.g. the cluster DNS)', () => {
    const stack = stackOf(
      's',
      namespace('charts'),
      policy('charts', DENY_ALL),
      policy('charts', {
        pod_selector: { match_labels: {} },
        policy_types: ['Egress'],
        egress: [
          {
            to: [{ namespace_selector: nameSelector('kube-system'), pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ port: '53', protocol: 'UDP' }, tcp(53)],
          },
        ],
      }),
      policy('charts', {
        pod_selector: { match_labels: { 'app.kubernetes.io/name': 'webhook' } },
        policy_types: ['Ingress'],
        ingress: [{ from: [{ ip_block: { cidr: '192.168.0.10/32' } }], ports: [tcp(10250), tcp('https')] }],
      }),
    );
    const reachability = reachabilityOf([stack]);
    expect(lines(reachability)).toEqual([
      'outside -> charts 10250/TCP',
      'outside -> charts https/TCP',
      'charts -> kube-system 53/TCP',
      'charts -> kube-system 53/UDP',
    ]);
    expect(reachability.zones).toEqual([OUTSIDE_ZONE, 'charts', 'kube-system']);
    expect(reachability.unmanaged).toEqual(['kube-system']);
  });

  it('accepts NetworkPolicy, Namespace and workload objects in kubernetes_manifest, and nested blocks written as lists', () => {
    const manifest = (name: string, object: JsonObject): FixtureResource => ({
      type: 'kubernetes_manifest',
      name,
      body: { manifest: object },
    });
    const stack = stackOf(
      's',
      manifest('ns_a', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }),
      namespace('b'),
      manifest('deny_a', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny', namespace: 'a' },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
      manifest('web', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'a' },
        spec: {
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] },
          },
        },
      }),
      manifest('web_in', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'web-in', namespace: 'a' },
        spec: {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ namespaceSelector: { matchExpressions: [{ key: LABEL_NAMESPACE_NAME, operator: 'In', values: ['b'] }] } }],
              ports: [{ port: 'http', endPort: 9000 }],
            },
          ],
        },
      }),
      // Terraform form with list-wrapped nested blocks.
      {
        type: 'kubernetes_network_policy_v1',
        name: 'deny_b',
        body: { metadata: [{ name: 'deny', namespace: 'b' }], spec: [{ pod_selector: [{}], policy_types: ['Ingress', 'Egress'] }] },
      },
      {
        type: 'kubernetes_network_policy_v1',
        name: 'out_b',
        body: {
          metadata: [{ name: 'out', namespace: 'b' }],
          spec: [
            {
              pod_selector: [{}],
              policy_types: ['Egress'],
              egress: [{ to: [{ namespace_selector: [nameSelector('a')] }], ports: [tcp(8080)] }],
            },
          ],
        },
      },
    );
    expect(flowsOf(stack)).toEqual(['b -> a 8080/TCP']);
  });

  it('resolves namespace references across stacks and is independent of stack and resource order', () => {
    const first = stackOf('platform', namespace('a'), namespace('b'));
    const second = stackOf(
      'apps',
      policy('a', DENY_ALL),
      policy('b', DENY_ALL),
      policy('a', egressTo('b')),
      deployment('a', 'web', { app: 'web' }),
      deployment('b', 'db', { app: 'db' }),
      policy('b', { pod_selector: {}, ingress: [{ from: [{ namespace_selector: nameSelector('a') }] }] }),
    );
    const reachability = reachabilityOf([first, second]);
    expect(lines(reachability)).toEqual(['a -> b all ports']);
    expect(reachability.zones).toEqual(['a', 'b']);
    const reversed = (stack: SynthesizedStack): SynthesizedStack => ({
      name: stack.name,
      json: {
        resource: Object.fromEntries(
          Object.entries(stack.json.resource ?? {})
            .reverse()
            .map(([type, byName]) => [type, Object.fromEntries(Object.entries(byName).reverse())]),
        ),
      },
    });
    expect(reachabilityOf([reversed(second), reversed(first)])).toEqual(reachability);
  });
});

// ----------------------------------------------------------------------------------------------
// Delta and rendering
// ----------------------------------------------------------------------------------------------

const flow = (from: string, to: string, port: string): ReachabilityFlow => ({ from, to, port });

describe('reachabilityDelta', () => {
  const before: Reachability = {
    zones: ['a', 'b', 'c'],
    flows: [flow('a', 'b', '8008/TCP'), flow('a', 'c', '53/UDP'), flow('b', 'c', '9000-9100/TCP')],
  };
  const after: Reachability = {
    zones: ['a', 'b', 'c', 'd'],
    flows: [flow('a', 'b', 'all ports'), flow('a', 'd', '443/TCP'), flow('b', 'c', '9000-9100/TCP')],
  };

  it('lists what a change opens and closes; a port still covered by a wider one is no change', () => {
    expect(reachabilityDelta(before, after)).toEqual({
      opened: [flow('a', 'b', 'all ports'), flow('a', 'd', '443/TCP')],
      closed: [flow('a', 'c', '53/UDP')],
    });
    expect(reachabilityDelta(after, before)).toEqual({
      opened: [flow('a', 'c', '53/UDP')],
      closed: [flow('a', 'b', 'all ports'), flow('a', 'd', '443/TCP')],
    });
    expect(reachabilityDelta(before, before)).toEqual({ opened: [], closed: [] });
  });

  it('treats a narrowed range as closing the old one and a range inside it as nothing new', () => {
    const narrowed: Reachability = { zones: ['b', 'c'], flows: [flow('b', 'c', '9050/TCP')] };
    expect(reachabilityDelta(before, narrowed).closed).toContainEqual(flow('b', 'c', '9000-9100/TCP'));
    expect(reachabilityDelta(before, narrowed).opened).toEqual([]);
  });
});

describe('renderReachabilityMatrix', () => {
  const reachability: Reachability = {
    zones: [OUTSIDE_ZONE, 'a', 'b', 'kube-system'],
    flows: [
      flow(OUTSIDE_ZONE, 'a', '8443/TCP'),
      flow('a', 'b', '9000-9100/TCP'),
      flow('a', 'b', '8008/TCP'),
      flow('a', 'kube-system', '53/UDP'),
      flow('a', 'kube-system', '53/TCP'),
    ],
    unmanaged: ['kube-system'],
  };

  it('draws rows = from and columns = to, ports in port order, `·` for nothing, and a legend line', () => {
    const text = renderReachabilityMatrix(reachability, 'Reachability after');
    const table = text.split('\n');
    expect(table[0]).toBe('**Reachability after**');
    expect(table).toContain('| from \\ to | outside | a | b | kube-system |');
    expect(table).toContain('|---|---|---|---|---|');
    expect(table).toContain('| **outside** | · | 8443/TCP | · | · |');
    expect(table).toContain('| **a** | · | · | 8008/TCP, 9000-9100/TCP | 53/TCP, 53/UDP |');
    expect(table).toContain('| **b** | · | · | · | · |');
    const legend = table.find((line) => line.startsWith('Rows: from, columns: to'));
    expect(legend).toMatch(/`·` none/);
    expect(legend).toMatch(/`outside`: addresses outside the cluster/);
    expect(legend).toMatch(/modelled without NetworkPolicies: kube-system\.$/);
    expect(legend).not.toMatch(/any namespace/);
  });

  it('defaults the title and draws zones only the flows mention', () => {
    const text = renderReachabilityMatrix({ zones: ['a'], flows: [flow('a', 'z', '80/TCP')] });
    expect(text.startsWith('**Reachability**\n')).toBe(true);
    expect(text).toContain('| **a** | · | 80/TCP |');
  });
});

// ----------------------------------------------------------------------------------------------
// The real deployments against the flow model
// ----------------------------------------------------------------------------------------------

/** Every namespace the deployment declares, from the model. */
function declaredNamespaces(config: DeploymentConfig): string[] {
  const homeservers = config.homeservers.flatMap((homeserver) =>
    homeserverCompartments(homeserver).map((compartment) => homeserverNamespace(homeserver.name, compartment)),
  );
  return [...homeservers, ...PLATFORM_COMPONENTS.map((component) => platformNamespace(config.deploymentName, component))];
}

/** The zone-level matrix the flow model declares: its flows, plus every namespace's DNS baseline. */
function modelMatrix(config: DeploymentConfig): string[] {
  const zoneOf = (endpoint: FlowEndpoint, homeserverName: string | undefined): string => {
    if (endpoint.kind === 'outside') return OUTSIDE_ZONE;
    if (endpoint.kind === 'pods') return endpoint.namespace;
    if (homeserverName === undefined) throw new Error(`workload ${endpoint.workload} outside a homeserver`);
    return homeserverNamespace(homeserverName, endpoint.compartment);
  };
  const line = (flowDeclared: Flow, homeserverName?: string) =>
    `${zoneOf(flowDeclared.from, homeserverName)} -> ${zoneOf(flowDeclared.to, homeserverName)} ${flowDeclared.port}/${flowDeclared.protocol}`;
  const dns = config.kubernetes.dns.namespace;
  return [
    ...config.homeservers.flatMap((homeserver) => flowMatrix(config, homeserver).map((declared) => line(declared, homeserver.name))),
    ...platformFlowMatrix(config).map((declared) => line(declared)),
    ...declaredNamespaces(config).flatMap((namespaceName) => [`${namespaceName} -> ${dns} 53/UDP`, `${namespaceName} -> ${dns} 53/TCP`]),
  ];
}

const sortedUnique = (values: readonly string[]) => [...new Set(values)].sort();

describe.each([
  ['default deployment', 'default'],
  ['3-homeserver fleet', 'fleet'],
] as const)('the synthesized %s', (_name, deployment) => {
  const config = loadDeploymentConfig(SHARED_CONFIG_FILES[deployment]);
  const stacks = readSynthesizedStacks(sharedSynthesis(deployment));
  const reachability = reachabilityOf(stacks);
  const flows = lines(reachability);
  const reaching = (to: string) => reachability.flows.filter((candidate) => candidate.to === to);

  it('equals the flow model (flows plus the DNS baseline), nothing more, nothing less', () => {
    expect(sortedUnique(flows)).toEqual(sortedUnique(modelMatrix(config)));
  });

  it('lists every declared namespace, the cluster DNS and the site Prometheus namespaces, and outside first', () => {
    const expected = [OUTSIDE_ZONE, ...declaredNamespaces(config), config.kubernetes.dns.namespace, config.monitoring.namespace];
    expect([...reachability.zones].sort()).toEqual(sortedUnique(expected));
    expect(reachability.zones[0]).toBe(OUTSIDE_ZONE);
    expect(reachability.unmanaged).toEqual(sortedUnique([config.kubernetes.dns.namespace, config.monitoring.namespace]));
  });

  for (const homeserver of config.homeservers) {
    const ns = (compartment: (typeof HOMESERVER_COMPARTMENTS)[number]) => homeserverNamespace(homeserver.name, compartment);
    const declared = flowMatrix(config, homeserver);

    it(`${homeserver.name}: the gateway reaches the homeserver on its listener port; outside reaches the gateway and only the SFU's media ports besides`, () => {
      const listener = declared.find(
        (candidate) =>
          candidate.from.kind === 'workload' &&
          candidate.from.compartment === 'gateway' &&
          candidate.to.kind === 'workload' &&
          candidate.to.compartment === 'homeserver',
      );
      expect(listener).toBeDefined();
      expect(flows).toContain(`${ns('gateway')} -> ${ns('homeserver')} ${listener?.port}/TCP`);
      const compartments = HOMESERVER_COMPARTMENTS.map(ns);
      const fromOutside = reachability.flows.filter((candidate) => candidate.from === OUTSIDE_ZONE && compartments.includes(candidate.to));
      expect(new Set(fromOutside.map((candidate) => candidate.to))).toEqual(
        new Set([ns('gateway'), ...(homeserver.calls ? [ns('calls')] : [])]),
      );
      expect(fromOutside.map((candidate) => `${candidate.to} ${candidate.port}`).sort()).toEqual(
        declared
          .filter((candidate) => candidate.from.kind === 'outside')
          .map(
            (candidate) =>
              `${ns(candidate.to.kind === 'workload' ? candidate.to.compartment : 'gateway')} ${candidate.port}/${candidate.protocol}`,
          )
          .sort(),
      );
    });

    if (homeserver.directory.mode === 'in-cluster') {
      it(`${homeserver.name}: nothing reaches the directory but the identity provider (and the site Prometheus where the model says so)`, () => {
        const expected = declared.filter((candidate) => candidate.to.kind === 'workload' && candidate.to.compartment === 'directory');
        expect(
          reaching(ns('directory'))
            .map((candidate) => `${candidate.from} ${candidate.port}`)
            .sort(),
        ).toEqual(
          expected
            .map((candidate) => {
              const from =
                candidate.from.kind === 'pods'
                  ? candidate.from.namespace
                  : candidate.from.kind === 'workload'
                    ? ns(candidate.from.compartment)
                    : candidate.from.kind;
              return `${from} ${candidate.port}/${candidate.protocol}`;
            })
            .sort(),
        );
        expect(expected.some((candidate) => candidate.from.kind === 'workload' && candidate.from.compartment === 'identity')).toBe(true);
        expect(expected.some((candidate) => candidate.from.kind === 'workload' && candidate.from.compartment === 'homeserver')).toBe(false);
      });
    }
  }

  it('lets every declared namespace resolve names at the cluster DNS, on 53/UDP and 53/TCP', () => {
    const dns = config.kubernetes.dns.namespace;
    for (const namespaceName of declaredNamespaces(config)) {
      expect(flows).toContain(`${namespaceName} -> ${dns} 53/UDP`);
      expect(flows).toContain(`${namespaceName} -> ${dns} 53/TCP`);
    }
  });

  it("gives outside only the gateways, the SFUs' media ports and the API server webhooks, each from the configured ranges", () => {
    const webhookNamespaces = new Set(
      platformFlowMatrix(config)
        .filter((candidate) => candidate.from.kind === 'outside' && candidate.to.kind === 'pods')
        .map((candidate) => (candidate.to.kind === 'pods' ? candidate.to.namespace : '')),
    );
    const gateways = new Set(
      config.homeservers.flatMap((homeserver) => [
        homeserverNamespace(homeserver.name, 'gateway'),
        ...(homeserver.calls ? [homeserverNamespace(homeserver.name, 'calls')] : []),
      ]),
    );
    for (const candidate of reachability.flows.filter((entry) => entry.from === OUTSIDE_ZONE))
      expect(gateways.has(candidate.to) || webhookNamespaces.has(candidate.to)).toBe(true);
    const ranges = outsideRangesOf(stacks);
    for (const entry of ranges.filter((candidate) => webhookNamespaces.has(candidate.to)))
      expect(entry.ranges).toEqual([...config.kubernetes.apiServer.cidrs].sort());
    for (const homeserver of config.homeservers) {
      const entry = ranges.find(
        (candidate) => candidate.from === OUTSIDE_ZONE && candidate.to === homeserverNamespace(homeserver.name, 'gateway'),
      );
      expect(entry?.ranges).toEqual([...homeserver.gateway.ingressCidrs].sort());
      const media = ranges.find(
        (candidate) => candidate.from === OUTSIDE_ZONE && candidate.to === homeserverNamespace(homeserver.name, 'calls'),
      );
      expect(media?.ranges).toEqual(homeserver.calls ? [...homeserver.calls.media.ingressCidrs].sort() : undefined);
    }
  });

  it('renders one row and one column per zone', () => {
    const table = renderReachabilityMatrix(reachability)
      .split('\n')
      .filter((row) => row.startsWith('| **'));
    expect(table).toHaveLength(reachability.zones.length);
    for (const row of table) expect(row.split(' | ')).toHaveLength(reachability.zones.length + 1);
  });
});
