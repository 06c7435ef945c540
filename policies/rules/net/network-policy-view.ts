/** Network policies as written in the synthesized JSON, grouped by namespace. */
import { block, blocks, metadataOf, namespaceOf, resources, stringMap, type JsonObject, type ResourceView, type SynthesizedStack } from '../../terraform-json';

export interface PolicyView {
  readonly resource: ResourceView;
  readonly namespace: string | undefined;
  readonly podSelector: JsonObject | undefined;
  readonly policyTypes: string[];
  readonly ingress: JsonObject[];
  readonly egress: JsonObject[];
}

export const NETWORK_POLICY_TYPES = ['kubernetes_network_policy_v1', 'kubernetes_network_policy'];

export function networkPolicies(stack: SynthesizedStack): PolicyView[] {
  return resources(stack, ...NETWORK_POLICY_TYPES).map((resource) => {
    const spec = block(resource.body.spec) ?? {};
    return {
      resource,
      namespace: namespaceOf(resource, stack),
      podSelector: block(spec.pod_selector),
      policyTypes: Array.isArray(spec.policy_types) ? spec.policy_types.filter((t): t is string => typeof t === 'string') : [],
      ingress: blocks(spec.ingress),
      egress: blocks(spec.egress),
    };
  });
}

/** True when a selector block selects everything (absent, or no labels and no expressions). */
export function selectsEverything(selector: JsonObject | undefined): boolean {
  if (!selector) return true;
  return Object.keys(stringMap(selector.match_labels)).length === 0 && blocks(selector.match_expressions).length === 0;
}

export function peersOf(rule: JsonObject, direction: 'ingress' | 'egress'): JsonObject[] {
  return blocks(direction === 'ingress' ? rule.from : rule.to);
}

export function namespaceNames(stack: SynthesizedStack): string[] {
  return resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace')
    .map((namespace) => metadataOf(namespace).name)
    .filter((name): name is string => typeof name === 'string');
}

export function namespaceLabels(stack: SynthesizedStack, name: string): Record<string, string> {
  const namespace = resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace').find((candidate) => metadataOf(candidate).name === name);
  return namespace ? stringMap(metadataOf(namespace).labels) : {};
}
