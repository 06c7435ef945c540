import { parseImageReference } from '../../../config/image-reference';
import { podSpecs } from '../../../tfjson/pod-specs';
import { helmImages, IMAGES } from '../../checks/helm-images';
import type { Rule, Violation } from '../../rule';

/** Every image, in pod specs and in Helm chart values, comes from a registry the site allows (the mirror, when one is configured). */
export const rule: Rule = {
  id: 'IMG-02',
  title: 'Images come from allowlisted registries',
  level: 'error',
  lesson: 'A sovereign platform cannot pull code from wherever a reference happens to point.',
  references: { cisKubernetes: '5.5.1', nsaCisa: 'Supply chain: trusted registries', anssi: 'R24' },
  siteFacts: {
    facts: ['pullRegistries'],
    unjudged: "that images come from the site's registries (any explicitly named registry is accepted)",
  },
  fix: 'Pull from a registry listed in images.allowedRegistries (or through images.mirrorPrefix); in chart values, name the registry (image.registry or the first segment of image.repository).',
  appliesTo: IMAGES,
  check: (stack, context) => {
    const allowed = context.facts?.pullRegistries;
    // Without a site allowlist (standalone audit), an image is accepted only with an explicit registry host.
    const accepts = (registry: string | undefined) => registry !== undefined && (allowed ? allowed.includes(registry) : true);
    const violations: Violation[] = podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container) => {
        const image = typeof container.image === 'string' ? container.image : '';
        const parsed = parseImageReference(image);
        const registry = typeof parsed === 'string' ? undefined : parsed.registry;
        return accepts(registry)
          ? []
          : [
              {
                address: `${view.resource.address} container "${String(container.name)}"`,
                message: `registry of "${image}" is not allowlisted`,
              },
            ];
      }),
    );
    for (const image of helmImages(stack).images) {
      if (!accepts(image.registry)) {
        violations.push({
          address: image.address,
          message: image.registry
            ? `registry of "${image.reference}" is not allowlisted`
            : `registry of "${image.reference}" is not allowlisted (no registry host named)`,
        });
      }
    }
    return violations;
  },
};
