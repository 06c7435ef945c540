/**
 * A policy pack as a cdktf Aspect, attached to each stack (aspects added to the App are not
 * invoked for stacks): when cdktf synthesizes the stack, the pack audits the stack's own
 * Terraform JSON and annotates each offending resource with the rule id, the problem and
 * the fix. Error annotations make `app.synth()` (and `cdktf synth`/`deploy`) fail before
 * anything is written.
 */
import { Annotations, TerraformResource, type IAspect, type TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { TerraformJson } from '../tfjson/terraform-json';
import { auditResult, auditStacks, type AuditResult } from './audit';
import { annotationText, type AuditContext, type Rule } from './rule';
import { ALL_RULES } from './rules';
import { resourceAddressOf } from './suppressions';

export class PolicyPack implements IAspect {
  private latest: AuditResult | undefined;

  /** `earlier`: this stack's audit by the same rules, on the same JSON, site facts and day (stacks/stack-cache.ts), taken as this synthesis's. */
  constructor(
    private readonly stack: TerraformStack,
    private readonly context: AuditContext = {},
    private readonly rules: readonly Rule[] = ALL_RULES,
    private readonly earlier?: AuditResult,
  ) {}

  /** The audit of the last synthesis of this stack (undefined before one). */
  get result(): AuditResult | undefined {
    return this.latest;
  }

  visit(node: IConstruct): void {
    if (node !== this.stack) return;
    if (this.earlier) {
      this.latest = this.earlier;
      return;
    }
    const json = this.stack.toTerraform() as TerraformJson;
    this.latest = auditStacks([{ name: this.stack.node.id, json }], this.context, this.rules);
    const byAddress = new Map<string, IConstruct>();
    for (const construct of this.stack.node.findAll()) {
      if (construct instanceof TerraformResource)
        byAddress.set(`${construct.terraformResourceType}.${construct.friendlyUniqueId}`, construct);
    }
    for (const finding of this.latest.findings) {
      const target = byAddress.get(resourceAddressOf(finding.address)) ?? this.stack;
      if (finding.level === 'error') Annotations.of(target).addError(annotationText(finding));
      else Annotations.of(target).addWarning(annotationText(finding));
    }
    // With an error, cdktf refuses the stack before writing it: nothing to hand over.
    if (this.latest.errors.length === 0) handOverForWriting(this.stack, json);
  }
}

/**
 * cdktf resolves a stack again, right after its aspects, to write it. Hand it the JSON the rules
 * just judged instead: the file written is the very object that was audited, and the stack is
 * resolved once less (about a sixth of the synthesis time). One use only: the next call
 * restores the stack's own toTerraform, so any later call resolves afresh.
 */
function handOverForWriting(stack: TerraformStack, json: TerraformJson): void {
  const own = Object.getOwnPropertyDescriptor(stack, 'toTerraform');
  const handOver = (): TerraformJson => {
    if (own) Object.defineProperty(stack, 'toTerraform', own);
    else Reflect.deleteProperty(stack, 'toTerraform');
    return json;
  };
  Object.defineProperty(stack, 'toTerraform', { value: handOver, configurable: true, writable: true });
}

/** One result for a whole deployment from the packs of its stacks. */
export function mergeAudits(
  results: readonly AuditResult[],
  rules: readonly Rule[] = ALL_RULES,
  auditedAt: string = new Date().toISOString(),
): AuditResult {
  return auditResult({
    stacks: results.flatMap((result) => result.stacks),
    rules,
    findings: results.flatMap((result) => result.findings),
    suppressed: results.flatMap((result) => result.suppressed),
    suppressions: results.flatMap((result) => result.suppressions),
    auditedAt: results[0]?.auditedAt ?? auditedAt,
    notJudged: results[0]?.notJudged ?? [],
    outcomes: results.flatMap((result) => result.outcomes),
  });
}
