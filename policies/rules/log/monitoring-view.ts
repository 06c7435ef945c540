/**
 * What LOG-02 reads: the Prometheus Operator objects of a stack (PodMonitors, PrometheusRules),
 * the metrics ports of its typed pods with their template labels, and Kubernetes label
 * selectors in both spellings (manifests: matchLabels; typed resources: match_labels).
 */
import { requirementHolds } from '../../label-selector-requirement';
import { manifests, type ManifestView } from '../../manifests';
import { block, blocks, isObject, namespaceOf, podSpecs, stringMap, type JsonObject, type SynthesizedStack } from '../../terraform-json';

export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';
export const METRICS_PORT_NAME = 'metrics';

export function monitoringObjects(stack: SynthesizedStack, kind: 'PodMonitor' | 'PrometheusRule'): ManifestView[] {
  return manifests(stack).filter((view) => view.object.apiVersion === MONITORING_API_VERSION && view.kind === kind);
}

/** Whether a label selector (matchLabels AND every matchExpressions requirement) selects `labels`; an absent selector selects nothing. */
export function selectorMatches(selector: JsonObject | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const matchLabels = stringMap(selector.matchLabels ?? selector.match_labels);
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  return blocks(selector.matchExpressions ?? selector.match_expressions).every((requirement) => {
    const key = typeof requirement.key === 'string' ? requirement.key : '';
    const values = Array.isArray(requirement.values) ? requirement.values.map(String) : [];
    return requirementHolds(requirement.operator, values, labels[key]);
  });
}

export interface MetricsPort {
  /** `<resource> container "<name>" port "metrics"`. */
  readonly address: string;
  readonly namespace: string | undefined;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly number: number | undefined;
}

/** The labels of the pods a controller creates (its template's; a bare pod's own). */
function templateLabels(type: string, spec: JsonObject | undefined, metadata: JsonObject | undefined): Record<string, string> {
  if (type.startsWith('kubernetes_pod')) return stringMap(metadata?.labels);
  const template = type.startsWith('kubernetes_cron_job') ? block(block(block(spec?.job_template)?.spec)?.template) : block(spec?.template);
  return stringMap(block(template?.metadata)?.labels);
}

export interface PodTemplate {
  readonly namespace: string | undefined;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Its containers' ports named `metrics` (init containers excluded). */
  readonly metrics: readonly MetricsPort[];
}

/** The pods the stack's typed controllers create: namespace, labels and metrics ports. */
export function podTemplates(stack: SynthesizedStack): PodTemplate[] {
  return podSpecs(stack).map((view) => {
    const podLabels = templateLabels(view.resource.type, block(view.resource.body.spec), block(view.resource.body.metadata));
    const namespace = namespaceOf(view.resource, stack);
    const metrics = blocks(view.podSpec.container).flatMap((container) =>
      blocks(container.port)
        .filter((port) => port.name === METRICS_PORT_NAME)
        .map((port): MetricsPort => {
          const number = Number(port.container_port);
          return { address: `${view.resource.address} container "${String(container.name ?? '?')}" port "${METRICS_PORT_NAME}"`, namespace, podLabels, number: Number.isInteger(number) ? number : undefined };
        }),
    );
    return { namespace, podLabels, metrics };
  });
}

/** Every container port named `metrics` of the stack's typed pods. */
export function metricsPorts(stack: SynthesizedStack): MetricsPort[] {
  return podTemplates(stack).flatMap((pod) => pod.metrics);
}

/** Whether a PodMonitor scrapes a port: same namespace (or its namespaceSelector names it), selector matching the pod, an endpoint on the port. */
export function podMonitorScrapes(monitor: ManifestView, port: MetricsPort): boolean {
  const spec = block(monitor.object.spec) ?? {};
  const namespaceSelector = block(spec.namespaceSelector);
  const names = Array.isArray(namespaceSelector?.matchNames) ? namespaceSelector.matchNames.map(String) : [];
  const inNamespace = namespaceSelector?.any === true || (names.length > 0 ? port.namespace !== undefined && names.includes(port.namespace) : monitor.namespace === port.namespace);
  if (!inNamespace || monitor.namespace !== port.namespace) return false;
  if (!selectorMatches(isObject(spec.selector) ? spec.selector : undefined, port.podLabels)) return false;
  return blocks(spec.podMetricsEndpoints).some(
    (endpoint) => endpoint.port === METRICS_PORT_NAME || endpoint.targetPort === METRICS_PORT_NAME || (port.number !== undefined && (Number(endpoint.portNumber) === port.number || Number(endpoint.targetPort) === port.number)),
  );
}

/** A Prometheus duration (`5m`, `1h30m`, `0s`) in milliseconds; undefined if it is not one. */
export function prometheusDuration(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const match = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(value);
  if (!match) return value === '0' ? 0 : undefined;
  const units = [365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1];
  return units.reduce((total, unit, index) => total + Number(match[index + 1] ?? 0) * unit, 0);
}
