/** The container images helm_release values configure, for the IMG rules. */
import { helmReleases, helmValues, imageSettings, type ImageSetting } from '../../tfjson/helm-values';
import { podSpecs } from '../../tfjson/pod-specs';
import type { SynthesizedStack } from '../../tfjson/terraform-json';
import type { Applicability } from '../rule';

/** Where images are named: containers of the stack's workloads, and the values of its charts. */
export const IMAGES: Applicability = {
  subject: 'workload with a pod spec or Helm release',
  presentIn: (stack) => podSpecs(stack).length > 0 || helmReleases(stack).length > 0,
};

export interface HelmImage extends ImageSetting {
  /** `helm_release.<name> values.<path>`. */
  readonly address: string;
}

export interface HelmImages {
  readonly images: readonly HelmImage[];
  /** Values that could not be read, per release address. */
  readonly unreadable: readonly { readonly address: string; readonly message: string }[];
}

export function helmImages(stack: SynthesizedStack): HelmImages {
  const images: HelmImage[] = [];
  const unreadable: { address: string; message: string }[] = [];
  for (const release of helmReleases(stack)) {
    const { values, errors } = helmValues(release);
    for (const error of errors) unreadable.push({ address: release.address, message: `${error}; its images cannot be verified` });
    for (const setting of imageSettings(values)) images.push({ ...setting, address: `${release.address} values.${setting.path}` });
  }
  return { images, unreadable };
}
