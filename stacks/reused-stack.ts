/**
 * A stand-in for a stack whose earlier build is reused (stacks/stack-cache.ts): it synthesizes
 * as that build's JSON, so nothing of it is constructed or resolved again. cdktf still writes it
 * and lists it in the manifest with its dependencies, and its policy pack audits this JSON as it
 * audits any stack.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export class ReusedStack extends TerraformStack {
  /** `json`: the stack's cdk.tf.json as text, parsed when asked for (a fleet's stacks are not all held parsed at once). */
  constructor(
    scope: Construct,
    id: string,
    private readonly json: string,
  ) {
    super(scope, id);
  }

  override toTerraform(): { [key: string]: unknown } {
    return JSON.parse(this.json) as { [key: string]: unknown };
  }
}
