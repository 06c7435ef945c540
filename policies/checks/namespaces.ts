/**
 * What a rule judging one stack knows about namespaces: those the stack declares, those the
 * stacks audited with it declare (AuditContext.namespaces), and the deployment's own from the
 * site facts. A namespace is placed in a compartment by its compartment label, the label the
 * compartments put on their namespaces, never by the shape of its name.
 */
import { LABEL_COMPARTMENT, LABEL_NAMESPACE_NAME } from '../../model/compartments';
import type { Labels } from '../../tfjson/label-selectors';
import { declaredNamespaces } from '../../tfjson/namespaces';
import type { SynthesizedStack } from '../../tfjson/terraform-json';
import type { AuditContext } from '../rule';

/** Namespace labels by name; a namespace the stack declares itself wins over what is known from elsewhere. */
export function knownNamespaces(stack: SynthesizedStack, context: AuditContext): Map<string, Labels> {
  const known = new Map<string, Labels>();
  for (const [name, compartment] of Object.entries(context.facts?.namespaces ?? {}))
    known.set(name, { [LABEL_NAMESPACE_NAME]: name, [LABEL_COMPARTMENT]: compartment });
  for (const [name, labels] of context.namespaces ?? []) known.set(name, labels);
  for (const [name, labels] of declaredNamespaces([stack])) known.set(name, labels);
  return known;
}

/** The compartment label of each namespace known to the rule. */
export function compartmentsOf(stack: SynthesizedStack, context: AuditContext): (namespace: string | undefined) => string | undefined {
  const known = knownNamespaces(stack, context);
  return (namespace) => (namespace === undefined ? undefined : known.get(namespace)?.[LABEL_COMPARTMENT]);
}
