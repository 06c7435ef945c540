import { LABEL_COMPARTMENT } from '../../../model/compartments';
import type { SynthesizedStack } from '../../terraform-json';
import { namespaceLabels } from './network-policy-view';

/** The compartment label of a namespace declared in the same stack, if any. */
export function compartmentOfNamespace(stack: SynthesizedStack, namespace: string): string | undefined {
  return namespaceLabels(stack, namespace)[LABEL_COMPARTMENT];
}
