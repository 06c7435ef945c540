import { podSpecs } from '../../../tfjson/pod-specs';
import { PERSISTENT_VOLUME_CLAIM_TYPES, STATEFUL_SET_TYPES } from '../../../tfjson/resource-types';
import { block, blocks, resources, type JsonObject, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** Every claim the stack creates: standalone, from a stateful set's claim templates, or a pod's generic ephemeral volume. */
function claims(stack: SynthesizedStack): { address: string; spec: JsonObject | undefined }[] {
  return [
    ...resources(stack, ...PERSISTENT_VOLUME_CLAIM_TYPES).map((claim) => ({ address: claim.address, spec: block(claim.body.spec) })),
    ...resources(stack, ...STATEFUL_SET_TYPES).flatMap((set) =>
      blocks(block(set.body.spec)?.volume_claim_template).map((template) => ({
        address: `${set.address} volume_claim_template`,
        spec: block(template.spec),
      })),
    ),
    ...podSpecs(stack).flatMap((view) =>
      blocks(view.podSpec.volume).flatMap((volume) =>
        blocks(block(volume.ephemeral)?.volume_claim_template).map((template) => ({
          address: `${view.resource.address} volume "${String(volume.name)}" (ephemeral)`,
          spec: block(template.spec),
        })),
      ),
    ),
  ];
}

/** Every claim (standalone or a volume claim template) names an allowlisted storage class. */
export const rule: Rule = {
  id: 'STO-01',
  title: 'Volumes use an allowlisted (encrypted, retained) storage class',
  level: 'error',
  lesson: '14 GB of shared files left through the media store: storage must be encrypted and compartmentalised by construction.',
  references: { nsaCisa: 'Data protection: encryption at rest', anssi: 'R38' },
  siteFacts: { facts: ['storageClasses'], unjudged: "that claims use the site's storage classes (any explicitly named class is accepted)" },
  fix: 'Set storage_class_name to a class listed in storage.allowedStorageClasses (never rely on the cluster default class).',
  appliesTo: {
    subject: 'persistent volume claim (standalone, claim template or ephemeral)',
    presentIn: (stack) => claims(stack).length > 0,
  },
  check: (stack, context) => {
    const allowed = context.facts?.storageClasses;
    return claims(stack).flatMap(({ address, spec }): Violation[] => {
      const storageClass = spec?.storage_class_name;
      if (typeof storageClass !== 'string' || storageClass === '')
        return [{ address, message: 'no explicit storage_class_name (the cluster default class is not trusted)' }];
      if (allowed && !allowed.includes(storageClass)) return [{ address, message: `storage class "${storageClass}" is not allowlisted` }];
      return [];
    });
  },
};
