/** Mutations shared by the LOG case tables (policies/rules/log/*.cases.ts). */
import { isObject, type JsonObject, type TerraformJson } from '../../../tfjson/terraform-json';
import { address, manifestSpecOf, R, ruleOf, type Mutation, type ResourceRef } from '../fixtures';

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

/** The first ingress rule of `policy` also admits `port` (TCP), beside the ports it already names. */
export function admitAlsoPort(policy: ResourceRef, port: string): Mutation {
  return (j) => {
    const rule = ruleOf(j, policy, 'ingress');
    rule.ports = [...(Array.isArray(rule.ports) ? rule.ports : []), { port, protocol: 'TCP' }];
  };
}
