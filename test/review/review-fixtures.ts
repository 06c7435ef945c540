/**
 * Fixture base/head pairs for the review: the base is the real default deployment, as this test
 * run synthesized it; each head is a copy with one deliberate change, made through small editors that
 * find objects by their Kubernetes identity, not by construct ids.
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { siteFactsOf } from '../../policies/site-facts';
import { compareSides, reviewSide, type Review, type ReviewedSide } from '../../review/build-review';
import { objectLabel } from '../../review/object-identity';
import { snapshotOf } from '../../review/snapshot';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { block, isObject, resources, type JsonObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis, type SharedDeployment } from '../support/shared-synthesis';

/** A fixed review date, so suppression expiry does not depend on the day the tests run. */
export const REVIEW_DATE = new Date('2026-11-23T12:00:00Z');
export const SITE_CONFIG = loadDeploymentConfig(DEFAULT_CONFIG_FILE);

/** The stacks of this test run's synthesis of the default deployment or the fleet example (shared by the suites, read only). */
const synthesized = new Map<SharedDeployment, SynthesizedStack[]>();
export function synthesizeStacks(deployment: SharedDeployment = 'default'): SynthesizedStack[] {
  const cached = synthesized.get(deployment);
  if (cached) return cached;
  const stacks = readSynthesizedStacks(sharedSynthesis(deployment));
  synthesized.set(deployment, stacks);
  return stacks;
}

export function copyOf(stacks: readonly SynthesizedStack[]): SynthesizedStack[] {
  return stacks.map((stack) => ({ name: stack.name, json: structuredClone(stack.json) }));
}

export interface Located {
  readonly stack: SynthesizedStack;
  readonly address: string;
  readonly body: JsonObject;
}

/** The resource managing `Kind namespace/name` (as the review labels it); throws when absent, so a fixture cannot silently miss. */
export function find(stacks: readonly SynthesizedStack[], label: string): Located {
  for (const stack of stacks) {
    for (const resource of resources(stack))
      if (objectLabel(resource, stack) === label) return { stack, address: resource.address, body: resource.body };
  }
  throw new Error(`fixture: no resource ${label}`);
}

export function remove(located: Located): void {
  const [type, name] = located.address.split('.');
  const byName = located.stack.json.resource?.[type ?? ''];
  if (!byName || !name) throw new Error(`fixture: cannot remove ${located.address}`);
  delete byName[name];
}

/** Adds a resource to a stack (as cdktf would write it). */
export function add(stack: SynthesizedStack, type: string, name: string, body: JsonObject): void {
  const resource = (stack.json as { resource: Record<string, Record<string, JsonObject>> }).resource;
  resource[type] = { ...(resource[type] ?? {}), [name]: body };
}

export function stackNamed(stacks: readonly SynthesizedStack[], name: string): SynthesizedStack {
  const stack = stacks.find((candidate) => candidate.name === name);
  if (!stack) throw new Error(`fixture: no stack ${name}`);
  return stack;
}

/** The nested block at `keys`, which must exist. */
export function blockAt(body: JsonObject, ...keys: string[]): JsonObject {
  let current: JsonObject = body;
  for (const key of keys) {
    const next = block(current[key]);
    if (!isObject(next)) throw new Error(`fixture: no block ${keys.join('.')}`);
    current = next;
  }
  return current;
}

const REVIEW_CONTEXT = { facts: siteFactsOf(SITE_CONFIG), now: REVIEW_DATE };
/** The default deployment as the base of a review, analysed once per file (every review here has it as its base). */
let defaultBase: ReviewedSide | undefined;

/** The review of `head` against the default deployment. */
export function reviewAgainstDefault(edit: (head: SynthesizedStack[]) => void): Review {
  const base = synthesizeStacks();
  const head = copyOf(base);
  edit(head);
  defaultBase ??= reviewSide(snapshotOf(base, 'main', 'a'.repeat(40)), REVIEW_CONTEXT);
  return compareSides(defaultBase, reviewSide(snapshotOf(head, 'HEAD', 'b'.repeat(40)), REVIEW_CONTEXT));
}
