/** The case table of LOG-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { SIGNAL_LABEL } from '../../../model/alert-signals';
import { haproxyFile, nested } from '../../../test/policies/case-helpers/common';
import { admitAlsoPort, alertNamed, alertRule, editAlert } from '../../../test/policies/case-helpers/log';
import { addTlsFront, tlsFrontConfigMap } from '../../../test/policies/case-helpers/rtc';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  child,
  containerAddress,
  containerOf,
  copy,
  GATEWAY_NAMESPACE,
  manifestOf,
  manifestSpecOf,
  R,
  remove,
  ruleOf,
  STANDALONE_CONTEXT,
} from '../../../test/policies/fixtures';
import { blocks, isObject, type JsonObject, type JsonValue, type TerraformJson } from '../../../tfjson/terraform-json';

const synapseMetricsPort = `${containerAddress(R.synapseDeployment, 'synapse')} port "metrics"`;

const metricsIngress = `${address(R.synapseMetricsIngress)} ingress[0]`;

function labelsOfRule(rule: JsonObject): JsonObject {
  return isObject(rule.labels) ? rule.labels : (rule.labels = {});
}

/** The labels of a manifest's object (created when absent). */
function manifestLabels(j: TerraformJson, resource: typeof R.alertRule): JsonObject {
  return nested(child(manifestOf(j, resource), 'metadata'), 'labels');
}

function podMonitorSpec(j: TerraformJson): JsonObject {
  return manifestSpecOf(j, R.homeserverPodMonitor);
}

function endpoint(j: TerraformJson): JsonObject {
  const [first] = Array.isArray(podMonitorSpec(j).podMetricsEndpoints)
    ? (podMonitorSpec(j).podMetricsEndpoints as JsonValue[]).filter(isObject)
    : [];
  if (!first) throw new Error('no PodMonitor endpoint');
  return first;
}

/** The Prometheus ingress rule's first peer. */
function metricsPeer(j: TerraformJson): JsonObject {
  const [peer] = Array.isArray(ruleOf(j, R.synapseMetricsIngress, 'ingress').from)
    ? (ruleOf(j, R.synapseMetricsIngress, 'ingress').from as JsonValue[]).filter(isObject)
    : [];
  if (!peer) throw new Error('no peer');
  return peer;
}

/** The gateway's HAProxy config and the alerts it needs gone: what is left decides whether the stack serves a gateway. */
function withoutGateway(j: TerraformJson): void {
  remove(j, R.haproxyConfig);
  remove(j, R.alertRule);
}

/** A TLS front that also forwards to a Service beside its program on loopback. */
const frontAlsoToService = (text: string) =>
  text.replace(
    /^(backend program\n.*\n)/m,
    '$1  server synapse synapse.agency-homeserver.svc:8008 ssl verify required ca-file /trust/ca.crt\n',
  );

const gatewayPeer: JsonObject = {
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': GATEWAY_NAMESPACE } },
  pod_selector: { match_labels: { 'matrix.sovereign/workload': 'haproxy' } },
};

