import { parseImageReference } from '../../../config/image-reference';
import { podSpecs } from '../../../tfjson/pod-specs';
import { helmImages, IMAGES } from '../../checks/helm-images';
import type { Rule, Violation } from '../../rule';

/** Every container image, in pod specs and in Helm chart values, is `registry/repository[:tag]@sha256:<digest>`. */
export const rule: Rule = {
  id: 'IMG-01',
  title: 'Images are pinned by digest',
  level: 'error',
  lesson: 'A tag can be re-pointed by whoever controls the registry; a digest cannot.',
  references: { cisKubernetes: '5.5.1', nsaCisa: 'Supply chain: use trusted, immutable images', anssi: 'R24', checkov: ['CKV_K8S_43'] },
  fix: 'Reference the image as registry/repository[:tag]@sha256:<64 hex> (in chart values: registry/repository with a digest, or a tag ending in @sha256:<64 hex>).',
  appliesTo: IMAGES,
  check: (stack) => {
    const violations: Violation[] = podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container) => {
        const image = typeof container.image === 'string' ? container.image : '';
        const parsed = parseImageReference(image);
        return typeof parsed === 'string'
          ? [{ address: `${view.resource.address} container "${String(container.name)}"`, message: `image "${image}" ${parsed}` }]
          : [];
      }),
    );
    const { images, unreadable } = helmImages(stack);
    violations.push(...unreadable);
    for (const image of images) {
      const parsed = parseImageReference(image.reference);
      if (typeof parsed === 'string') violations.push({ address: image.address, message: `image "${image.reference}" ${parsed}` });
    }
    return violations;
  },
};
