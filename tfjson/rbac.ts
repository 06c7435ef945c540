/**
 * Roles and bindings as written, whichever way: typed `kubernetes_(cluster_)role(_binding)(_v1)`
 * resources or `kubernetes_manifest` objects of the rbac.authorization.k8s.io group.
 */
import { manifestsOfKind } from './manifests';
import { CLUSTER_ROLE_BINDING_TYPES, CLUSTER_ROLE_TYPES, kindOfType, ROLE_BINDING_TYPES, ROLE_TYPES } from './resource-types';
import { block, blocks, isObject, metadataOf, resources, strings, type JsonObject, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRuleView {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly nonResourceUrls: string[];
}

export interface RoleView {
  readonly address: string;
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
  readonly rules: PolicyRuleView[];
}

export interface SubjectView {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface BindingView {
  readonly address: string;
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly name: string;
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: SubjectView[];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export const roles = cachedView('stack', function roles(stack: SynthesizedStack): readonly RoleView[] {
  const typed = resources(stack, ...ROLE_TYPES, ...CLUSTER_ROLE_TYPES).map((role): RoleView => ({
    address: role.address,
    kind: kindOfType(role.type) === 'ClusterRole' ? 'ClusterRole' : 'Role',
    name: text(metadataOf(role).name),
    rules: blocks(role.body.rule).map((rule) => ({
      apiGroups: strings(rule.api_groups),
      resources: strings(rule.resources),
      verbs: strings(rule.verbs),
      nonResourceUrls: strings(rule.non_resource_urls),
    })),
  }));
  const applied = manifestsOfKind(stack, RBAC_GROUP, 'Role', 'ClusterRole').map((view): RoleView => ({
    address: view.resource.address,
    kind: view.kind === 'ClusterRole' ? 'ClusterRole' : 'Role',
    name: view.name ?? '',
    rules: (Array.isArray(view.object.rules) ? view.object.rules.filter(isObject) : []).map((rule: JsonObject) => ({
      apiGroups: strings(rule.apiGroups),
      resources: strings(rule.resources),
      verbs: strings(rule.verbs),
      nonResourceUrls: strings(rule.nonResourceURLs),
    })),
  }));
  return [...typed, ...applied];
});

export function bindings(stack: SynthesizedStack): BindingView[] {
  const typed = resources(stack, ...ROLE_BINDING_TYPES, ...CLUSTER_ROLE_BINDING_TYPES).map((binding): BindingView => {
    const roleRef = block(binding.body.role_ref) ?? {};
    return {
      address: binding.address,
      kind: kindOfType(binding.type) === 'ClusterRoleBinding' ? 'ClusterRoleBinding' : 'RoleBinding',
      name: text(metadataOf(binding).name),
      roleRef: { kind: text(roleRef.kind), name: text(roleRef.name) },
      subjects: blocks(binding.body.subject).map((subject) => ({
        kind: text(subject.kind),
        name: text(subject.name),
        ...(typeof subject.namespace === 'string' ? { namespace: subject.namespace } : {}),
      })),
    };
  });
  const applied = manifestsOfKind(stack, RBAC_GROUP, 'RoleBinding', 'ClusterRoleBinding').map((view): BindingView => {
    const roleRef = isObject(view.object.roleRef) ? view.object.roleRef : {};
    return {
      address: view.resource.address,
      kind: view.kind === 'ClusterRoleBinding' ? 'ClusterRoleBinding' : 'RoleBinding',
      name: view.name ?? '',
      roleRef: { kind: text(roleRef.kind), name: text(roleRef.name) },
      subjects: blocks(view.object.subjects).map((subject) => ({
        kind: text(subject.kind),
        name: text(subject.name),
        ...(typeof subject.namespace === 'string' ? { namespace: subject.namespace } : {}),
      })),
    };
  });
  return [...typed, ...applied];
}

/** `Role name` / `ClusterRole name`, for messages. */
export function label(view: { kind: string; name: string }): string {
  return `${view.kind} ${view.name || '?'}`;
}
