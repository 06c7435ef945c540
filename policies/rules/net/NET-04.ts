import { KEYCLOAK_WORKLOAD } from '../../../model/identity';
import { checkIngressInto, holdsCompartment } from '../../checks/compartment-ingress';
import type { Rule } from '../../rule';

const LDAPS_PORTS = ['636', '1636'];

/** The directory compartment accepts connections only from the identity provider's pods, only on LDAPS. */
export const rule: Rule = {
  id: 'NET-04',
  title: 'The directory is reachable only from the identity provider, on LDAPS',
  level: 'error',
  lesson:
    'Directory metadata (emails, org structure) was scraped: only the identity provider, which federates the directory read-only, may query it, over TLS.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  fix: `Allow ingress into the directory compartment only from workload "${KEYCLOAK_WORKLOAD}" in the identity compartment, on port 636/1636.`,
  appliesTo: {
    subject: 'namespace of the directory compartment',
    presentIn: (stack, context) => holdsCompartment(stack, context, 'directory'),
  },
  check: (stack, context) =>
    checkIngressInto(stack, context, 'directory', (source) => {
      if (source.compartment !== 'identity' || source.workload !== KEYCLOAK_WORKLOAD)
        return `ingress from ${source.compartment ?? '?'}/${source.workload ?? 'any pod'} (only identity/${KEYCLOAK_WORKLOAD} may connect)`;
      if (source.ports.some((port) => !LDAPS_PORTS.includes(port))) return `ingress on ports [${source.ports.join(', ')}] (LDAPS only)`;
      return null;
    }),
};
