/**
 * Kubernetes label selectors as the API server evaluates them (`matchLabels` AND every
 * `matchExpressions` requirement), read from either spelling: typed resources write
 * `match_labels`, manifests `matchLabels`. Also a stand-in object a selector selects, for
 * reasoning about objects the stacks do not show.
 */
import { LABEL_NAMESPACE_NAME } from '../model/compartments';
import { field } from './fields';
import { block, blocks, stringMap, strings } from './terraform-json';

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

/** Whether one requirement holds for a label's value (undefined: the label is absent). An unknown operator is rejected by the API server: it holds for nothing here. */
function requirementHolds(operator: string, values: readonly string[], value: string | undefined): boolean {
  switch (operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

export function selects(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  return selector.requirements.every(({ key, operator, values }) => requirementHolds(operator, values, labels[key]));
}

/** True when a selector selects everything: absent, or neither labels nor expressions. */
export function selectsEverything(selector: LabelSelector | undefined): boolean {
  return selector === undefined || (Object.keys(selector.matchLabels).length === 0 && selector.requirements.length === 0);
}

/** Whether the selector names at least one label to match (expressions alone do not count). */
export function hasMatchLabels(selector: LabelSelector | undefined): boolean {
  return selector !== undefined && Object.keys(selector.matchLabels).length > 0;
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

/** Namespace names a namespace selector names through the name label Kubernetes sets on every namespace (its match label and In expressions). */
export function pinnedNamespaceNames(selector: LabelSelector): string[] {
  const byLabel = selector.matchLabels[LABEL_NAMESPACE_NAME];
  const byExpression = selector.requirements
    .filter((requirement) => requirement.key === LABEL_NAMESPACE_NAME && requirement.operator === 'In')
    .flatMap((requirement) => requirement.values);
  return [...(byLabel === undefined ? [] : [byLabel]), ...byExpression];
}
