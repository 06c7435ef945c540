import { parseImageReference } from '../../../config/image-reference';
import type { Rule } from '../../rule';
import { podSpecs } from '../../terraform-json';

/** Every image comes from a registry the site allows (the mirror, when one is configured). */
export const IMG_02: Rule = {
  id: 'IMG-02',
  title: 'Images come from allowlisted registries',
  level: 'error',
  lesson: 'A sovereign platform cannot pull code from wherever a reference happens to point.',
  references: { cisKubernetes: '5.5.1', nsaCisa: 'Supply chain: trusted registries', anssi: 'R24' },
  fix: 'Pull from a registry listed in images.allowedRegistries (or through images.mirrorPrefix).',
  check: (stack, context) => {
    const allowed = context.config?.images.pullRegistries;
    return podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container) => {
        const image = typeof container.image === 'string' ? container.image : '';
        const parsed = parseImageReference(image);
        const registry = typeof parsed === 'string' ? undefined : parsed.registry;
        // Without a site allowlist (standalone audit), an image is accepted only with an explicit registry host.
        const ok = registry !== undefined && (allowed ? allowed.includes(registry) : true);
        return ok ? [] : [{ address: `${view.resource.address} container "${String(container.name)}"`, message: `registry of "${image}" is not allowlisted` }];
      }),
    );
  },
};
