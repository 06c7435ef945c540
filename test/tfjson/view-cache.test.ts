/**
 * The views rules share are computed once per stack within an audit, and shared safely: no rule
 * changes any view (however deep) on the synthesized fleet, a list handed out cannot be edited,
 * and nothing outlives the audit (an edited stack is seen by the next one).
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { auditStacks } from '../../policies/audit';
import { siteFactsOf } from '../../policies/site-facts';
import { manifests } from '../../tfjson/manifests';
import { podSpecs } from '../../tfjson/pod-specs';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import type { JsonObject, SynthesizedStack } from '../../tfjson/terraform-json';
import { cachedViews, withViewCache, type CachedView } from '../../tfjson/view-cache';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis } from '../support/shared-synthesis';

/** A view as text, Maps included (a Map's entries in order). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof Map ? { map: [...item.entries()] } : item));
}

/** Every subject a view is computed from, in the fleet. */
function subjectsOf(view: CachedView<never, unknown>, stacks: readonly SynthesizedStack[]): object[] {
  if (view.subject === 'stack') return [...stacks];
  return stacks.flatMap((stack) => podSpecs(stack).flatMap((spec): JsonObject[] => spec.containers));
}

describe('views shared by the rules of an audit', () => {
  const stacks = readSynthesizedStacks(sharedSynthesis('fleet'));

  it('no rule changes any view of the fleet, however deep', () => {
    const views = cachedViews();
    expect(views.length).toBeGreaterThanOrEqual(15);
    const changed: string[] = [];
    withViewCache(() => {
      // The very objects the rules are handed (the audit below shares this scope), as they were before it.
      const before = views.flatMap((view) =>
        subjectsOf(view, stacks).map((subject) => {
          const value = view(subject as never);
          return { view, subject, value, text: canonical(value) };
        }),
      );
      expect(before.length).toBeGreaterThan(stacks.length * views.length);
      const audit = auditStacks(stacks, { facts: siteFactsOf(loadDeploymentConfig(FLEET_CONFIG_FILE)) });
      expect(audit.errors).toEqual([]);
      for (const { view, subject, value, text } of before) {
        if (view(subject as never) !== value) changed.push(`${view.name}: computed again`);
        else if (canonical(value) !== text) changed.push(`${view.name}: changed by a rule`);
      }
    });
    expect(changed).toEqual([]);
  });

  it('hands out a list no rule can edit, the same one each time within the scope', () => {
    const [stack] = stacks;
    if (!stack) throw new Error('no stack');
    withViewCache(() => {
      const list = manifests(stack);
      expect(manifests(stack)).toBe(list);
      expect(() => (list as unknown[]).push({})).toThrow(TypeError);
    });
    expect(manifests(stack)).not.toBe(manifests(stack));
  });

  it('keeps nothing once the audit ends: an edited stack is judged as edited', () => {
    const stack = stacks.find((candidate) => podSpecs(candidate).length > 0);
    if (!stack) throw new Error('no stack with pods');
    const count = withViewCache(() => podSpecs(stack).length);
    const [first] = podSpecs(stack);
    const resources = stack.json.resource as Record<string, Record<string, unknown>>;
    const type = first?.resource.type ?? '';
    resources[type] = { ...resources[type], extra_controller: structuredClone(first?.resource.body) };
    expect(withViewCache(() => podSpecs(stack).length)).toBe(count + 1);
  });
});
