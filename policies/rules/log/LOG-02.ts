import { SIGNAL_LABEL, SIGNALS } from '../../../model/alert-signals';
import { LABEL_NAMESPACE_NAME } from '../../../model/compartments';
import { POSTGRES_METRICS_PORT } from '../../../model/postgres';
import { GATEWAY_METRICS_PORT, SYNAPSE_PORTS } from '../../../model/workload-spec';
import { gatewayConfigFiles } from '../../../tfjson/haproxy-config';
import { EVERYTHING, selects, type LabelSelector } from '../../../tfjson/label-selectors';
import { manifests, type ManifestView } from '../../../tfjson/manifests';
import {
  METRICS_PORT_NAME,
  metricsPorts,
  MONITORING_API_VERSION,
  monitoringObjects,
  podMonitorScrapes,
  podTemplates,
  prometheusDuration,
  type PodTemplate,
} from '../../../tfjson/monitoring-objects';
import { networkPolicies, type NetworkPolicyView, type PolicyRule } from '../../../tfjson/reachability';
import { block, blocks, stringMap, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

/**
 * The ports the project's metrics listeners use (Synapse, HAProxy's exporter, PostgreSQL's instance manager): for policies
 * that select no pod of the stack (the database's pods are the operator's, not the stack's).
 */
const KNOWN_METRICS_PORTS = [SYNAPSE_PORTS.metrics.containerPort, GATEWAY_METRICS_PORT.containerPort, POSTGRES_METRICS_PORT.containerPort];

// ---------------------------------------------------------------- (a) alerts for every signal

interface AlertView {
  readonly address: string;
  readonly name: string;
  readonly signal: string;
  readonly problems: string[];
}

function alertsOf(rule: ManifestView): AlertView[] {
  return blocks(block(rule.object.spec)?.groups).flatMap((group) =>
    blocks(group.rules)
      .filter((entry) => typeof entry.alert === 'string')
      .flatMap((entry): AlertView[] => {
        const labels = stringMap(entry.labels);
        const signal = labels[SIGNAL_LABEL];
        if (signal === undefined || !(SIGNALS as readonly string[]).includes(signal)) return [];
        const problems: string[] = [];
        const expr = typeof entry.expr === 'number' ? String(entry.expr) : entry.expr;
        if (typeof expr !== 'string' || expr.trim() === '') problems.push('has no expr');
        const hold = prometheusDuration(entry.for);
        if (hold === undefined || hold <= 0)
          problems.push(
            `has "for" ${entry.for === undefined ? 'unset' : JSON.stringify(entry.for)}: it must hold for a duration > 0, so that one scrape blip does not page`,
          );
        if (!labels.severity?.trim()) problems.push('has no severity label: it cannot be routed');
        return [{ address: `${rule.resource.address} alert ${String(entry.alert)}`, name: String(entry.alert), signal, problems }];
      }),
  );
}

function alertViolations(stack: SynthesizedStack): Violation[] {
  const [gateway] = gatewayConfigFiles(stack);
  const rules = monitoringObjects(stack, 'PrometheusRule');
  const alerts = rules.flatMap(alertsOf);
  const violations: Violation[] = alerts.flatMap((alert) =>
    alert.problems.map((problem) => ({ address: alert.address, message: `alert ${alert.name} (${alert.signal}) ${problem}` })),
  );
  if (!gateway) return violations;
  if (rules.length === 0)
    return [
      ...violations,
      {
        address: gateway.address,
        message: `the stack serves the gateway but holds no ${MONITORING_API_VERSION} PrometheusRule: exfiltration and abuse raise no alert`,
      },
    ];
  for (const signal of SIGNALS) {
    if (!alerts.some((alert) => alert.signal === signal && alert.problems.length === 0)) {
      violations.push({
        address: gateway.address,
        message: `no complete alerting rule with ${SIGNAL_LABEL}=${signal} in the stack's PrometheusRules`,
      });
    }
  }
  return violations;
}

// ---------------------------------------------------------------- (b) every metrics port scraped

function scrapeViolations(stack: SynthesizedStack): Violation[] {
  const monitors = monitoringObjects(stack, 'PodMonitor');
  return metricsPorts(stack)
    .filter((port) => !monitors.some((monitor) => podMonitorScrapes(monitor, port)))
    .map((port) => ({
      address: port.address,
      message: `${port.number ?? '?'} is not scraped: no PodMonitor in ${port.namespace ?? '(no namespace)'} selects the pod (${
        Object.entries(port.podLabels)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ') || 'no labels'
      }) on port ${METRICS_PORT_NAME}; an unwatched endpoint is a blind spot`,
    }));
}

// ---------------------------------------------------------------- (c) metrics reachable from the monitoring namespace only

/**
 * The metrics port numbers of the pods a policy selects; the known ones when it selects no pod
 * of the stack (its pods live elsewhere); none when its pods have no metrics port.
 */
function metricsPortsOf(policy: NetworkPolicyView, pods: readonly PodTemplate[]): number[] {
  const selected = pods.filter((pod) => pod.namespace === policy.namespace && selects(policy.podSelector ?? EVERYTHING, pod.podLabels));
  if (selected.length === 0) return KNOWN_METRICS_PORTS;
  return [...new Set(selected.flatMap((pod) => pod.metrics.flatMap((port) => (port.number === undefined ? [] : [port.number]))))];
}

function admitsMetrics(rule: PolicyRule, numbers: readonly number[]): boolean {
  return rule.ports.some((spec) => {
    if (spec.kind === 'all' || spec.kind === 'protocol') return true;
    if (spec.kind === 'named') return spec.name === METRICS_PORT_NAME;
    return numbers.some((number) => number >= spec.first && number <= spec.last);
  });
}

/** Whether a namespace selector selects exactly the one namespace `name` (by its kubernetes.io/metadata.name label). */
function onlyNamespace(selector: LabelSelector | undefined, name: string): boolean {
  if (!selector) return false;
  if (selector.matchLabels[LABEL_NAMESPACE_NAME] === name) return true;
  return selector.requirements.some(
    (requirement) =>
      requirement.key === LABEL_NAMESPACE_NAME &&
      requirement.operator === 'In' &&
      requirement.values.length > 0 &&
      requirement.values.every((value) => value === name),
  );
}

function exposureViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const monitoring = context.facts?.monitoring.namespace;
  if (monitoring === undefined) return [];
  const pods = podTemplates(stack);
  const violations: Violation[] = [];
  for (const policy of networkPolicies(stack)) {
    const numbers = metricsPortsOf(policy, pods);
    if (numbers.length === 0) continue;
    policy.ingress.forEach((rule, index) => {
      if (!admitsMetrics(rule, numbers)) return;
      const address = `${policy.address} ingress[${index}]`;
      if (rule.peers.length === 0)
        violations.push({
          address,
          message: `admits every source to the metrics port (${numbers.join(', ')}): only the monitoring namespace ${monitoring} may scrape it`,
        });
      for (const peer of rule.peers) {
        const namespaceSelector = peer.kind === 'pods' ? peer.namespaceSelector : undefined;
        const ownNamespace = peer.kind !== 'ipBlock' && namespaceSelector === undefined && policy.namespace === monitoring;
        if (ownNamespace || onlyNamespace(namespaceSelector, monitoring)) continue;
        const who =
          peer.kind === 'ipBlock'
            ? 'an address block'
            : namespaceSelector === undefined
              ? `pods of its own namespace ${policy.namespace ?? '?'}`
              : 'a namespace selector that is not exactly the monitoring namespace';
        violations.push({
          address,
          message: `admits ${who} to the metrics port (${numbers.join(', ')}): only the monitoring namespace ${monitoring} (${LABEL_NAMESPACE_NAME}) may scrape it`,
        });
      }
    });
  }
  return violations;
}

