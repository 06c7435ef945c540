/**
 * One side of a review: the synthesized stacks of a commit (or of the working tree), with a
 * content hash that names exactly what was synthesized, so a review can be matched to a plan.
 */
import { createHash } from 'node:crypto';
import { readSynthesizedStacks } from '../tfjson/read-stacks';
import type { SynthesizedStack } from '../tfjson/terraform-json';

export interface SynthSnapshot {
  /** What it was synthesized from: a ref and commit, or `working tree`. */
  readonly label: string;
  /** Full commit id, when the side is a commit (a dirty working tree adds `+dirty` to the label). */
  readonly commit?: string;
  readonly stacks: readonly SynthesizedStack[];
  /** sha256 over the stacks' Terraform JSON, by stack name: the same synth output gives the same hash. */
  readonly hash: string;
}

/** Hash of the synthesized Terraform JSON, independent of where it was written or read from. */
export function synthHash(stacks: readonly SynthesizedStack[]): string {
  const hash = createHash('sha256');
  for (const stack of [...stacks].sort((a, b) => a.name.localeCompare(b.name)))
    hash.update(`${stack.name}\0${JSON.stringify(stack.json)}\0`);
  return `sha256:${hash.digest('hex')}`;
}

export function snapshotOf(stacks: readonly SynthesizedStack[], label: string, commit?: string): SynthSnapshot {
  return { label, stacks, hash: synthHash(stacks), ...(commit !== undefined ? { commit } : {}) };
}

/** A synthesized output directory (`cdktf.out`, or any directory of `*.tf.json`) as a snapshot. */
export function readSnapshot(directory: string, label: string, commit?: string): SynthSnapshot {
  return snapshotOf(readSynthesizedStacks(directory), label, commit);
}
