import { HOMESERVER_COMPARTMENTS } from '../../../model/compartments';
import { SYNAPSE_PORTS } from '../../../model/workload-spec';
import { checkIngressInto, holdsCompartment } from '../../checks/compartment-ingress';
import type { Rule } from '../../rule';

const METRICS_PORT = String(SYNAPSE_PORTS.metrics.containerPort);
const ALLOWED_PORTS: Readonly<Record<string, readonly string[]>> = { gateway: ['8008'], homeserver: ['9093'] };

/**
 * The media compartment accepts connections only from the gateway (HTTP) and the homeserver
 * (replication), plus, where the site declares its monitoring namespace, its Prometheus on the
 * metrics port alone. A source's compartment is its namespace's compartment label. Without
 * site facts, ingress from a namespace outside the deployment on the metrics port alone is not
 * judged (it may be the monitoring namespace); everything else is.
 */
export const rule: Rule = {
  id: 'NET-05',
  title: 'The media store is reachable only from the gateway and the homeserver',
  level: 'error',
  lesson: '14 GB of shared files were pulled from the media store: it must have no other way in.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation', anssi: 'R34' },
  siteFacts: {
    facts: ['monitoring'],
    unjudged: "ingress from a namespace outside the deployment on the metrics port alone (it may be the site's monitoring namespace)",
  },
  fix: `Allow ingress into the media compartment only from gateway/haproxy (8008), from homeserver pods (9093) and from the declared monitoring namespace on the metrics port (${METRICS_PORT}).`,
  appliesTo: { subject: 'namespace of the media compartment', presentIn: (stack, context) => holdsCompartment(stack, context, 'media') },
  check: (stack, context) =>
    checkIngressInto(stack, context, 'media', (source) => {
      const monitoring = context.facts?.monitoring.namespace;
      const metricsOnly = source.ports.length === 1 && source.ports[0] === METRICS_PORT;
      if (monitoring !== undefined && source.namespace === monitoring) {
        return metricsOnly
          ? null
          : `ingress from the monitoring namespace on ports [${source.ports.join(', ')}] (allowed: ${METRICS_PORT})`;
      }
      const compartments: readonly string[] = HOMESERVER_COMPARTMENTS;
      if (monitoring === undefined && source.namespace !== undefined && !compartments.includes(source.compartment ?? '') && metricsOnly)
        return null;
      const ports = ALLOWED_PORTS[source.compartment ?? ''];
      if (!ports)
        return `ingress from ${source.namespace ?? source.compartment ?? '?'} (only gateway and homeserver may connect${monitoring ? `, and ${monitoring} on ${METRICS_PORT}` : ''})`;
      if (source.ports.some((port) => !ports.includes(port)))
        return `ingress from ${source.compartment} on ports [${source.ports.join(', ')}] (allowed: ${ports.join(', ')})`;
      return null;
    }),
};
