import { PUBLISHED_SERVICE_TYPES, SERVICE_TYPES } from '../../../tfjson/resource-types';
import { block, blocks, namespaceOf, resources, type JsonObject } from '../../../tfjson/terraform-json';
import { compartmentsOf } from '../../checks/namespaces';
import type { Rule } from '../../rule';

const EXTERNAL_TYPES = [...PUBLISHED_SERVICE_TYPES, 'ExternalName'];

/** The SFU's media ports: UDP, or the one TCP port named for ICE over TCP; never an HTTP port. */
function mediaOnly(spec: JsonObject): boolean {
  const ports = blocks(spec.port);
  return ports.length > 0 && ports.every((port) => port.protocol === 'UDP' || (port.protocol === 'TCP' && port.name === 'rtc-tcp'));
}

/**
 * Only Services in the gateway compartment may be LoadBalancer or NodePort, and the SFU's media
 * Service in the calls compartment (UDP and ICE over TCP only); none may use external IPs.
 */
export const rule: Rule = {
  id: 'NET-06',
  title: 'Only the gateway (and call media) is exposed outside the cluster',
  level: 'error',
  lesson: 'The media store was reachable from outside: every exposure beyond the gateway is a second front door.',
  references: {
    cisKubernetes: '5.3 (network policies and exposure)',
    nsaCisa: 'Network separation',
    anssi: 'R35',
    checkov: ['CKV_K8S_44'],
  },
  fix: 'Use type ClusterIP outside the gateway compartment (the calls compartment may publish its UDP media ports and the rtc-tcp port) and no external_ips.',
  appliesTo: { subject: 'Service', presentIn: (stack) => resources(stack, ...SERVICE_TYPES).length > 0 },
  check: (stack, context) => {
    const compartmentOf = compartmentsOf(stack, context);
    return resources(stack, ...SERVICE_TYPES).flatMap((service) => {
      const spec = block(service.body.spec) ?? {};
      const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
      const compartment = compartmentOf(namespaceOf(service, stack));
      const violations = [];
      const callMedia = compartment === 'calls' && type !== 'ExternalName' && mediaOnly(spec);
      if (EXTERNAL_TYPES.includes(type) && (compartment !== 'gateway' || type === 'ExternalName') && !callMedia) {
        violations.push({
          address: service.address,
          message: `type ${type} in compartment ${compartment ?? '(unknown)'}${compartment === 'calls' ? ' with a port that is not call media (HTTP goes through the gateway)' : ''}`,
        });
      }
      if (Array.isArray(spec.external_ips) && spec.external_ips.length > 0)
        violations.push({ address: service.address, message: 'external_ips set' });
      return violations;
    });
  },
};
