/**
 * The Prometheus Operator resources of a homeserver (monitoring.coreos.com/v1): one PodMonitor
 * per compartment with scrape targets, and one PrometheusRule with its alerts. Both carry the
 * site's `monitoring.resourceLabels`, so the site's Prometheus selects them.
 */
import { LABEL_WORKLOAD } from '../../model/compartments';
import type { ScrapeTarget } from '../../model/monitoring';
import { API_VERSIONS, type KubernetesObject } from '../manifests/kubernetes-object';
import { HOMESERVER_TARGET_LABEL, WORKLOAD_TARGET_LABEL, type RuleGroup } from './alert-rules';

/** Scrape often enough for the 5-minute rate windows of the alerts, whatever the site's default. */
export const SCRAPE_INTERVAL = '30s';
export const SCRAPE_TIMEOUT = '10s';

/** Prometheus' Kubernetes discovery exposes pod labels as `__meta_kubernetes_pod_label_<name, non-alphanumerics as _>`. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export interface PodMonitorInput {
  readonly name: string;
  readonly namespace: string;
  readonly homeserverName: string;
  /** Targets of this namespace only; they must share one port name and path. */
  readonly targets: readonly ScrapeTarget[];
  readonly labels: Readonly<Record<string, string>>;
}

export function podMonitor(input: PodMonitorInput): KubernetesObject {
  const endpoints = [...new Set(input.targets.map((target) => `${target.port.name} ${target.path}`))];
  const [first] = input.targets;
  if (!first || endpoints.length !== 1)
    throw new Error(`PodMonitor ${input.namespace}/${input.name} needs targets sharing one port and path, got [${endpoints.join(', ')}]`);
  return {
    apiVersion: API_VERSIONS.monitoring,
    kind: 'PodMonitor',
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      // Only the workloads the flow matrix admits Prometheus to; never every pod of the namespace.
      selector: { matchExpressions: [{ key: LABEL_WORKLOAD, operator: 'In', values: input.targets.map((target) => target.workload) }] },
      namespaceSelector: { matchNames: [input.namespace] },
      podMetricsEndpoints: [
        {
          port: first.port.name,
          scheme: 'http',
          path: first.path,
          interval: SCRAPE_INTERVAL,
          scrapeTimeout: SCRAPE_TIMEOUT,
          relabelings: [
            { action: 'replace', sourceLabels: [podLabelMeta(LABEL_WORKLOAD)], targetLabel: WORKLOAD_TARGET_LABEL },
            { action: 'replace', replacement: input.homeserverName, targetLabel: HOMESERVER_TARGET_LABEL },
          ],
        },
      ],
    },
  };
}

export interface PrometheusRuleInput {
  readonly name: string;
  readonly namespace: string;
  readonly groups: readonly RuleGroup[];
  readonly labels: Readonly<Record<string, string>>;
}

export function prometheusRule(input: PrometheusRuleInput): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.monitoring,
    kind: 'PrometheusRule',
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      groups: input.groups.map((group) => ({
        name: group.name,
        rules: group.rules.map((rule) => ({
          alert: rule.alert,
          expr: rule.expr,
          for: rule.for,
          labels: { ...rule.labels },
          annotations: { ...rule.annotations },
        })),
      })),
    },
  };
}
