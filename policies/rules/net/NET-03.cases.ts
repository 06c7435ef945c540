/** The case table of NET-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { setLabel } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, ipBlockOf, R, ruleOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'empty namespace selector',
      mutate: (j) => (child(ruleOf(j, R.synapseIngress, 'ingress'), 'from', 'namespace_selector').match_labels = {}),
      address: address(R.synapseIngress),
      message: 'ingress: peer without a namespace selector label',
    },
    {
      name: 'pod selector absent',
      mutate: (j) => delete child(ruleOf(j, R.synapseIngress, 'ingress'), 'from').pod_selector,
      address: address(R.synapseIngress),
      message: 'ingress: peer without a pod selector label',
    },
    {
      name: 'egress peer with empty selectors',
      mutate: (j) =>
        (ruleOf(j, R.homeserverDns, 'egress').to = [{ namespace_selector: { match_labels: {} }, pod_selector: { match_labels: {} } }]),
      address: address(R.homeserverDns),
      message: 'egress: peer without a namespace selector label',
    },
    {
      name: 'ingress rule without peers',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = []),
      address: address(R.synapseIngress),
      message: 'ingress rule without peers allows every source/destination',
    },
    {
      name: '0.0.0.0/0 ingress outside the gateway',
      mutate: (j) => (ruleOf(j, R.synapseIngress, 'ingress').from = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }]),
      address: address(R.synapseIngress),
      message: 'ingress from 0.0.0.0/0 outside the gateway compartment',
    },
    {
      name: 'gateway namespace loses its compartment label',
      mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined),
      address: address(R.haproxyIngress),
      message: 'ingress from 0.0.0.0/0 outside the gateway compartment',
    },
    {
      name: '0.0.0.0/0 egress without except',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = []),
      address: address(R.synapseFederation),
      message: 'egress to 0.0.0.0/0 without excluded ranges',
    },
    {
      name: '::/0 egress with except absent',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0' } }]),
      address: address(R.synapseFederation),
      message: 'egress to ::/0 without excluded ranges',
    },
  ],
  good: [{ name: '0.0.0.0/0 ingress in the gateway compartment (fixture)', mutate: () => undefined }],
};
