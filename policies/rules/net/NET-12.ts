import { networkPolicies } from '../../../tfjson/reachability';
import { hasRedisConf, policyTransportProblems, redisTlsProblems, SYNAPSE_TLS } from '../../checks/internal-tls';
import { NETWORK_POLICIES } from '../../checks/subjects';
import { auditSynapseSettings, SYNAPSE } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/**
 * Every internal hop is TLS: each network policy states its transport, plain text only for the
 * cluster DNS and metrics scrapes, each with a reason; Synapse's HTTP listeners, its instance
 * map (replication) and its Redis connection are TLS; Redis has no plaintext port and requires
 * client certificates. The directory's LDAPS is NET-04 and NET-09; PostgreSQL's hostssl-only
 * access, the identity provider's HTTPS-only listener and the gateway's verified backends are
 * proven by their renderers' tests and the integration tier, not read here.
 */
export const rule: Rule = {
  id: 'NET-12',
  title: 'Every internal hop is TLS (plain text only for DNS and metrics scrapes, with a reason)',
  level: 'error',
  lesson:
    'The intrusion was noticed only from traffic: whoever stands on the pod network must not read replication (every event, every token-bearing request) or the Redis stream in clear.',
  references: { nsaCisa: 'Network separation: encrypt traffic inside the cluster', anssi: 'R20' },
  fix: 'Serve replication with tls: true and dial it with instance_map entries tls: true; Redis with port 0, tls-port, tls-auth-clients yes and certificates, and Synapse with redis.use_tls and its client certificate; state each flow transport in the flow matrix (model/flows.ts), plaintext only for scrapes and DNS.',
  appliesTo: {
    subject: 'NetworkPolicy, Synapse or Redis configuration',
    presentIn: (stack, context) => NETWORK_POLICIES.presentIn(stack, context) || SYNAPSE.presentIn(stack, context) || hasRedisConf(stack),
  },
  check: (stack, context) => [
    ...networkPolicies(stack).flatMap((policy) => policyTransportProblems(policy).map((message) => ({ address: policy.address, message }))),
    ...(SYNAPSE.presentIn(stack, context) ? auditSynapseSettings(stack, context, [SYNAPSE_TLS]) : []),
    ...redisTlsProblems(stack),
  ],
};
