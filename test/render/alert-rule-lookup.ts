/** Finding alert rules in rendered groups, shared by the pure and the promtool alert-rule tests. */
import type { AlertRule, RuleGroup } from '../../render/monitoring/alert-rules';

export const rulesOf = (groups: readonly RuleGroup[]): AlertRule[] => groups.flatMap((group) => group.rules);

export function rule(groups: readonly RuleGroup[], alert: string): AlertRule {
  const found = rulesOf(groups).find((candidate) => candidate.alert === alert);
  if (!found) throw new Error(`no alert ${alert}`);
  return found;
}
