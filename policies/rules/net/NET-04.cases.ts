/** The case table of NET-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { LABEL_COMPARTMENT } from '../../../model/compartments';
import { setLabel } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, labelsOf, R } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'directory reachable from the gateway',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'directory'),
      address: address(R.synapseIngress),
      message: 'ingress from gateway/haproxy (only homeserver/synapse may connect)',
    },
  ],
  notApplicable: [
    {
      name: 'the directory compartment relabelled (no namespace of the directory compartment)',
      mutate: (j) => setLabel(j, R.directoryNamespace, LABEL_COMPARTMENT, 'external'),
    },
  ],
};
