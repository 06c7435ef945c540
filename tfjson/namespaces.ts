/** The namespaces stacks declare, typed or as manifests, with their labels. */
import { LABEL_NAMESPACE_NAME } from '../model/compartments';
import type { Labels } from './label-selectors';
import { manifests } from './manifests';
import { NAMESPACE_TYPES } from './resource-types';
import { block, metadataOf, resources, stringMap, type JsonObject, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

/** The namespaces one stack declares, in order (a view rules share: computed once per stack within an audit). */
const namespacesOf = cachedView('stack', function namespacesOf(stack: SynthesizedStack): ReadonlyMap<string, Labels> {
  const declared = new Map<string, Labels>();
  const declare = (metadata: JsonObject) => {
    if (typeof metadata.name === 'string')
      declared.set(metadata.name, { ...stringMap(metadata.labels), [LABEL_NAMESPACE_NAME]: metadata.name });
  };
  for (const resource of resources(stack, ...NAMESPACE_TYPES)) declare(metadataOf(resource));
  for (const view of manifests(stack)) if (view.group === '' && view.kind === 'Namespace') declare(block(view.object.metadata) ?? {});
  return declared;
});

/** Every namespace the stacks declare, by name, with its labels and the name label the API server adds to every namespace. */
export function declaredNamespaces(stacks: readonly SynthesizedStack[]): Map<string, Labels> {
  const declared = new Map<string, Labels>();
  for (const stack of stacks) for (const [name, labels] of namespacesOf(stack)) declared.set(name, labels);
  return declared;
}
