import { podSpecs } from '../../../tfjson/pod-specs';
import { block, blocks, namespaceOf } from '../../../tfjson/terraform-json';
import type { Rule } from '../../rule';

/** A persistent volume claim is mounted by at most one workload. */
export const rule: Rule = {
  id: 'STO-03',
  title: 'Each volume belongs to exactly one workload',
  level: 'error',
  lesson: 'A volume shared between workloads is a path around the compartment boundary.',
  references: { nsaCisa: 'Data protection', anssi: 'R38' },
  fix: 'Give each workload its own claim (ReadWriteOncePod).',
  appliesTo: {
    subject: 'volume claim mounted by a workload',
    presentIn: (stack) =>
      podSpecs(stack).some((view) => blocks(view.podSpec.volume).some((volume) => block(volume.persistent_volume_claim) !== undefined)),
  },
  check: (stack) => {
    const users = new Map<string, string[]>();
    for (const view of podSpecs(stack)) {
      for (const volume of blocks(view.podSpec.volume)) {
        const claim = block(volume.persistent_volume_claim)?.claim_name;
        // Claim names are unique per namespace only.
        const key = `${namespaceOf(view.resource, stack) ?? '?'}/${String(claim)}`;
        if (typeof claim === 'string') users.set(key, [...(users.get(key) ?? []), view.resource.address]);
      }
    }
    return [...users.entries()]
      .filter(([, workloads]) => new Set(workloads).size > 1)
      .map(([claim, workloads]) => ({ address: `claim "${claim}"`, message: `mounted by ${[...new Set(workloads)].join(', ')}` }));
  },
};
