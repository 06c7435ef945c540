/**
 * cdktf writes only `dependsOn` (Terraform's `depends_on`) into a stack; a construct-level
 * `node.addDependency` is silently dropped, so the engine may create the dependant first.
 * This validation refuses such dependencies at synthesis, naming the construct and what it
 * meant to wait for. (Stack order is `TerraformStack.addDependency`, which cdktf does honour.)
 */
import type { TerraformStack } from 'cdktf';
import type { IValidation } from 'constructs';

export class NoConstructDependencies implements IValidation {
  constructor(private readonly stack: TerraformStack) {}

  validate(): string[] {
    return this.stack.node
      .findAll()
      .filter((construct) => construct.node.dependencies.length > 0)
      .map(
        (construct) =>
          `${construct.node.path} depends on ${construct.node.dependencies.map((dependency) => dependency.node.path).join(', ')} through node.addDependency, which cdktf does not write to Terraform: pass the resources as dependsOn instead`,
      );
  }
}
