import { CALL_PORT_BOUNDS } from '../../../config/calls-schema';
import { livekitConfigFiles, type LivekitConfigFile } from '../../../tfjson/calls';
import { PUBLISHED_SERVICE_TYPES, SERVICE_TYPES } from '../../../tfjson/resource-types';
import { shown } from '../../../tfjson/synapse-config';
import { block, blocks, isObject, namespaceOf, resources, type SynthesizedStack } from '../../../tfjson/terraform-json';
import { compartmentsOf } from '../../checks/namespaces';
import type { AuditContext, Rule, Violation } from '../../rule';

/** A port range's size, or why it is unbounded. */
function rangeProblem(label: string, first: unknown, last: unknown): string | null {
  if (typeof first !== 'number' || typeof last !== 'number' || first <= 0 || last <= 0)
    return `${label} is ${shown(first)}-${shown(last)}: unset, LiveKit takes 30000-40000 (10001 ports)`;
  if (last < first) return `${label} ${first}-${last} ends before it starts`;
  if (last - first + 1 > CALL_PORT_BOUNDS.maxRelayPorts)
    return `${label} ${first}-${last} spans ${last - first + 1} ports, more than ${CALL_PORT_BOUNDS.maxRelayPorts}`;
  return null;
}

/** LiveKit's media listeners: one UDP port (not a range), one TCP port, a bounded relay range, no ICE port range. */
function configProblems(file: LivekitConfigFile): string[] {
  const rtc = isObject(file.config.rtc) ? file.config.rtc : {};
  const turn = isObject(file.config.turn) ? file.config.turn : {};
  const problems: string[] = [];
  if (typeof rtc.udp_port !== 'number') problems.push(`rtc.udp_port is ${shown(rtc.udp_port)}: ICE must be multiplexed on one UDP port`);
  if (rtc.port_range_start !== undefined || rtc.port_range_end !== undefined)
    problems.push('rtc.port_range_start/end opens a UDP port per participant: use the one rtc.udp_port');
  if (turn.enabled === true) {
    const problem = rangeProblem('turn.relay_range', turn.relay_range_start, turn.relay_range_end);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** The ports LiveKit's configuration listens on for media, by protocol. */
function configuredMediaPorts(files: readonly LivekitConfigFile[]): Set<string> {
  const ports = new Set<string>();
  for (const { config } of files) {
    const rtc = isObject(config.rtc) ? config.rtc : {};
    const turn = isObject(config.turn) ? config.turn : {};
    if (typeof rtc.udp_port === 'number') ports.add(`${rtc.udp_port}/UDP`);
    if (typeof rtc.tcp_port === 'number') ports.add(`${rtc.tcp_port}/TCP`);
    if (turn.enabled === true && typeof turn.udp_port === 'number') ports.add(`${turn.udp_port}/UDP`);
  }
  return ports;
}

/** The LoadBalancer and NodePort Services of the calls compartment. */
function externalCallServices(stack: SynthesizedStack, context: AuditContext) {
  const compartmentOf = compartmentsOf(stack, context);
  return resources(stack, ...SERVICE_TYPES).filter(
    (service) =>
      PUBLISHED_SERVICE_TYPES.includes(String(block(service.body.spec)?.type)) && compartmentOf(namespaceOf(service, stack)) === 'calls',
  );
}

/** External Services of the calls compartment: from declared ranges only, the client address kept, only the configured media ports. */
function serviceViolations(stack: SynthesizedStack, context: AuditContext, media: Set<string>): Violation[] {
  return externalCallServices(stack, context).flatMap((service) => {
    const spec = block(service.body.spec) ?? {};
    const type = String(spec.type);
    const problems: string[] = [];
    const ranges = Array.isArray(spec.load_balancer_source_ranges) ? spec.load_balancer_source_ranges : [];
    if (type === 'LoadBalancer' && ranges.length === 0)
      problems.push('load_balancer_source_ranges is empty: the media ports would admit every address, whatever the policy says');
    if (spec.external_traffic_policy !== 'Local')
      problems.push(
        `external_traffic_policy is ${shown(spec.external_traffic_policy)}, must be "Local" (the participant's address is kept)`,
      );
    for (const port of blocks(spec.port)) {
      const published = `${String(port.port)}/${String(port.protocol ?? 'TCP')}`;
      if (media.size > 0 && !media.has(published))
        problems.push(`publishes ${published}, which is not a media port of the SFU's configuration (${[...media].join(', ')})`);
      // The SFU announces its configured ports: a published port forwarded elsewhere would carry no call.
      const target = port.target_port;
      if (typeof target === 'number' || (typeof target === 'string' && /^[0-9]+$/.test(target)))
        if (String(target) !== String(port.port))
          problems.push(`publishes ${published} onto port ${String(target)}: a media port must be published as itself`);
    }
    return problems.map((message) => ({ address: service.address, message }));
  });
}

/**
 * Call media is published on a bounded set of ports: ICE multiplexed on one UDP port, one TCP
 * port, the TURN server's port, and a TURN relay range of at most 1000 ports inside the pod; the
 * media load balancer admits only the declared client ranges, keeps the participant's address
 * and publishes exactly the SFU's configured media ports.
 */
export const rule: Rule = {
  id: 'RTC-02',
  title: 'Call media is published on a bounded set of ports',
  level: 'error',
  lesson: 'Every published port is a door; an SFU that opens ten thousand UDP ports to the world is ten thousand doors nobody watches.',
  references: { cisKubernetes: '5.3 (network policies and exposure)', nsaCisa: 'Network separation' },
  fix: 'Keep rtc.udp_port (one port), no rtc.port_range_*, turn.relay_range_start/end at most 1000 ports (render/calls/livekit-config.ts); publish only those ports from calls.media.ingressCidrs with externalTrafficPolicy Local.',
  appliesTo: {
    subject: 'LiveKit configuration or an external Service of the calls compartment',
    presentIn: (stack, context) => livekitConfigFiles(stack).length > 0 || externalCallServices(stack, context).length > 0,
  },
  check: (stack, context) => {
    const files = livekitConfigFiles(stack);
    return [
      ...files.flatMap((file) => configProblems(file).map((message) => ({ address: file.address, message }))),
      ...serviceViolations(stack, context, configuredMediaPorts(files)),
    ];
  },
};
