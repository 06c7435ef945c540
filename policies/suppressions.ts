/**
 * Suppressions: a reviewed exception to one rule on one resource, written in code next to
 * the resource (constructs/suppress.ts) and carried in the synthesized JSON under the
 * resource's `//` comment key (Terraform ignores it), so every reader of the plan sees it.
 * A suppression needs a rule id, a reason, an owner and an expiry date; an invalid or
 * expired one suppresses nothing (and GOV-01 fails it).
 */
import { isObject, resources, type JsonObject, type SynthesizedStack } from '../tfjson/terraform-json';

export interface Suppression {
  readonly ruleId: string;
  /** Why the exception is acceptable, for the reviewer and the auditor (at least 10 characters). */
  readonly reason: string;
  /** Who answers for it: a person or team address. */
  readonly owner: string;
  /** Last day it applies, YYYY-MM-DD (UTC). */
  readonly expires: string;
}

export interface SuppressionRecord extends Suppression {
  readonly stack: string;
  readonly address: string;
  /** Problems that make it invalid; empty = it applies. */
  readonly problems: readonly string[];
}

export const SUPPRESSION_KEY = 'suppressions';
export const MIN_REASON_LENGTH = 10;
/** An exception is re-reviewed at least yearly. */
export const MAX_SUPPRESSION_DAYS = 366;
const DAY_MS = 86_400_000;

function asSuppression(value: unknown): Suppression {
  const record = isObject(value) ? value : {};
  const text = (key: string) => (typeof record[key] === 'string' ? record[key] : '');
  return { ruleId: text('ruleId'), reason: text('reason'), owner: text('owner'), expires: text('expires') };
}

/** What is wrong with a suppression, judged on `now`. */
export function suppressionProblems(suppression: Suppression, now: Date): string[] {
  const problems: string[] = [];
  if (!/^[A-Z]{2,5}-[0-9]{2}$/.test(suppression.ruleId))
    problems.push(`rule id ${JSON.stringify(suppression.ruleId)} is not a control id such as POD-02`);
  if (suppression.ruleId.startsWith('GOV-')) problems.push('governance controls cannot be suppressed');
  if (suppression.reason.trim().length < MIN_REASON_LENGTH)
    problems.push(`reason must say why in at least ${MIN_REASON_LENGTH} characters`);
  if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$|^team:[a-z0-9-]+$/.test(suppression.owner))
    problems.push(`owner ${JSON.stringify(suppression.owner)} must be an e-mail address or team:<name>`);
  const expiry = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(suppression.expires) ? Date.parse(`${suppression.expires}T23:59:59.999Z`) : Number.NaN;
  if (Number.isNaN(expiry)) problems.push(`expires ${JSON.stringify(suppression.expires)} is not a date YYYY-MM-DD`);
  else if (expiry < now.getTime()) problems.push(`expired on ${suppression.expires}`);
  else if (expiry - now.getTime() > MAX_SUPPRESSION_DAYS * DAY_MS)
    problems.push(
      `expires more than ${MAX_SUPPRESSION_DAYS} days ahead (${suppression.expires}): exceptions are re-reviewed at least yearly`,
    );
  return problems;
}

/** Every suppression written on a resource of the stack. */
export function suppressionsOf(stack: SynthesizedStack, now: Date): SuppressionRecord[] {
  return resources(stack).flatMap((resource) => {
    const comment = resource.body['//'];
    const list = isObject(comment) ? comment[SUPPRESSION_KEY] : undefined;
    if (list === undefined) return [];
    const entries: unknown[] = Array.isArray(list) ? list : [list];
    return entries.map((entry) => {
      const suppression = asSuppression(entry);
      return { ...suppression, stack: stack.name, address: resource.address, problems: suppressionProblems(suppression, now) };
    });
  });
}

/** The resource address a finding is about (findings may add detail after it, e.g. ` container "x"`). */
export function resourceAddressOf(findingAddress: string): string {
  return findingAddress.split(' ')[0] ?? findingAddress;
}

/** The valid suppression covering a finding, if any. */
export function suppressionFor(
  records: readonly SuppressionRecord[],
  finding: { readonly ruleId: string; readonly stack: string; readonly address: string },
): SuppressionRecord | undefined {
  const address = resourceAddressOf(finding.address);
  return records.find(
    (record) =>
      record.problems.length === 0 && record.ruleId === finding.ruleId && record.stack === finding.stack && record.address === address,
  );
}

/** A suppression as written into a resource's `//` block. */
export function suppressionJson(suppression: Suppression): JsonObject {
  return { ruleId: suppression.ruleId, reason: suppression.reason, owner: suppression.owner, expires: suppression.expires };
}
