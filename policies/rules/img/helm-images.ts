/** The container images helm_release values configure, for the IMG rules. */
import { helmReleases, helmValues, imageSettings, type ImageSetting } from '../../helm-values';
import type { SynthesizedStack } from '../../terraform-json';

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
