import { parseImageReference } from '../../../config/image-reference';
import type { Rule } from '../../rule';
import { podSpecs } from '../../terraform-json';

/** Every container image is `registry/repository[:tag]@sha256:<digest>`. */
export const IMG_01: Rule = {
  id: 'IMG-01',
  title: 'Images are pinned by digest',
  level: 'error',
  lesson: 'A tag can be re-pointed by whoever controls the registry; a digest cannot.',
  references: { cisKubernetes: '5.5.1', nsaCisa: 'Supply chain: use trusted, immutable images', anssi: 'R24', checkov: ['CKV_K8S_43'] },
  fix: 'Reference the image as registry/repository[:tag]@sha256:<64 hex>.',
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container) => {
        const image = typeof container.image === 'string' ? container.image : '';
        const parsed = parseImageReference(image);
        return typeof parsed === 'string' ? [{ address: `${view.resource.address} container "${String(container.name)}"`, message: `image "${image}" ${parsed}` }] : [];
      }),
    ),
};