// ---------------------------------------------------------------- (d) selected by the site's Prometheus

function selectionViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const wanted = context.facts?.monitoring.resourceLabels;
  if (!wanted) return [];
  return [...monitoringObjects(stack, 'PodMonitor'), ...monitoringObjects(stack, 'PrometheusRule')].flatMap((view) => {
    const labels = stringMap(block(view.object.metadata)?.labels);
    const missing = Object.entries(wanted).filter(([key, value]) => labels[key] !== value);
    return missing.length === 0
      ? []
      : [
          {
            address: view.resource.address,
            message: `${view.label} lacks ${missing.map(([key, value]) => `${key}=${value}`).join(', ')} (monitoring.resourceLabels): the site's Prometheus Operator ignores it`,
          },
        ];
  });
}

/**
 * Exfiltration and abuse raise alerts: a stack holding the gateway holds a PrometheusRule with
 * a complete alert (expr, for > 0, severity) for each signal (media exfiltration, directory
 * scraping, credential stuffing, monitoring gap); every container port named metrics is
 * scraped by a PodMonitor of its namespace; with site config, ingress rules that admit a
 * metrics port admit only the monitoring namespace, and the PodMonitors and PrometheusRules
 * carry the labels the site's Prometheus selects.
 */
export const rule: Rule = {
  id: 'LOG-02',
  title: 'Exfiltration and abuse raise alerts',
  level: 'error',
  lesson:
    '14 GB of media left and the directory was scraped without anyone being told: bulk downloads, scraping and password guessing must page someone, and a blind monitor must page too.',
  references: {
    nsaCisa: 'Audit logging and threat detection: Threat detection and alerting',
    anssi: 'ANSSI-PA-012 (architecture of a logging system): analyse the collected events to detect incidents',
  },
  siteFacts: {
    facts: ['monitoring'],
    unjudged:
      "that only the monitoring namespace may reach metrics ports, and that PodMonitors and PrometheusRules carry the labels the site's Prometheus selects",
  },
  fix: 'Keep the rendered monitoring objects (render/monitoring/homeserver-monitoring.ts): the exfiltration-alerts PrometheusRule in the gateway stack, a PodMonitor per compartment selecting every workload with a metrics port, the ingress-prometheus-to-* policies from the monitoring namespace only, and monitoring.resourceLabels on each.',
  appliesTo: {
    subject: 'gateway, metrics port, Prometheus Operator object or (with site facts) NetworkPolicy',
    presentIn: (stack, context) =>
      gatewayConfigFiles(stack).length > 0 ||
      metricsPorts(stack).length > 0 ||
      manifests(stack).some((view) => view.object.apiVersion === MONITORING_API_VERSION) ||
      (context.facts !== undefined && networkPolicies(stack).length > 0),
  },
  check: (stack, context) => [
    ...alertViolations(stack),
    ...scrapeViolations(stack),
    ...exposureViolations(stack, context),
    ...selectionViolations(stack, context),
  ],
};
