/** Mutations shared by the LOG case tables (policies/rules/log/*.cases.ts). */
import { isObject, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';
import { address, manifestSpecOf, R, type Mutation } from '../fixtures';

// ---------------------------------------------------------------- LOG-02: alerts, scraping, exposure
export const alertRule = address(R.alertRule);

/** Every alerting rule of the PrometheusRule, in order. */
export function alerts(j: TerraformJson): JsonObject[] {
  const groups = manifestSpecOf(j, R.alertRule).groups;
  return (Array.isArray(groups) ? groups : []).flatMap((group) =>
    isObject(group) && Array.isArray(group.rules) ? group.rules.filter(isObject) : [],
  );
}

export function alertNamed(j: TerraformJson, name: string): JsonObject {
  const found = alerts(j).find((rule) => rule.alert === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
}

export function editAlert(name: string, edit: (rule: JsonObject) => void): Mutation {
  return (j) => edit(alertNamed(j, name));
}
