/**
 * Exposure facts: how a Service is published (type, ports, source ranges, external IPs), host
 * ports, ingress-style objects, and the gateway's routing as written in its HAProxy config
 * (binds, ACLs, request rules, backend selection, backend servers), line by line.
 */
import { haproxyConfigFiles } from '../../tfjson/haproxy-config';
import { manifests } from '../../tfjson/manifests';
import { podSpecs } from '../../tfjson/pod-specs';
import { SERVICE_TYPES } from '../../tfjson/resource-types';
import { block, blocks, resources, type SynthesizedStack } from '../../tfjson/terraform-json';
import { factValue, flattenSettings, type Fact } from '../facts';
import { objectLabel } from '../object-identity';

const SERVICE_SETTINGS = [
  'type',
  'external_ips',
  'load_balancer_source_ranges',
  'load_balancer_ip',
  'external_traffic_policy',
  'external_name',
] as const;
const INGRESS_KINDS = new Set(['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'Service']);

function serviceFacts(stack: SynthesizedStack): Fact[] {
  return resources(stack, ...SERVICE_TYPES).flatMap((service) => {
    const subject = objectLabel(service, stack);
    const spec = block(service.body.spec) ?? {};
    const facts: Fact[] = SERVICE_SETTINGS.map((setting) => ({
      subject,
      setting,
      value: spec[setting] === undefined ? (setting === 'type' ? 'ClusterIP (provider default)' : '(none)') : factValue(spec[setting]),
    }));
    for (const port of blocks(spec.port)) {
      facts.push({
        subject,
        setting: `port ${factValue(port.name ?? port.port)}`,
        value: `${factValue(port.port)}/${factValue(port.protocol ?? 'TCP')} -> ${factValue(port.target_port ?? port.port)}${port.node_port !== undefined ? ` nodePort ${factValue(port.node_port)}` : ''}`,
      });
    }
    return facts;
  });
}

function hostPortFacts(stack: SynthesizedStack): Fact[] {
  return podSpecs(stack).flatMap(({ resource, containers }) =>
    containers.flatMap((container) =>
      blocks(container.port)
        .filter((port) => port.host_port !== undefined)
        .map((port) => ({
          subject: objectLabel(resource, stack),
          setting: `container "${factValue(container.name)}" hostPort ${factValue(port.host_port)}`,
          value: `-> ${factValue(port.container_port)}/${factValue(port.protocol ?? 'TCP')}`,
        })),
    ),
  );
}

/** Ingress-like objects and Services written as raw manifests: their whole spec, flattened. */
function manifestExposureFacts(stack: SynthesizedStack): Fact[] {
  const facts: Fact[] = [];
  for (const view of manifests(stack).filter((candidate) => INGRESS_KINDS.has(candidate.kind))) {
    flattenSettings(view.object.spec ?? {}, 'spec', (setting, value) => facts.push({ subject: view.label, setting, value }));
  }
  return facts;
}

const ORDERED = new Set(['use_backend', 'default_backend', 'http-request', 'http-response', 'tcp-request', 'redirect', 'server']);

/**
 * Every line of the gateway's frontends and backends as a fact of its own, plus the order of the
 * first-match-wins rules as one value per section, so an inserted rule shows as one added line
 * and an "order" change rather than as every following line changing.
 */
function gatewayRouteFacts(stack: SynthesizedStack): Fact[] {
  const facts: Fact[] = [];
  const labels = new Map(resources(stack).map((resource) => [resource.address, objectLabel(resource, stack)]));
  for (const file of haproxyConfigFiles(stack)) {
    const resourceAddress = file.address.split(' ')[0] ?? file.address;
    const subject = `gateway ${labels.get(resourceAddress) ?? resourceAddress} ${file.file}`;
    for (const section of file.sections.filter((candidate) => ['frontend', 'backend', 'listen'].includes(candidate.kind))) {
      const lines = section.lines.map((line) => line.words.join(' '));
      for (const line of lines) facts.push({ subject, setting: `${section.kind} ${section.name}: ${line}`, value: 'present' });
      const ordered = lines.filter((line) => ORDERED.has(line.split(' ')[0] ?? ''));
      if (ordered.length > 1)
        facts.push({
          subject,
          setting: `${section.kind} ${section.name}: rule order`,
          value: ordered.map((line) => line.split(' ').slice(0, 3).join(' ')).join(' | '),
        });
    }
  }
  return facts;
}

export function exposureFacts(stacks: readonly SynthesizedStack[]): Fact[] {
  return stacks.flatMap((stack) => [
    ...serviceFacts(stack),
    ...hostPortFacts(stack),
    ...manifestExposureFacts(stack),
    ...gatewayRouteFacts(stack),
  ]);
}
