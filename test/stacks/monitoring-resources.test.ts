/**
 * The scraping and alerting resources as synthesized: one PodMonitor per compartment with
 * scrape targets and one PrometheusRule per homeserver, carrying the site's selector labels;
 * and the network side: only the site's Prometheus may reach the metrics ports, and nothing is
 * written into its namespace. Their validation against the Prometheus Operator's CRDs is in
 * monitoring-resources.ttest.ts (npm run test:tools).
 */
import { SIGNAL_LABEL } from '../../model/alert-signals';
import { LABEL_NAMESPACE_NAME, LABEL_WORKLOAD } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { POSTGRES_POD_SELECTOR } from '../../model/postgres';
import { block, blocks, metadataOf, namespaceOf, resources, stringMap } from '../../tfjson/terraform-json';
import { SHARED_CONFIG_FILES } from '../support/shared-synthesis';
import { monitoringObjects, synthesize } from './monitoring-fixture';

const [POSTGRES_CLUSTER_LABEL = ''] = Object.keys(POSTGRES_POD_SELECTOR);

describe.each([
  ['default deployment', 'default'],
  ['3-homeserver fleet', 'fleet'],
] as const)('%s', (_name, deployment) => {
  const config = loadDeploymentConfig(SHARED_CONFIG_FILES[deployment]);
  const stacks = synthesize(deployment);
  const objects = monitoringObjects(stacks);

  it('has a PodMonitor in the gateway, homeserver and media compartments and one PrometheusRule per homeserver, in its gateway namespace', () => {
    expect(
      objects.map(({ stack, object }) => `${stack} ${object.kind} ${object.metadata.namespace}/${object.metadata.name}`).sort(),
    ).toEqual(
      config.homeservers
        .flatMap((homeserver) => [
          `${homeserver.name}-gateway PodMonitor ${homeserver.name}-gateway/gateway-metrics`,
          `${homeserver.name}-gateway PrometheusRule ${homeserver.name}-gateway/exfiltration-alerts`,
          `${homeserver.name}-homeserver PodMonitor ${homeserver.name}-homeserver/homeserver-metrics`,
          `${homeserver.name}-homeserver PodMonitor ${homeserver.name}-homeserver/homeserver-postgres-metrics`,
          `${homeserver.name}-media PodMonitor ${homeserver.name}-media/media-metrics`,
        ])
        .sort(),
    );
  });

  it('labels them for the site Prometheus Operator, and every alert with its signal and severity', () => {
    for (const { object } of objects) {
      expect(object.metadata.labels).toMatchObject(config.monitoring.resourceLabels);
      if (object.kind !== 'PrometheusRule') continue;
      const rules = (object.spec as { groups: { rules: { labels: Record<string, string> }[] }[] }).groups.flatMap((group) => group.rules);
      expect(rules.length).toBeGreaterThanOrEqual(6);
      for (const rule of rules) expect(Object.keys(rule.labels)).toEqual(expect.arrayContaining(['severity', SIGNAL_LABEL]));
    }
  });

  it('scrapes only the workloads the flow matrix admits Prometheus to, on their metrics port', () => {
    const selected = new Map<string, string[]>();
    for (const { object } of objects.filter(({ object: candidate }) => candidate.kind === 'PodMonitor')) {
      const spec = object.spec as {
        selector: { matchExpressions: { key: string; values: string[] }[] };
        podMetricsEndpoints: { port: string; scheme: string }[];
      };
      expect(spec.selector.matchExpressions.map((expression) => expression.key)).toEqual([LABEL_WORKLOAD]);
      expect(spec.podMetricsEndpoints.map((endpoint) => `${endpoint.port} ${endpoint.scheme}`)).toEqual(['metrics http']);
      const namespace = object.metadata.namespace ?? '';
      selected.set(namespace, [...(selected.get(namespace) ?? []), ...spec.selector.matchExpressions[0]!.values]);
    }
    // Per namespace, the PodMonitors together select exactly the workloads Prometheus is admitted to (each once).
    for (const [namespace, workloads] of selected) {
      const stack = stacks.find((candidate) => candidate.name === namespace)!;
      const admitted = resources(stack, 'kubernetes_network_policy_v1')
        .filter((policy) => String(metadataOf(policy).name).startsWith('ingress-prometheus-to-'))
        .map((policy) => {
          // Our workloads by their label; the database by its operator's cluster label (which names the cluster, the workload).
          const selector = stringMap(block(block(policy.body.spec)?.pod_selector)?.match_labels);
          return selector[LABEL_WORKLOAD] ?? selector[POSTGRES_CLUSTER_LABEL];
        });
      expect(workloads.sort()).toEqual(admitted.sort());
    }
  });

  it('admits the site Prometheus (and nothing else) to the metrics ports, writing no policy in its namespace', () => {
    for (const stack of stacks) {
      for (const policy of resources(stack, 'kubernetes_network_policy_v1')) {
        expect(namespaceOf(policy, stack)).not.toBe(config.monitoring.namespace);
        const spec = block(policy.body.spec);
        for (const rule of blocks(spec?.ingress)) {
          const ports = blocks(rule.ports).map((port) => String(port.port));
          const fromPrometheus = blocks(rule.from).every(
            (peer) => stringMap(block(peer.namespace_selector)?.match_labels)[LABEL_NAMESPACE_NAME] === config.monitoring.namespace,
          );
          if (ports.includes('9000') || ports.includes('8404') || ports.includes('9187')) expect(fromPrometheus).toBe(true);
          if (fromPrometheus) {
            expect(ports.every((port) => ['9000', '8404', '9187'].includes(port))).toBe(true);
            for (const peer of blocks(rule.from))
              expect(stringMap(block(peer.pod_selector)?.match_labels)).toEqual(config.monitoring.prometheusPodLabels);
          }
        }
      }
    }
  });
});
