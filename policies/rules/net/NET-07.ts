import { cidrContains, parseCidr } from '../../../config/validators';
import { networkPolicies } from '../../../tfjson/reachability';
import { NETWORK_POLICIES } from '../../checks/subjects';
import type { AuditContext, Rule, Violation } from '../../rule';

const DEFAULT_METADATA = ['169.254.169.254/32', 'fd00:ec2::254/128'];

function reservedRanges(context: AuditContext): string[] {
  const kubernetes = context.facts?.kubernetes;
  if (!kubernetes) return DEFAULT_METADATA;
  return [...kubernetes.metadataCidrs, ...kubernetes.podCidrs, ...kubernetes.serviceCidrs, ...kubernetes.nodeCidrs];
}

/** Every egress address block excludes the metadata endpoint and the cluster ranges it contains. */
export const rule: Rule = {
  id: 'NET-07',
  title: 'Egress to outside addresses excludes the metadata endpoint and cluster ranges',
  level: 'error',
  lesson:
    'The intrusion was noticed only from traffic: egress must be narrow enough that exfiltration and lateral movement have nowhere to go.',
  references: { cisKubernetes: '5.3.2', nsaCisa: 'Network separation: restrict egress', anssi: 'R36' },
  siteFacts: {
    facts: ['kubernetes'],
    unjudged: "that egress blocks exclude the site's pod, service and node ranges (only the well-known metadata endpoints are checked)",
  },
  fix: 'Add the metadata, pod, service and node ranges that fall inside the block to ip_block.except (the flow matrix does this for declared federation egress).',
  appliesTo: NETWORK_POLICIES,
  check: (stack, context) =>
    networkPolicies(stack).flatMap((policy) =>
      policy.egress.flatMap((egress) =>
        egress.peers.flatMap((peer): Violation[] => {
          if (peer.kind !== 'ipBlock' || peer.cidr === undefined) return [];
          const outer = parseCidr(peer.cidr);
          if (typeof outer === 'string') return [{ address: policy.address, message: `invalid CIDR ${peer.cidr}` }];
          const except = peer.except.map((entry) => parseCidr(entry)).filter((entry) => typeof entry !== 'string');
          const missing = reservedRanges(context).filter((range) => {
            const inner = parseCidr(range);
            if (typeof inner === 'string' || !cidrContains(outer, inner)) return false;
            return !except.some((carved) => cidrContains(carved, inner));
          });
          return missing.length
            ? [{ address: policy.address, message: `egress to ${outer.text} does not exclude ${missing.join(', ')}` }]
            : [];
        }),
      ),
    ),
};
