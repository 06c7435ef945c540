import { CLIENT_MIN_PREFIX, SERVICE_MIN_PREFIX, type PrefixBound } from '../../../config/bounds';
import { parseCidr } from '../../../config/validators';
import { networkPolicies, rulesOf } from '../../../tfjson/reachability';
import { SERVICE_TYPES } from '../../../tfjson/resource-types';
import { block, resources } from '../../../tfjson/terraform-json';
import { NETWORK_POLICIES } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** Why a range is wider than the bound allows (the any-address is judged by NET-03 and NET-07), if it is. */
function tooWide(range: unknown, bound: PrefixBound): string | null {
  if (typeof range !== 'string') return null;
  const parsed = parseCidr(range);
  if (typeof parsed === 'string' || parsed.prefix === 0 || parsed.prefix >= bound[parsed.family]) return null;
  return `${range} is a /${parsed.prefix}: wider than /${bound[parsed.family]} (IPv${parsed.family})`;
}

/**
 * Address blocks are either the any-address, stated as such, or narrow: egress to outside
 * services names at most an IPv4 /16 or IPv6 /32 per block (one organisation's addresses),
 * ingress and load-balancer source ranges at most an IPv4 /8 or IPv6 /16 (client networks).
 */
export const rule: Rule = {
  id: 'NET-10',
  title: 'Address blocks are the any-address or narrow',
  level: 'error',
  lesson:
    'An allowlist of /1 blocks is "anywhere" that reads as "one service": egress meant for an object store or a directory must not reach half the internet.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation: restrict egress', anssi: 'R36' },
  fix: "Name the service's own addresses (media.s3.cidrs, directory.external.cidrs, federation.egressCidrs, kubernetes.apiServer.cidrs: /16 or narrower for IPv4, /32 for IPv6); for a public gateway give 0.0.0.0/0 and ::/0, otherwise client networks no wider than /8 (IPv4) or /16 (IPv6).",
  appliesTo: {
    subject: 'NetworkPolicy or Service',
    presentIn: (stack, context) => NETWORK_POLICIES.presentIn(stack, context) || resources(stack, ...SERVICE_TYPES).length > 0,
  },
  check: (stack) => {
    const violations: Violation[] = [];
    for (const policy of networkPolicies(stack)) {
      for (const direction of ['ingress', 'egress'] as const) {
        const bound = direction === 'egress' ? SERVICE_MIN_PREFIX : CLIENT_MIN_PREFIX;
        for (const entry of rulesOf(policy, direction)) {
          for (const peer of entry.peers) {
            const problem = peer.kind === 'ipBlock' ? tooWide(peer.cidr, bound) : null;
            if (problem)
              violations.push({
                address: policy.address,
                message: `${direction} ${problem}${direction === 'egress' ? ' for an outside service' : ' for client networks'}`,
              });
          }
        }
      }
    }
    for (const service of resources(stack, ...SERVICE_TYPES)) {
      const ranges = block(service.body.spec)?.load_balancer_source_ranges;
      for (const range of Array.isArray(ranges) ? ranges : []) {
        const problem = tooWide(range, CLIENT_MIN_PREFIX);
        if (problem) violations.push({ address: service.address, message: `load-balancer source range ${problem} for client networks` });
      }
    }
    return violations;
  },
};
