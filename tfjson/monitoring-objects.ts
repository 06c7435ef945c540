/**
 * The Prometheus Operator objects of a stack (PodMonitors, PrometheusRules), the metrics ports
 * of its typed pods with their template labels, and which PodMonitor scrapes which port.
 */
import { selectorOf, selects } from './label-selectors';
import { manifests, type ManifestView } from './manifests';
import { podLabelsOf, podSpecs } from './pod-specs';
import { block, blocks, namespaceOf, type SynthesizedStack } from './terraform-json';

export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';
export const METRICS_PORT_NAME = 'metrics';

export function monitoringObjects(stack: SynthesizedStack, kind: 'PodMonitor' | 'PrometheusRule'): ManifestView[] {
  return manifests(stack).filter((view) => view.object.apiVersion === MONITORING_API_VERSION && view.kind === kind);
}

export interface MetricsPort {
  /** `<resource> container "<name>" port "metrics"`. */
  readonly address: string;
  readonly namespace: string | undefined;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly number: number | undefined;
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
    const podLabels = podLabelsOf(view.resource);
    const namespace = namespaceOf(view.resource, stack);
    const metrics = blocks(view.podSpec.container).flatMap((container) =>
      blocks(container.port)
        .filter((port) => port.name === METRICS_PORT_NAME)
        .map((port): MetricsPort => {
          const number = Number(port.container_port);
          return {
            address: `${view.resource.address} container "${String(container.name ?? '?')}" port "${METRICS_PORT_NAME}"`,
            namespace,
            podLabels,
            number: Number.isInteger(number) ? number : undefined,
          };
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
  const inNamespace =
    namespaceSelector?.any === true ||
    (names.length > 0 ? port.namespace !== undefined && names.includes(port.namespace) : monitor.namespace === port.namespace);
  if (!inNamespace || monitor.namespace !== port.namespace) return false;
  const selector = selectorOf(spec.selector);
  if (!selector || !selects(selector, port.podLabels)) return false;
  return blocks(spec.podMetricsEndpoints).some(
    (endpoint) =>
      endpoint.port === METRICS_PORT_NAME ||
      endpoint.targetPort === METRICS_PORT_NAME ||
      (port.number !== undefined && (Number(endpoint.portNumber) === port.number || Number(endpoint.targetPort) === port.number)),
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
