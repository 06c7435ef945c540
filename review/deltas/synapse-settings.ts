/** Synapse settings, one fact per leaf of each rendered config file (main and worker), as Synapse reads it. */
import { synapseConfigFiles } from '../../tfjson/synapse-config';
import { resources, type SynthesizedStack } from '../../tfjson/terraform-json';
import { flattenSettings, type Fact } from '../facts';
import { objectLabel } from '../object-identity';

export function synapseSettingFacts(stacks: readonly SynthesizedStack[]): Fact[] {
  return stacks.flatMap((stack) => {
    const labels = new Map(resources(stack).map((resource) => [resource.address, objectLabel(resource, stack)]));
    return synapseConfigFiles(stack).flatMap((file) => {
      const resourceAddress = file.address.split(' ')[0] ?? file.address;
      const subject = `${labels.get(resourceAddress) ?? resourceAddress} ${file.file}`;
      const facts: Fact[] = [];
      flattenSettings(file.own, '', (setting, value) => facts.push({ subject, setting, value }));
      return facts;
    });
  });
}
