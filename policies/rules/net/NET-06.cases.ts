/** The case table of NET-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { setLabel } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, R, specOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'LoadBalancer outside the gateway',
      mutate: (j) => (specOf(j, R.synapseService).type = 'LoadBalancer'),
      address: address(R.synapseService),
      message: 'type LoadBalancer in compartment homeserver',
    },
    {
      name: 'NodePort outside the gateway',
      mutate: (j) => (specOf(j, R.synapseService).type = 'NodePort'),
      address: address(R.synapseService),
      message: 'type NodePort in compartment homeserver',
    },
    {
      name: 'ExternalName even in the gateway',
      mutate: (j) => (specOf(j, R.haproxyService).type = 'ExternalName'),
      address: address(R.haproxyService),
      message: 'type ExternalName in compartment gateway',
    },
    {
      name: 'LoadBalancer in a namespace without compartment label',
      mutate: (j) => setLabel(j, R.gatewayNamespace, 'matrix.sovereign/compartment', undefined),
      address: address(R.haproxyService),
      message: 'type LoadBalancer in compartment (unknown)',
    },
    {
      name: 'external_ips on a ClusterIP service',
      mutate: (j) => (specOf(j, R.synapseService).external_ips = ['203.0.113.10']),
      address: address(R.synapseService),
      message: 'external_ips set',
    },
  ],
  good: [{ name: 'LoadBalancer in the gateway compartment (fixture)', mutate: () => undefined }],
};
