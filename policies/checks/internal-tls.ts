/**
 * What NET-12 reads: the transport each network policy states, the TLS settings of Synapse's
 * listeners, instance map and Redis client, and Redis's own listener (its redis.conf).
 */
import { PLAINTEXT_REASON_ANNOTATION, TRANSPORT_ANNOTATION } from '../../model/flow-transport';
import type { NetworkPolicyView } from '../../tfjson/reachability';
import type { PortSpec } from '../../tfjson/reachability/ports';
import { configMapFiles } from '../../tfjson/synapse-config';
import { blocks, isObject, type JsonObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { SettingCheck } from './synapse-settings';

/** The ports a plaintext flow may admit: the cluster DNS, and the metrics listeners the site Prometheus scrapes. */
export const PLAINTEXT_PORTS: Readonly<Record<number, string>> = {
  53: 'the cluster DNS',
  8404: "the gateway's metrics exporter",
  9000: "Synapse's metrics listener",
  9187: "PostgreSQL's metrics exporter",
};

function portProblem(spec: PortSpec): string | undefined {
  if (spec.kind === 'range' && spec.first === spec.last && PLAINTEXT_PORTS[spec.first] !== undefined) return undefined;
  if (spec.kind === 'named' && spec.name === 'metrics') return undefined;
  const shown =
    spec.kind === 'range'
      ? `${spec.first}${spec.last !== spec.first ? `-${spec.last}` : ''}`
      : spec.kind === 'named'
        ? spec.name
        : spec.kind;
  return `admits port ${shown} in plain text, which is neither the cluster DNS (53) nor a metrics listener (${Object.keys(PLAINTEXT_PORTS)
    .filter((port) => port !== '53')
    .join(', ')})`;
}

/** What is wrong with the transport a policy states; nothing for a policy that admits nothing. */
export function policyTransportProblems(policy: NetworkPolicyView): string[] {
  const rules = [...policy.ingress, ...policy.egress];
  if (rules.length === 0) return [];
  const transport = policy.annotations[TRANSPORT_ANNOTATION];
  if (transport === 'tls') return [];
  // WebRTC encrypts call media itself; it is the transport of participants outside, never of a hop inside the cluster.
  if (transport === 'webrtc')
    return rules.every((rule) => rule.peers.length > 0 && rule.peers.every((peer) => peer.kind === 'ipBlock'))
      ? []
      : [
          'states the webrtc transport for peers inside the cluster (only call media with participants outside is WebRTC; a hop inside is TLS)',
        ];
  if (transport !== 'plaintext')
    return [`states no transport (annotation ${TRANSPORT_ANNOTATION}: tls, webrtc, or plaintext with ${PLAINTEXT_REASON_ANNOTATION})`];
  const problems: string[] = [];
  if (!policy.annotations[PLAINTEXT_REASON_ANNOTATION]?.trim())
    problems.push(`is plaintext without a reason (${PLAINTEXT_REASON_ANNOTATION})`);
  for (const spec of rules.flatMap((rule) => rule.ports)) {
    const problem = portProblem(spec);
    if (problem) problems.push(problem);
  }
  return [...new Set(problems)];
}

function servesOnlyMetrics(listener: JsonObject): boolean {
  const names = blocks(listener.resources).flatMap((resource) => (Array.isArray(resource.names) ? resource.names : []));
  return names.length > 0 && names.every((name) => name === 'metrics');
}

/** Every HTTP listener TLS, every instance map entry dialled over TLS, Redis over TLS with a client certificate. */
export const SYNAPSE_TLS: SettingCheck = {
  keys: ['listeners', 'worker_listeners', 'instance_map', 'redis'],
  check: (config, _context, file) => {
    const problems: string[] = [];
    const key = file.kind === 'worker' ? 'worker_listeners' : 'listeners';
    const listeners = Array.isArray(config[key]) ? config[key].filter(isObject) : [];
    listeners.forEach((listener, index) => {
      // Metrics alone may be served in plain text (the site Prometheus's scrape), like a `type: metrics` listener.
      if (listener.type === 'http' && listener.tls !== true && !servesOnlyMetrics(listener))
        problems.push(`${key}[${index}] (port ${String(listener.port)}) is an HTTP listener without tls: true`);
    });
    const instances = isObject(config.instance_map) ? config.instance_map : {};
    for (const [name, location] of Object.entries(instances))
      if (!isObject(location) || location.tls !== true) problems.push(`instance_map.${name} is dialled without tls: true`);
    const redis: JsonObject = isObject(config.redis) ? config.redis : {};
    if (redis.enabled === true) {
      if (redis.use_tls !== true) problems.push('redis.use_tls is not true: the replication stream would cross the network in clear');
      for (const file of ['certificate_file', 'private_key_file'] as const)
        if (typeof redis[file] !== 'string' || redis[file] === '')
          problems.push(`redis.${file} is missing: Redis requires a client certificate`);
    }
    return problems;
  },
};

/** The directives of a redis.conf, last one wins (as Redis reads them). */
function directives(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([a-z-]+)\s+(.*?)\s*$/.exec(line);
    if (match?.[1] && !line.trimStart().startsWith('#')) found.set(match[1], match[2] ?? '');
  }
  return found;
}

/** Each redis.conf of the stack: no plaintext port, a TLS port, and client certificates required. */
export function redisTlsProblems(stack: SynthesizedStack): { address: string; message: string }[] {
  return configMapFiles(stack)
    .filter((file) => file.file === 'redis.conf')
    .flatMap((file) => {
      const conf = directives(file.text);
      const problems: string[] = [];
      if (conf.get('port') !== '0')
        problems.push(`port is ${conf.get('port') ?? '(absent: 6379)'}, must be 0: Redis would also listen in plain text`);
      if (!/^[1-9][0-9]*$/.test(conf.get('tls-port') ?? '')) problems.push('tls-port is not set: Redis would not listen on TLS');
      if (conf.get('tls-auth-clients') !== 'yes')
        problems.push('tls-auth-clients is not yes: clients without a certificate of the internal CA would be accepted');
      for (const directive of ['tls-cert-file', 'tls-key-file', 'tls-ca-cert-file'])
        if (!conf.get(directive)) problems.push(`${directive} is not set`);
      return problems.map((message) => ({ address: file.address, message }));
    });
}

/** Whether the stack has a redis.conf. */
export function hasRedisConf(stack: SynthesizedStack): boolean {
  return configMapFiles(stack).some((file) => file.file === 'redis.conf');
}
