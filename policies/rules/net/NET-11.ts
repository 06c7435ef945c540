import { SHARED_NAMESPACE, SYSTEM_NAMESPACES } from '../../../config/validators';
import { pinnedNamespaceNames } from '../../../tfjson/label-selectors';
import { declaredNamespaces } from '../../../tfjson/namespaces';
import { dnsOnly, networkPolicies, rulesOf } from '../../../tfjson/reachability';
import type { SynthesizedStack } from '../../../tfjson/terraform-json';
import { NETWORK_POLICIES } from '../../checks/subjects';
import type { AuditContext, Rule, Violation } from '../../rule';

/** This deployment's namespaces: every compartment of every homeserver and the platform's (site facts), and those the stack creates. */
function ownNamespaces(stack: SynthesizedStack, context: AuditContext): Set<string> {
  return new Set([...Object.keys(context.facts?.namespaces ?? {}), ...declaredNamespaces([stack]).keys()]);
}

/**
 * A network-policy peer may name the shared `default` namespace never, a namespace of
 * Kubernetes itself (kube-system, kube-public, kube-node-lease) only as DNS egress (port 53),
 * and the cluster DNS peer must not be a namespace of this deployment: where anyone, or a
 * compartment, can run pods with the expected labels, a selector trusts whoever does.
 */
export const rule: Rule = {
  id: 'NET-11',
  title: 'No peer in the default namespace; system namespaces for cluster DNS only',
  level: 'error',
  lesson:
    'A selector is only as trustworthy as the namespace it names: in default, anyone may run a pod that looks like the cluster DNS or Prometheus, and a compartment posing as the resolver receives every query.',
  references: { cisKubernetes: '5.3.2, 5.7.4', nsaCisa: 'Network separation', anssi: 'R34' },
  siteFacts: { facts: ['namespaces'], unjudged: 'DNS egress to a namespace of this deployment that the stack does not create itself' },
  fix: 'Set kubernetes.dns.namespace to the cluster DNS namespace (e.g. kube-system) and monitoring.namespace to the namespace Prometheus runs in (never default, kube-system or a namespace of this deployment).',
  appliesTo: NETWORK_POLICIES,
  check: (stack, context) => {
    const own = ownNamespaces(stack, context);
    const violations: Violation[] = [];
    for (const policy of networkPolicies(stack)) {
      for (const direction of ['ingress', 'egress'] as const) {
        for (const entry of rulesOf(policy, direction)) {
          const dns = direction === 'egress' && dnsOnly(entry);
          for (const namespace of entry.peers.flatMap((peer) =>
            peer.kind === 'pods' && peer.namespaceSelector ? pinnedNamespaceNames(peer.namespaceSelector) : [],
          )) {
            if (namespace === SHARED_NAMESPACE)
              violations.push({
                address: policy.address,
                message: `${direction} peer in the ${SHARED_NAMESPACE} namespace, where anyone may run a pod with the selected labels`,
              });
            else if ((SYSTEM_NAMESPACES as readonly string[]).includes(namespace) && !dns)
              violations.push({
                address: policy.address,
                message: `${direction} peer in ${namespace}, a namespace of Kubernetes itself, for something other than DNS egress (port 53)`,
              });
            else if (dns && own.has(namespace))
              violations.push({
                address: policy.address,
                message: `DNS egress to ${namespace}, a namespace of this deployment: a compartment would receive every name its neighbours resolve`,
              });
          }
        }
      }
    }
    return violations;
  },
};