export const cases: RuleCases = {
  bad: [
    {
      name: 'no PrometheusRule in the gateway stack',
      mutate: (j) => remove(j, R.alertRule),
      address: haproxyFile,
      message: 'holds no monitoring.coreos.com/v1 PrometheusRule',
    },
    {
      name: 'PrometheusRule of another API version',
      mutate: (j) => (manifestOf(j, R.alertRule).apiVersion = 'monitoring.coreos.com/v1alpha1'),
      address: haproxyFile,
      message: 'holds no monitoring.coreos.com/v1 PrometheusRule',
    },
    {
      name: 'no credential-stuffing alert',
      mutate: (j) => {
        const spec = manifestSpecOf(j, R.alertRule);
        spec.groups = (Array.isArray(spec.groups) ? spec.groups : []).filter(
          (group) => !(isObject(group) && String(group.name).endsWith('credential-stuffing')),
        );
      },
      address: haproxyFile,
      message: `no complete alerting rule with ${SIGNAL_LABEL}=credential-stuffing`,
    },
    {
      name: 'media alert without its signal label',
      mutate: editAlert('MatrixMediaExfiltration', (rule) => delete labelsOfRule(rule)[SIGNAL_LABEL]),
      address: haproxyFile,
      message: `${SIGNAL_LABEL}=media-exfiltration`,
    },
    {
      name: 'alert with an empty expr',
      mutate: editAlert('MatrixCredentialStuffing', (rule) => (rule.expr = ' ')),
      address: `${alertRule} alert MatrixCredentialStuffing`,
      message: 'alert MatrixCredentialStuffing (credential-stuffing) has no expr',
    },
    {
      name: 'alert without for',
      mutate: editAlert('MatrixMediaExfiltration', (rule) => delete rule.for),
      address: `${alertRule} alert MatrixMediaExfiltration`,
      message: 'has "for" unset',
    },
    {
      name: 'alert with for 0s',
      mutate: editAlert('MatrixMediaExfiltration', (rule) => (rule.for = '0s')),
      address: `${alertRule} alert MatrixMediaExfiltration`,
      message: 'has "for" "0s"',
    },
    {
      name: 'alert with a for that is not a duration',
      mutate: editAlert('MatrixMediaExfiltration', (rule) => (rule.for = '5 minutes')),
      address: `${alertRule} alert MatrixMediaExfiltration`,
      message: 'has "for" "5 minutes"',
    },
    {
      name: 'alert without severity',
      mutate: editAlert('MatrixScrapeTargetDown', (rule) => delete labelsOfRule(rule).severity),
      address: `${alertRule} alert MatrixScrapeTargetDown`,
      message: 'has no severity label',
    },
    {
      name: 'every monitoring-gap alert incomplete',
      mutate: (j) => {
        for (const name of ['MatrixScrapeTargetDown', 'MatrixScrapeTargetAbsent']) delete labelsOfRule(alertNamed(j, name)).severity;
      },
      address: haproxyFile,
      message: `no complete alerting rule with ${SIGNAL_LABEL}=monitoring-gap`,
    },
    {
      name: 'no PodMonitor for the homeserver',
      mutate: (j) => remove(j, R.homeserverPodMonitor),
      address: synapseMetricsPort,
      message: '9000 is not scraped: no PodMonitor in agency-homeserver selects the pod',
    },
    {
      name: 'PodMonitor selecting other workloads',
      mutate: (j) =>
        (podMonitorSpec(j).selector = {
          matchExpressions: [{ key: 'matrix.sovereign/workload', operator: 'In', values: ['federation-sender'] }],
        }),
      address: synapseMetricsPort,
      message: 'is not scraped',
    },
    {
      name: 'PodMonitor selecting by a label the pod lacks',
      mutate: (j) => (podMonitorSpec(j).selector = { matchLabels: { 'matrix.sovereign/workload': 'synapse', tier: 'metrics' } }),
      address: synapseMetricsPort,
      message: 'is not scraped',
    },
    {
      name: 'PodMonitor on another port',
      mutate: (j) => (endpoint(j).port = 'http'),
      address: synapseMetricsPort,
      message: 'is not scraped',
    },
    {
      name: 'PodMonitor watching another namespace',
      mutate: (j) => (podMonitorSpec(j).namespaceSelector = { matchNames: [GATEWAY_NAMESPACE] }),
      address: synapseMetricsPort,
      message: 'is not scraped',
    },
    {
      name: 'PodMonitor in another namespace',
      mutate: (j) => (child(manifestOf(j, R.homeserverPodMonitor), 'metadata').namespace = GATEWAY_NAMESPACE),
      address: synapseMetricsPort,
      message: 'is not scraped',
    },
    {
      name: 'a second workload with a metrics port nobody scrapes',
      mutate: (j) => {
        const redis = containerOf(j, R.redisDeployment);
        redis.port = [...(Array.isArray(redis.port) ? redis.port : []), { container_port: 9121, name: 'metrics', protocol: 'TCP' }];
      },
      address: `${containerAddress(R.redisDeployment, 'redis')} port "metrics"`,
      message: '9121 is not scraped',
    },
    {
      name: 'metrics admitted from the gateway namespace',
      mutate: (j) => (ruleOf(j, R.synapseMetricsIngress, 'ingress').from = [gatewayPeer]),
      address: metricsIngress,
      message: 'admits a namespace selector that is not exactly the monitoring namespace to the metrics port (9000)',
    },
    {
      name: 'metrics admitted from an address block',
      mutate: (j) => (ruleOf(j, R.synapseMetricsIngress, 'ingress').from = [{ ip_block: { cidr: '10.244.0.0/16', except: [] } }]),
      address: metricsIngress,
      message: 'admits an address block to the metrics port',
    },
    {
      name: 'metrics admitted from every source',
      mutate: (j) => (ruleOf(j, R.synapseMetricsIngress, 'ingress').from = []),
      address: metricsIngress,
      message: 'admits every source to the metrics port',
    },
    {
      name: 'metrics admitted from pods of its own namespace',
      mutate: (j) => delete metricsPeer(j).namespace_selector,
      address: metricsIngress,
      message: 'admits pods of its own namespace agency-homeserver',
    },
    {
      name: 'metrics admitted from the monitoring namespace and another',
      mutate: (j) =>
        (metricsPeer(j).namespace_selector = {
          match_expressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring', GATEWAY_NAMESPACE] }],
        }),
      address: metricsIngress,
      message: 'not exactly the monitoring namespace',
    },
    {
      name: 'the gateway rule to Synapse also admitting 9000',
      mutate: admitAlsoPort(R.synapseIngress, '9000'),
      address: `${address(R.synapseIngress)} ingress[0]`,
      message: 'admits a namespace selector that is not exactly the monitoring namespace to the metrics port (9000)',
    },
    {
      name: 'the gateway rule to Synapse admitting the port named metrics',
      mutate: admitAlsoPort(R.synapseIngress, 'metrics'),
      address: `${address(R.synapseIngress)} ingress[0]`,
      message: 'to the metrics port',
    },
    {
      name: 'the gateway rule to Synapse on every port',
      mutate: (j) => delete ruleOf(j, R.synapseIngress, 'ingress').ports,
      address: `${address(R.synapseIngress)} ingress[0]`,
      message: 'to the metrics port (9000)',
    },
    {
      name: 'a port range covering the metrics port',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').ports = [{ port: '8000', end_port: 9999, protocol: 'TCP' }]),
      address: `${address(R.synapseIngress)} ingress[0]`,
      message: 'to the metrics port (9000)',
    },
    {
      name: "HAProxy's exporter port opened to the outside (its pods are in another stack)",
      mutate: admitAlsoPort(R.haproxyIngress, '8404'),
      address: `${address(R.haproxyIngress)} ingress[0]`,
      message: 'admits an address block to the metrics port (9000, 8404, 9187)',
    },
    {
      name: "PostgreSQL's exporter port opened to the outside (the operator runs its pods, not the stack)",
      mutate: (j) => {
        const rule = ruleOf(j, R.haproxyIngress, 'ingress');
        rule.ports = [{ port: '9187', protocol: 'TCP' }];
      },
      address: `${address(R.haproxyIngress)} ingress[0]`,
      message: 'admits an address block to the metrics port (9000, 8404, 9187)',
    },
    {
      name: "PodMonitor without the site's resource labels",
      mutate: (j) => delete manifestLabels(j, R.homeserverPodMonitor).release,
      address: address(R.homeserverPodMonitor),
      message: 'PodMonitor agency-homeserver/homeserver-metrics lacks release=kube-prometheus-stack (monitoring.resourceLabels)',
    },
    {
      name: 'an HAProxy config forwarding to loopback and to a Service is a gateway (it needs the alerts)',
      mutate: (j) => {
        withoutGateway(j);
        addTlsFront('livekit', frontAlsoToService)(j);
      },
      address: `${address(tlsFrontConfigMap('livekit'))} data "haproxy.cfg"`,
      message: 'the stack serves the gateway but holds no monitoring.coreos.com/v1 PrometheusRule',
    },
    {
      name: "PrometheusRule without the site's resource labels",
      mutate: (j) => (manifestLabels(j, R.alertRule).release = 'other'),
      address: alertRule,
      message: 'PrometheusRule agency-gateway/exfiltration-alerts lacks release=kube-prometheus-stack',
    },
  ],
  good: [
    {
      name: "the calls' TLS fronts (every server on loopback) beside the gateway",
      mutate: (j) => {
        addTlsFront('livekit')(j);
        addTlsFront('rtc-auth')(j);
      },
    },
    {
      name: "a stack whose only HAProxy config is a pod's TLS front needs no PrometheusRule",
      mutate: (j) => {
        withoutGateway(j);
        addTlsFront('livekit')(j);
      },
    },
    {
      name: 'PodMonitor selecting by matchLabels',
      mutate: (j) => (podMonitorSpec(j).selector = { matchLabels: { 'matrix.sovereign/workload': 'synapse' } }),
    },
    {
      name: 'PodMonitor selector with Exists and NotIn',
      mutate: (j) =>
        (podMonitorSpec(j).selector = {
          matchExpressions: [
            { key: 'matrix.sovereign/workload', operator: 'Exists' },
            { key: 'matrix.sovereign/workload', operator: 'NotIn', values: ['postgres', 'redis'] },
          ],
        }),
    },
    {
      name: 'PodMonitor endpoint by targetPort',
      mutate: (j) => {
        delete endpoint(j).port;
        endpoint(j).targetPort = 'metrics';
      },
    },
    { name: 'PodMonitor namespaceSelector any', mutate: (j) => (podMonitorSpec(j).namespaceSelector = { any: true }) },
    {
      name: 'metrics admitted to another pod label of the monitoring namespace',
      mutate: (j) => (metricsPeer(j).pod_selector = { match_labels: { 'app.kubernetes.io/name': 'prometheus-agent' } }),
    },
    {
      name: 'without site config, no namespace is "the monitoring namespace"',
      mutate: (j) => (ruleOf(j, R.synapseMetricsIngress, 'ingress').from = [gatewayPeer]),
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'a port range below the metrics port',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').ports = [{ port: '8000', end_port: 8999, protocol: 'TCP' }]),
    },
    { name: 'a compound for duration (5m30s)', mutate: editAlert('MatrixMediaExfiltration', (rule) => (rule.for = '5m30s')) },
    {
      name: 'an extra, incomplete alert for a signal that has a complete one',
      mutate: (j) => {
        const groups = manifestSpecOf(j, R.alertRule).groups;
        if (Array.isArray(groups))
          groups.push({
            name: 'extra',
            rules: [
              {
                alert: 'MatrixMediaBurst',
                expr: 'vector(1)',
                for: '1m',
                labels: { [SIGNAL_LABEL]: 'media-exfiltration', severity: 'info' },
              },
            ],
          });
      },
    },
    {
      name: 'a recording rule and an alert of another signal',
      mutate: (j) => {
        const groups = manifestSpecOf(j, R.alertRule).groups;
        if (Array.isArray(groups))
          groups.push({
            name: 'extra',
            rules: [
              { record: 'job:up:sum', expr: 'sum(up)' },
              { alert: 'Other', expr: 'vector(1)', labels: { [SIGNAL_LABEL]: 'disk-full' } },
            ],
          });
      },
    },
    {
      name: 'a stack without gateway and without alert rules',
      mutate: (j) => {
        remove(j, R.haproxyConfig);
        remove(j, R.alertRule);
      },
    },
    {
      name: 'the resource labels not checked without site config',
      mutate: (j) => delete manifestLabels(j, R.homeserverPodMonitor).release,
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'an ingress rule on every port of a pod without metrics port',
      mutate: (j) => {
        const policy = copy(body(j, R.synapseIngress));
        child(policy, 'metadata').name = 'ingress-synapse-to-redis-redis';
        const spec = child(policy, 'spec');
        spec.pod_selector = { match_labels: { 'matrix.sovereign/workload': 'redis' } };
        for (const rule of blocks(spec.ingress)) delete rule.ports;
        add(j, { type: 'kubernetes_network_policy_v1', name: 'redis_policy-ingress-synapse-to-redis-redis' }, policy);
      },
    },
  ],
  notApplicable: [
    {
      name: "only a pod's TLS front: no gateway, metrics port or monitoring object (standalone)",
      context: STANDALONE_CONTEXT,
      mutate: (j) => {
        withoutGateway(j);
        addTlsFront('livekit')(j);
        remove(j, R.homeserverPodMonitor);
        remove(j, R.gatewayPodMonitor);
        const synapse = containerOf(j, R.synapseDeployment);
        synapse.port = blocks(synapse.port).filter((port) => port.name !== 'metrics');
      },
    },
  ],
};
