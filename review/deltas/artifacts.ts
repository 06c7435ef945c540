/**
 * Supply-chain facts: every container image (by digest), every Helm chart (repository, chart,
 * version) and image set in chart values, and the Terraform providers the stacks pin.
 */
import { helmReleases, helmValues, imageSettings } from '../../tfjson/helm-values';
import { podSpecs } from '../../tfjson/pod-specs';
import { isObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { factValue, type Fact } from '../facts';
import { objectLabel } from '../object-identity';

function imageFacts(stack: SynthesizedStack): Fact[] {
  return podSpecs(stack).flatMap(({ resource, containers }) =>
    containers.map((container) => ({
      subject: objectLabel(resource, stack),
      setting: `container "${factValue(container.name)}" image`,
      value: factValue(container.image),
    })),
  );
}

function chartFacts(stack: SynthesizedStack): Fact[] {
  return helmReleases(stack).flatMap((release) => {
    const subject = objectLabel(release, stack);
    const { repository, chart, version } = release.body;
    return [
      { subject, setting: 'chart', value: `${factValue(repository)} ${factValue(chart)} ${factValue(version)}` },
      ...imageSettings(helmValues(release).values).map((image) => ({ subject, setting: `values ${image.path}`, value: image.reference })),
    ];
  });
}

function providerFacts(stack: SynthesizedStack): Fact[] {
  const required = stack.json.terraform?.required_providers;
  if (!isObject(required)) return [];
  return Object.entries(required).map(([name, requirement]) => ({
    subject: `stack ${stack.name}`,
    setting: `provider ${name}`,
    value: isObject(requirement) ? `${factValue(requirement.source)} ${factValue(requirement.version)}` : factValue(requirement),
  }));
}

export function artifactFacts(stacks: readonly SynthesizedStack[]): Fact[] {
  return stacks.flatMap((stack) => [...imageFacts(stack), ...chartFacts(stack), ...providerFacts(stack)]);
}
