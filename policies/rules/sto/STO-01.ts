import type { Rule, Violation } from '../../rule';
import { block, blocks, podSpecs, resources } from '../../terraform-json';

/** Every claim (standalone or a volume claim template) names an allowlisted storage class. */
export const STO_01: Rule = {
  id: 'STO-01',
  title: 'Volumes use an allowlisted (encrypted, retained) storage class',
  level: 'error',
  lesson: '14 GB of shared files left through the media store: storage must be encrypted and compartmentalised by construction.',
  references: { nsaCisa: 'Data protection: encryption at rest', anssi: 'R38' },
  siteFacts: { facts: ['storageClasses'], unjudged: 'that claims use the site\'s storage classes (any explicitly named class is accepted)' },
  fix: 'Set storage_class_name to a class listed in storage.allowedStorageClasses (never rely on the cluster default class).',
  check: (stack, context) => {
    const allowed = context.facts?.storageClasses;
    const claims = [
      ...resources(stack, 'kubernetes_persistent_volume_claim_v1', 'kubernetes_persistent_volume_claim').map((claim) => ({ address: claim.address, spec: block(claim.body.spec) })),
      ...resources(stack, 'kubernetes_stateful_set_v1', 'kubernetes_stateful_set').flatMap((set) =>
        blocks(block(set.body.spec)?.volume_claim_template).map((template) => ({ address: `${set.address} volume_claim_template`, spec: block(template.spec) })),
      ),
      // Generic ephemeral volumes create claims too, from the pod spec.
      ...podSpecs(stack).flatMap((view) =>
        blocks(view.podSpec.volume).flatMap((volume) =>
          blocks(block(volume.ephemeral)?.volume_claim_template).map((template) => ({ address: `${view.resource.address} volume "${String(volume.name)}" (ephemeral)`, spec: block(template.spec) })),
        ),
      ),
    ];
    return claims.flatMap(({ address, spec }): Violation[] => {
      const storageClass = spec?.storage_class_name;
      if (typeof storageClass !== 'string' || storageClass === '') return [{ address, message: 'no explicit storage_class_name (the cluster default class is not trusted)' }];
      if (allowed && !allowed.includes(storageClass)) return [{ address, message: `storage class "${storageClass}" is not allowlisted` }];
      return [];
    });
  },
};
