/** The case table of NET-11 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, HOMESERVER_NAMESPACE, R, ruleOf, STANDALONE_CONTEXT, type Mutation } from '../../../test/policies/fixtures';
import { blocks } from '../../../tfjson/terraform-json';

// ---------------------------------------------------------------- NET-11: peers in shared and system namespaces
/** The namespace the first peer of a policy's first rule selects by name. */
const peerNamespace =
  (policy: typeof R.homeserverDns, direction: 'ingress' | 'egress', name: string | string[]): Mutation =>
  (j) => {
    const peer = blocks(ruleOf(j, policy, direction)[direction === 'ingress' ? 'from' : 'to'])[0];
    if (!peer) throw new Error('no peer');
    peer.namespace_selector = Array.isArray(name)
      ? { match_expressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: name }] }
      : { match_labels: { 'kubernetes.io/metadata.name': name } };
  };

export const cases: RuleCases = {
  bad: [
    {
      name: 'cluster DNS in the default namespace',
      mutate: peerNamespace(R.homeserverDns, 'egress', 'default'),
      address: address(R.homeserverDns),
      message: 'egress peer in the default namespace',
    },
    {
      name: 'Prometheus admitted from kube-system',
      mutate: peerNamespace(R.synapseMetricsIngress, 'ingress', 'kube-system'),
      address: address(R.synapseMetricsIngress),
      message: 'ingress peer in kube-system, a namespace of Kubernetes itself, for something other than DNS egress',
    },
    {
      name: 'Prometheus admitted from default or monitoring (In expression)',
      mutate: peerNamespace(R.synapseMetricsIngress, 'ingress', ['monitoring', 'default']),
      address: address(R.synapseMetricsIngress),
      message: 'ingress peer in the default namespace',
    },
    {
      name: 'egress to kube-system on 443',
      mutate: (j) => (
        peerNamespace(R.homeserverDns, 'egress', 'kube-system')(j),
        (ruleOf(j, R.homeserverDns, 'egress').ports = [{ port: '443', protocol: 'TCP' }])
      ),
      address: address(R.homeserverDns),
      message: 'egress peer in kube-system',
    },
    {
      name: 'cluster DNS in a compartment this stack creates',
      mutate: peerNamespace(R.homeserverDns, 'egress', HOMESERVER_NAMESPACE),
      address: address(R.homeserverDns),
      message: `DNS egress to ${HOMESERVER_NAMESPACE}, a namespace of this deployment`,
      context: STANDALONE_CONTEXT,
    },
    {
      name: 'cluster DNS in a platform namespace of the site config',
      mutate: peerNamespace(R.homeserverDns, 'egress', 'matrix-openbao'),
      address: address(R.homeserverDns),
      message: 'DNS egress to matrix-openbao, a namespace of this deployment',
    },
  ],
  good: [
    { name: 'cluster DNS in kube-system, Prometheus in its own namespace (fixture)', mutate: () => undefined },
    {
      name: 'cluster DNS in a platform namespace of another distribution',
      mutate: peerNamespace(R.homeserverDns, 'egress', 'openshift-dns'),
    },
    {
      name: 'cluster DNS in a namespace of another deployment (not in the site config, not in the stack)',
      mutate: peerNamespace(R.homeserverDns, 'egress', 'other-homeserver'),
    },
  ],
};
