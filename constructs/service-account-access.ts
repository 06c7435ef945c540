/**
 * RBAC for a third-party operator's service account, written as typed resources so the RBAC
 * rules and the review see every grant: a Role and RoleBinding in one namespace, or a
 * ClusterRole and ClusterRoleBinding for what only a cluster-wide grant can give.
 */
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { AccessRule } from '../model/postgres-operator';

export interface ServiceAccountAccessProps {
  /** Name of the Role (or ClusterRole) and its binding. */
  readonly name: string;
  /** Where the Role is granted; absent for a cluster-wide grant. */
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly AccessRule[];
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function rule(access: AccessRule) {
  return {
    apiGroups: [...access.apiGroups],
    resources: [...access.resources],
    verbs: [...access.verbs],
    ...(access.resourceNames ? { resourceNames: [...access.resourceNames] } : {}),
  };
}

export class ServiceAccountAccess extends Construct {
  /** The role and its binding: what must exist before the service account's pod relies on it. */
  readonly resources: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ServiceAccountAccessProps) {
    super(scope, id);
    const labels = { ...props.labels };
    const subject = [{ kind: 'ServiceAccount', name: props.serviceAccount.name, namespace: props.serviceAccount.namespace }];
    const rules = props.rules.map(rule);
    if (props.namespace === undefined) {
      const role = new ClusterRoleV1(this, 'role', { metadata: { name: props.name, labels }, rule: rules });
      const binding = new ClusterRoleBindingV1(this, 'binding', {
        metadata: { name: props.name, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role.metadata.name },
        subject,
      });
      this.resources = [role, binding];
    } else {
      const metadata = { name: props.name, namespace: props.namespace, labels };
      const role = new RoleV1(this, 'role', { metadata, rule: rules });
      const binding = new RoleBindingV1(this, 'binding', {
        metadata,
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: role.metadata.name },
        subject,
      });
      this.resources = [role, binding];
    }
  }
}
