/** The case table of NET-07 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, ipBlockOf, R, ruleOf, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    {
      name: 'metadata endpoint not excluded (standalone)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['10.0.0.0/8']),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to 0.0.0.0/0 does not exclude 169.254.169.254/32',
    },
    {
      name: 'IPv6 metadata endpoint not excluded (standalone)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '::/0', except: ['2001:db8::/32'] } }]),
      context: STANDALONE_CONTEXT,
      address: address(R.synapseFederation),
      message: 'egress to ::/0 does not exclude fd00:ec2::254/128',
    },
    {
      name: 'pod CIDR not excluded (config)',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.96.0.0/12', '192.168.0.0/16']),
      address: address(R.synapseFederation),
      message: /does not exclude 10\.244\.0\.0\/16$/,
    },
    {
      name: 'internal range containing cluster ranges (config)',
      mutate: (j) => (ruleOf(j, R.synapseFederation, 'egress').to = [{ ip_block: { cidr: '10.0.0.0/8', except: [] } }]),
      address: address(R.synapseFederation),
      message: 'egress to 10.0.0.0/8 does not exclude 10.244.0.0/16, 10.96.0.0/12',
    },
    {
      name: 'invalid CIDR',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').cidr = '0.0.0.0/33'),
      address: address(R.synapseFederation),
      message: 'invalid CIDR 0.0.0.0/33',
    },
  ],
  good: [
    {
      name: 'cluster ranges carved by a wider except',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32', '10.0.0.0/8', '192.168.0.0/16']),
    },
    {
      name: 'pod CIDR not excluded without config',
      mutate: (j) => (ipBlockOf(j, R.synapseFederation, 'egress').except = ['169.254.169.254/32']),
      context: STANDALONE_CONTEXT,
    },
  ],
};
