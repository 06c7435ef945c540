import type { Rule } from '../../rule';
import { checkIngressInto } from './compartment-ingress';

/** The media compartment accepts connections only from the gateway (HTTP) and the homeserver (replication). */
export const NET_05: Rule = {
  id: 'NET-05',
  title: 'The media store is reachable only from the gateway and the homeserver',
  level: 'error',
  lesson: '14 GB of shared files were pulled from the media store: it must have no other way in.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Allow ingress into the media compartment only from gateway/haproxy (8008) and from homeserver pods (9093).',
  check: (stack) =>
    checkIngressInto(stack, 'media', (source) => {
      const allowed: Readonly<Record<string, readonly string[]>> = { gateway: ['8008'], homeserver: ['9093'] };
      const ports = allowed[source.compartment ?? ''];
      if (!ports) return `ingress from ${source.compartment ?? '?'} (only gateway and homeserver may connect)`;
      if (source.ports.length === 0 || source.ports.some((port) => !ports.includes(port))) return `ingress from ${source.compartment} on ports [${source.ports.join(', ') || 'all'}] (allowed: ${ports.join(', ')})`;
      return null;
    }),
};
