/**
 * Records a reviewed exception to one control on one resource, next to the resource in
 * code. It travels in the synthesized JSON (the resource's `//` comment, ignored by the
 * engine), so reviewers see it in the plan and auditors in the evidence report.
 */
import type { TerraformResource } from 'cdktf';
import { SUPPRESSION_KEY, suppressionJson, suppressionProblems, type Suppression } from '../policies/suppressions';

const recorded = new WeakMap<TerraformResource, Suppression[]>();

/** Refuses, at construction time, a suppression the audit would reject anyway. */
export function suppress(resource: TerraformResource, suppression: Suppression, now: Date = new Date()): void {
  const problems = suppressionProblems(suppression, now);
  if (problems.length > 0) throw new Error(`suppression of ${suppression.ruleId} on ${resource.node.path}: ${problems.join('; ')}`);
  const all = [...(recorded.get(resource) ?? []), suppression];
  recorded.set(resource, all);
  resource.addOverride(`//.${SUPPRESSION_KEY}`, all.map(suppressionJson));
}
