/**
 * A compartment: one namespace with its whole baseline (docs/design.md, compartments) already in
 * place (Pod Security `restricted`, default deny both ways, DNS-only egress, quota, limit range,
 * non-automounting default service account). Workloads are added to it, and the flows it takes
 * part in are allowed by `allow()`, which derives the network policies of its own side of each.
 */
import { DefaultServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/default-service-account-v1';
import { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { KubernetesSettings } from '../config/deployment-config';
import { compartmentLabels, type CompartmentKind, type CompartmentOwner } from '../model/compartments';
import type { Flow } from '../model/flows';
import { baselinePolicies, policiesForFlow, type FlowOwner, type NetworkPolicyModel } from '../model/network-policies';
import type { LimitRangeModel, QuotaModel } from '../model/quotas';
import { FlowPolicy } from './network-policy';

export const PSA_MODES = ['enforce', 'audit', 'warn'] as const;

/** Pod Security Admission labels: restricted in every mode, each pinned to one version. */
export function podSecurityLabels(version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of PSA_MODES) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

export interface CompartmentProps {
  readonly kind: CompartmentKind;
  readonly namespace: string;
  readonly deploymentName: string;
  /** A homeserver's compartment, or a component of the shared platform. */
  readonly owner: CompartmentOwner;
  readonly kubernetes: Pick<KubernetesSettings, 'podSecurityVersion' | 'dns'>;
  readonly quota: QuotaModel;
  readonly limitRange: LimitRangeModel;
  /**
   * Refuse to destroy the namespace (it holds what must outlive every deploy, e.g. OpenBao's seal key and data).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

export class Compartment extends Construct {
  readonly namespace: NamespaceV1;
  /** The namespace name as a reference: objects using it are created after the namespace. */
  readonly namespaceName: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The namespace name as plain text, for comparisons. */
  readonly name: string;
  /** The namespace, quota, limits and every network policy: what must exist before a pod starts here. */
  readonly baseline: ITerraformDependable[] = [];
  /** Resolves the flow matrix's workload endpoints: the homeserver this compartment belongs to (none for the platform). */
  private readonly flowOwner: FlowOwner | undefined;

  constructor(scope: Construct, id: string, props: CompartmentProps) {
    super(scope, id);
    this.name = props.namespace;
    this.flowOwner = 'homeserverName' in props.owner ? { name: props.owner.homeserverName } : undefined;
    this.labels = compartmentLabels(props.kind, props.deploymentName, props.owner);
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: props.namespace, labels: { ...this.labels, ...podSecurityLabels(props.kubernetes.podSecurityVersion) } },
      waitForDefaultServiceAccount: true,
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    this.namespaceName = this.namespace.metadata.name;
    this.baseline.push(this.namespace);

    new DefaultServiceAccountV1(this, 'default-service-account', {
      metadata: { namespace: this.namespaceName, labels: { ...this.labels } },
      automountServiceAccountToken: false,
    });

    const quota = new ResourceQuotaV1(this, 'quota', {
      metadata: { name: 'compartment-quota', namespace: this.namespaceName, labels: { ...this.labels } },
      spec: { hard: { ...props.quota.hard } },
    });

    const { container } = props.limitRange;
    const limits = new LimitRangeV1(this, 'limits', {
      metadata: { name: 'compartment-limits', namespace: this.namespaceName, labels: { ...this.labels } },
      spec: {
        limit: [
          {
            type: 'Container',
            default: { ...container.defaultLimit },
            defaultRequest: { ...container.defaultRequest },
            max: { ...container.max },
          },
          { type: 'PersistentVolumeClaim', max: { storage: props.limitRange.persistentVolumeClaimMaxStorage } },
        ],
      },
    });

    this.baseline.push(quota, limits);
    this.render(baselinePolicies(props.namespace, props.kubernetes.dns));
  }

  /**
   * Allows the flows this compartment takes part in: egress for those leaving it, ingress
   * for those entering it (both for a flow between two of its own workloads). Flows between
   * other compartments are not its business and are skipped, so every compartment can be
   * handed the whole flow matrix.
   */
  allow(flows: readonly Flow[], owner: FlowOwner | undefined = this.flowOwner): void {
    this.render(flows.flatMap((flow) => policiesForFlow(flow, owner)).filter((policy) => policy.namespace === this.name));
  }

  private render(policies: readonly NetworkPolicyModel[]): void {
    for (const model of policies) {
      this.baseline.push(
        new FlowPolicy(this, `policy-${model.name}`, { model, namespace: this.namespaceName, labels: this.labels }).resource,
      );
    }
  }
}
