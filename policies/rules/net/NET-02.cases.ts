/** The case table of NET-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, copy, GATEWAY_NAMESPACE, R, remove, ruleOf, specOf } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'DNS baseline removed',
      mutate: (j) => remove(j, R.gatewayDns),
      address: `namespace "${GATEWAY_NAMESPACE}"`,
      message: 'no DNS-only baseline egress policy',
    },
    {
      name: 'namespace-wide egress on port 443',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ port: '443', protocol: 'TCP' }]),
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS to selected resolver pods',
    },
    {
      name: 'namespace-wide DNS to an address block',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').to = [{ ip_block: { cidr: '10.96.0.10/32', except: [] } }]),
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS',
    },
    {
      name: 'namespace-wide port range starting at 53',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 65535, port: '53', protocol: 'TCP' }]),
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS',
    },
    {
      name: 'namespace-wide DNS without ports',
      mutate: (j) => delete ruleOf(j, R.homeserverDns, 'egress').ports,
      address: address(R.homeserverDns),
      message: 'namespace-wide egress rule other than DNS',
    },
    {
      name: 'namespace-wide ingress allow',
      mutate: (j) => (specOf(j, R.gatewayDns).ingress = [copy(ruleOf(j, R.synapseIngress, 'ingress'))]),
      address: address(R.gatewayDns),
      message: 'namespace-wide ingress allow rule',
    },
  ],
  good: [
    {
      name: 'DNS with end_port 53',
      mutate: (j) => (ruleOf(j, R.homeserverDns, 'egress').ports = [{ end_port: 53, port: '53', protocol: 'UDP' }]),
    },
  ],
};
