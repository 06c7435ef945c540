/** The alert rule groups rendered for the default and the fleet deployment, and lookups in them, shared by the pure and the promtool alert-rule tests. */
import { loadDeploymentConfig } from '../../model/load-config';
import type { AlertRule, RuleGroup } from '../../render/monitoring/alert-rules';
import { homeserverRuleGroups } from '../../render/monitoring/homeserver-monitoring';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

export const closed = loadDeploymentConfig();
export const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
export const agency = closed.homeservers[0]!;
export const defaultGroups = homeserverRuleGroups(closed, agency);
export const fleetAgency = fleet.homeservers.find((homeserver) => homeserver.name === 'agency')!;
export const fleetGroups = homeserverRuleGroups(fleet, fleetAgency);

export const rulesOf = (groups: readonly RuleGroup[]): AlertRule[] => groups.flatMap((group) => group.rules);

export function rule(groups: readonly RuleGroup[], alert: string): AlertRule {
  const found = rulesOf(groups).find((candidate) => candidate.alert === alert);
  if (!found) throw new Error(`no alert ${alert}`);
  return found;
}
