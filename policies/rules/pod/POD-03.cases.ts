/** The case table of POD-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { postgresContainer, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { child, containerAddress, containerOf, copy, podSpecOf, R, securityContextOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'allow_privilege_escalation absent',
      mutate: (j) => delete securityContextOf(j, R.synapseDeployment).allow_privilege_escalation,
      address: synapseContainer,
      message: 'allow_privilege_escalation is not explicitly false',
    },
    {
      name: 'allow_privilege_escalation true',
      mutate: (j) => (securityContextOf(j, R.postgresStatefulSet).allow_privilege_escalation = true),
      address: postgresContainer,
      message: 'allow_privilege_escalation is not explicitly false',
    },
    {
      name: 'init container without the flag',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        init.name = 'migrate';
        delete child(init, 'security_context').allow_privilege_escalation;
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
      address: containerAddress(R.synapseDeployment, 'migrate'),
      message: 'allow_privilege_escalation is not explicitly false',
    },
  ],
};
