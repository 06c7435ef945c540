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

/** The facts compared between the sides, each read from one side's stacks alone. */
const FACT_EXTRACTORS = {
  outsideRanges: outsideRangeFacts,
  exposure: exposureFacts,
  privileges: privilegeFacts,
  secretReferences: secretReferenceFacts,
  artifacts: artifactFacts,
  synapseSettings: synapseSettingFacts,
} satisfies Record<string, (stacks: readonly SynthesizedStack[]) => Fact[]>;

type FactKind = keyof typeof FACT_EXTRACTORS;

/** What the review reads from one side, independent of the other: its audit, its reachability and its facts. */
export interface ReviewedSide {
  readonly snapshot: SynthSnapshot;
  /** The date the side was audited on: both sides of a review are judged on one date. */
  readonly reviewedAt: Date;
  readonly audit: AuditResult;
  readonly reachability: Reachability;
  readonly facts: Readonly<Record<FactKind, readonly Fact[]>>;
}

/** One side of a review, audited with `context` (its `now` is the review date). */
export function reviewSide(snapshot: SynthSnapshot, context: AuditContext & { readonly now: Date }): ReviewedSide {
  const { stacks } = snapshot;
  const facts = Object.fromEntries(Object.entries(FACT_EXTRACTORS).map(([kind, extract]) => [kind, extract(stacks)]));
  return {
    snapshot,
    reviewedAt: context.now,
    audit: auditStacks(stacks, context),
    reachability: reachabilityOf(stacks),
    facts: facts as Record<FactKind, Fact[]>,
  };
}

/** The review of `head` against `base`, both sides analysed already (a base reviewed against several heads is analysed once). */
export function compareSides(base: ReviewedSide, head: ReviewedSide, notes: readonly string[] = []): Review {
  if (base.reviewedAt.getTime() !== head.reviewedAt.getTime())
    throw new Error(
      `both sides of a review are judged on one date, not ${base.reviewedAt.toISOString()} and ${head.reviewedAt.toISOString()}`,
    );
  const changes = (kind: FactKind) => diffFacts(base.facts[kind], head.facts[kind]);
  const before = base.reachability;
  const after = head.reachability;
  return {
    base: base.snapshot,
    head: head.snapshot,
    reviewedAt: head.reviewedAt,
    reachability: { before, after, delta: reachabilityDelta(before, after), outsideRanges: changes('outsideRanges') },
    exposure: changes('exposure'),
    privileges: changes('privileges'),
    secretReferences: changes('secretReferences'),
    artifacts: changes('artifacts'),
    synapseSettings: changes('synapseSettings'),
    policy: policyDeltas(base.audit, head.audit, head.reviewedAt),
    headAudit: head.audit,
    stacks: diffStacks(base.snapshot.stacks, head.snapshot.stacks),
    notes,
  };
}

export function buildReview(input: ReviewInput): Review {
  const context = { ...input.context, now: input.context.now ?? new Date() };
  return compareSides(reviewSide(input.base, context), reviewSide(input.head, context), input.notes ?? []);
}
