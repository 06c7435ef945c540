/** An OpenBao policy document in HCL, from its declaration (model/secret-access.ts). */
import type { OpenBaoPolicy } from '../../model/secret-access';
import { attribute, block, hclComment, renderHcl } from './hcl';

/** Written by the HCL writer (quoted paths): exact paths, no globs. */
export function renderOpenBaoPolicy(policy: OpenBaoPolicy): string {
  const rules = policy.rules.map((rule) => block('path', [rule.path], [attribute('capabilities', [...rule.capabilities])]));
  return `${hclComment(`${policy.name}: ${policy.description}. Generated from the secret declarations.`)}\n${renderHcl(rules)}`;
}
