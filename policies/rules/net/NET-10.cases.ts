/** The case table of NET-10 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, ipBlockOf, R, specOf, type Mutation } from '../../../test/policies/fixtures';

// ---------------------------------------------------------------- NET-10: breadth of address blocks
const setFederationBlock =
  (cidr: string): Mutation =>
  (j) =>
    (ipBlockOf(j, R.synapseFederation, 'egress').cidr = cidr);

const setGatewayIngress =
  (cidr: string): Mutation =>
  (j) =>
    (ipBlockOf(j, R.haproxyIngress, 'ingress').cidr = cidr);

const setSourceRanges =
  (ranges: string[]): Mutation =>
  (j) =>
    (specOf(j, R.haproxyService).load_balancer_source_ranges = ranges);

export const cases: RuleCases = {
  bad: [
    {
      name: 'egress to half the IPv4 internet',
      mutate: setFederationBlock('0.0.0.0/1'),
      address: address(R.synapseFederation),
      message: 'egress 0.0.0.0/1 is a /1: wider than /16 (IPv4) for an outside service',
    },
    {
      name: 'egress to a /15',
      mutate: setFederationBlock('198.50.0.0/15'),
      address: address(R.synapseFederation),
      message: 'wider than /16 (IPv4)',
    },
    {
      name: 'egress to an IPv6 /31',
      mutate: setFederationBlock('2001:db8::/31'),
      address: address(R.synapseFederation),
      message: 'egress 2001:db8::/31 is a /31: wider than /32 (IPv6)',
    },
    {
      name: 'ingress from a /7',
      mutate: setGatewayIngress('2.0.0.0/7'),
      address: address(R.haproxyIngress),
      message: 'ingress 2.0.0.0/7 is a /7: wider than /8 (IPv4) for client networks',
    },
    {
      name: 'ingress from an IPv6 /3',
      mutate: setGatewayIngress('2000::/3'),
      address: address(R.haproxyIngress),
      message: 'wider than /16 (IPv6)',
    },
    {
      name: 'load-balancer source ranges of two /1 halves',
      mutate: setSourceRanges(['0.0.0.0/1', '128.0.0.0/1']),
      address: address(R.haproxyService),
      message: 'load-balancer source range 128.0.0.0/1 is a /1',
    },
  ],
  good: [
    { name: 'the any-address for federation and a public gateway (fixture)', mutate: () => undefined },
    {
      name: 'egress to a /16 and ingress from a /8',
      mutate: (j) => {
        setFederationBlock('198.51.0.0/16')(j);
        setGatewayIngress('11.0.0.0/8')(j);
      },
    },
    {
      name: 'IPv6: egress to a /32, source ranges of a /16 and the any-address',
      mutate: (j) => {
        setFederationBlock('2001:db8::/32')(j);
        setSourceRanges(['2001::/16', '::/0'])(j);
      },
    },
  ],
};
