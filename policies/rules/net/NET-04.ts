import { checkIngressInto, holdsCompartment } from '../../checks/compartment-ingress';
import type { Rule } from '../../rule';

const LDAPS_PORTS = ['636', '1636'];

/** The directory compartment accepts connections only from Synapse pods, only on LDAPS. */
export const rule: Rule = {
  id: 'NET-04',
  title: 'The directory is reachable only from Synapse, on LDAPS',
  level: 'error',
  lesson: 'Directory metadata (emails, org structure) was scraped: only the homeserver may query it, over TLS.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: 'Allow ingress into the directory compartment only from workload "synapse" in the homeserver compartment, on port 636/1636.',
  appliesTo: {
    subject: 'namespace of the directory compartment',
    presentIn: (stack, context) => holdsCompartment(stack, context, 'directory'),
  },
  check: (stack, context) =>
    checkIngressInto(stack, context, 'directory', (source) => {
      if (source.compartment !== 'homeserver' || source.workload !== 'synapse')
        return `ingress from ${source.compartment ?? '?'}/${source.workload ?? 'any pod'} (only homeserver/synapse may connect)`;
      if (source.ports.some((port) => !LDAPS_PORTS.includes(port))) return `ingress on ports [${source.ports.join(', ')}] (LDAPS only)`;
      return null;
    }),
};
