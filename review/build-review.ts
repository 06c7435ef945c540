/**
 * The review of a change as data: what the head deployment changes against the base, security
 * deltas first. Pure: both sides are already synthesized; nothing here runs git or cdktf.
 */
import { auditStacks, type AuditResult } from '../policies/audit';
import type { AuditContext } from '../policies/rule';
import { outsideRangesOf, reachabilityDelta, reachabilityOf, type Reachability, type ReachabilityDelta } from '../tfjson/reachability';
import type { SynthesizedStack } from '../tfjson/terraform-json';
import { artifactFacts } from './deltas/artifacts';
import { exposureFacts } from './deltas/exposure';
import { policyDeltas, type PolicyDeltas } from './deltas/policy';
import { privilegeFacts } from './deltas/privileges';
import { secretReferenceFacts } from './deltas/secret-references';
import { synapseSettingFacts } from './deltas/synapse-settings';
import { diffFacts, type Fact, type FactChange } from './facts';
import { diffStacks, type StackChanges } from './resource-diff';
import type { SynthSnapshot } from './snapshot';

export interface Review {
  readonly base: SynthSnapshot;
  readonly head: SynthSnapshot;
  /** When the review was made: suppression expiry is judged on this date. */
  readonly reviewedAt: Date;
  readonly reachability: {
    readonly before: Reachability;
    readonly after: Reachability;
    readonly delta: ReachabilityDelta;
    /** Flows to or from `outside` whose address ranges changed (same zones and port, wider or narrower ipBlocks). */
    readonly outsideRanges: readonly FactChange[];
  };
  readonly exposure: readonly FactChange[];
  readonly privileges: readonly FactChange[];
  readonly secretReferences: readonly FactChange[];
  readonly artifacts: readonly FactChange[];
  readonly synapseSettings: readonly FactChange[];
  readonly policy: PolicyDeltas;
  /** The head's audit (every finding, not only the new ones). */
  readonly headAudit: AuditResult;
  readonly stacks: readonly StackChanges[];
  /** Things the reviewer must know about how the review was made (e.g. the head fails the policy audit). */
  readonly notes: readonly string[];
}

export interface ReviewInput {
  readonly base: SynthSnapshot;
  readonly head: SynthSnapshot;
  /** The head's site config and the review date (both sides are audited with it). */
  readonly context: AuditContext;
  readonly notes?: readonly string[];
}

/** The address ranges of each flow to or from outside, as facts: a widened ipBlock is a delta even when the zones and port stay. */
function outsideRangeFacts(stacks: readonly SynthesizedStack[]): Fact[] {
  return outsideRangesOf(stacks).map((flow) => ({
    subject: `${flow.from} → ${flow.to}`,
    setting: flow.port,
    value: flow.ranges.join('; '),
  }));
}

const delta = (extract: (stacks: readonly SynthesizedStack[]) => Fact[], base: SynthSnapshot, head: SynthSnapshot) =>
  diffFacts(extract(base.stacks), extract(head.stacks));

export function buildReview(input: ReviewInput): Review {
  const { base, head } = input;
  const reviewedAt = input.context.now ?? new Date();
  const context: AuditContext = { ...input.context, now: reviewedAt };
  const baseAudit = auditStacks(base.stacks, context);
  const headAudit = auditStacks(head.stacks, context);
  const before = reachabilityOf(base.stacks);
  const after = reachabilityOf(head.stacks);
  return {
    base,
    head,
    reviewedAt,
    reachability: { before, after, delta: reachabilityDelta(before, after), outsideRanges: delta(outsideRangeFacts, base, head) },
    exposure: delta(exposureFacts, base, head),
    privileges: delta(privilegeFacts, base, head),
    secretReferences: delta(secretReferenceFacts, base, head),
    artifacts: delta(artifactFacts, base, head),
    synapseSettings: delta(synapseSettingFacts, base, head),
    policy: policyDeltas(baseAudit, headAudit, reviewedAt),
    headAudit,
    stacks: diffStacks(base.stacks, head.stacks),
    notes: input.notes ?? [],
  };
}
