/** The case table of NET-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { LABEL_COMPARTMENT } from '../../../model/compartments';
import { setLabel } from '../../../test/policies/case-helpers/common';
import { admitAlsoPort } from '../../../test/policies/case-helpers/log';
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, HOMESERVER_NAMESPACE, labelsOf, R, ruleOf } from '../../../test/policies/fixtures';
import { blocks } from '../../../tfjson/terraform-json';

const openldapIngress = address(R.openldapIngress);

export const cases: RuleCases = {
  bad: [
    {
      name: 'directory reachable from the gateway',
      mutate: (j) => (labelsOf(j, R.homeserverNamespace)['matrix.sovereign/compartment'] = 'directory'),
      address: address(R.synapseIngress),
      message: 'ingress from gateway/haproxy (only identity/keycloak may connect)',
    },
    {
      name: 'directory reachable from Synapse (its LDAP module is gone: the realm federates the directory)',
      mutate: (j) => {
        const [peer] = blocks(ruleOf(j, R.openldapIngress, 'ingress').from);
        child(peer ?? {}, 'namespace_selector', 'match_labels')['kubernetes.io/metadata.name'] = HOMESERVER_NAMESPACE;
        child(peer ?? {}, 'pod_selector', 'match_labels')['matrix.sovereign/workload'] = 'synapse';
      },
      address: openldapIngress,
      message: 'ingress from homeserver/synapse (only identity/keycloak may connect)',
    },
    {
      name: 'the identity compartment, but another workload',
      mutate: (j) => {
        const [peer] = blocks(ruleOf(j, R.openldapIngress, 'ingress').from);
        child(peer ?? {}, 'pod_selector', 'match_labels')['matrix.sovereign/workload'] = 'identity-tools';
      },
      address: openldapIngress,
      message: 'ingress from identity/identity-tools',
    },
    {
      name: 'Keycloak also admitted on plain LDAP',
      mutate: admitAlsoPort(R.openldapIngress, '1389'),
      address: openldapIngress,
      message: 'ingress on ports [1636, 1389] (LDAPS only)',
    },
  ],
  good: [
    { name: 'Keycloak on LDAPS 636', mutate: (j) => (ruleOf(j, R.openldapIngress, 'ingress').ports = [{ port: '636', protocol: 'TCP' }]) },
  ],
  notApplicable: [
    {
      name: 'the directory compartment relabelled (no namespace of the directory compartment)',
      mutate: (j) => setLabel(j, R.directoryNamespace, LABEL_COMPARTMENT, 'external'),
    },
  ],
};
