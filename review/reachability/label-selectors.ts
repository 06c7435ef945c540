/** Label selectors: what a selector selects, and a stand-in object it selects. */
import { requirementHolds } from '../../policies/label-selector-requirement';
import { LABEL_NAMESPACE_NAME } from '../../model/compartments';
import { block, blocks, stringMap } from '../../policies/terraform-json';
import { field, strings } from './fields';

export type Labels = Readonly<Record<string, string>>;

interface SelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly requirements: readonly SelectorRequirement[];
}

export const EVERYTHING: LabelSelector = { matchLabels: {}, requirements: [] };

/** undefined when the selector is absent (which means something else than an empty selector). */
export function selectorOf(value: unknown): LabelSelector | undefined {
  const object = block(value);
  if (!object) return undefined;
  const requirements = blocks(field(object, 'match_expressions')).map((expression) => ({
    key: typeof expression.key === 'string' ? expression.key : '',
    operator: typeof expression.operator === 'string' ? expression.operator : '',
    values: strings(expression.values),
  }));
  return { matchLabels: stringMap(field(object, 'match_labels')), requirements };
}

export function selects(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  return selector.requirements.every(({ key, operator, values }) => requirementHolds(operator, values, labels[key]));
}

/** Labels of a stand-in object the selector selects, or undefined when no object can satisfy it. */
export function witnessLabels(selector: LabelSelector): Labels | undefined {
  const labels: Record<string, string> = { ...selector.matchLabels };
  for (const { key, operator, values } of selector.requirements) {
    if (labels[key] !== undefined) continue;
    if (operator === 'In' && values[0] !== undefined) labels[key] = values[0];
    if (operator === 'Exists') labels[key] = '';
  }
  return selects(selector, labels) ? labels : undefined;
}

/** Namespace names a namespace selector pins through the name label Kubernetes sets on every namespace. */
export function pinnedNamespaceNames(selector: LabelSelector): string[] {
  const names = selector.matchLabels[LABEL_NAMESPACE_NAME];
  if (names !== undefined) return [names];
  return selector.requirements.filter((requirement) => requirement.key === LABEL_NAMESPACE_NAME && requirement.operator === 'In').flatMap((requirement) => requirement.values);
}
