/**
 * A custom resource (cert-manager, trust-manager, External Secrets) applied with the typed
 * provider's `kubernetes_manifest`, so the object is visible field by field in the plan and
 * to the policy rules. Conflicts with other field managers fail rather than being forced.
 */
import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { KubernetesObject } from '../render/manifests/kubernetes-object';

export const FIELD_MANAGER = 'matrix-sovereign-iac';

export interface ManifestProps {
  readonly object: KubernetesObject;
  /**
   * Wait for the object's Ready condition (certificates, generated secrets) before dependants are applied.
   * @default false: dependants are applied once the object exists
   */
  readonly waitForReady?: boolean;
  /**
   * What must exist first.
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Refuse to destroy (e.g. the object that created OpenBao's seal key).
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Fields the API server's admission completes beyond what is written (an operator's defaulting
   * webhook adding keys to a map): the provider then takes the stored value instead of reporting
   * an inconsistent result, and still plans a change when the written value changes.
   * @default only the provider's own: metadata.labels and metadata.annotations
   */
  readonly completedByServer?: readonly string[];
}

/** What the provider treats as server-completed when told nothing else. */
const PROVIDER_COMPUTED_FIELDS = ['metadata.labels', 'metadata.annotations'] as const;

export class Manifest extends Construct {
  readonly resource: ManifestResource;

  constructor(scope: Construct, id: string, props: ManifestProps) {
    super(scope, id);
    this.resource = new ManifestResource(this, 'manifest', {
      manifest: props.object,
      fieldManager: { name: FIELD_MANAGER, forceConflicts: false },
      ...(props.waitForReady ? { wait: { condition: [{ type: 'Ready', status: 'True' }] } } : {}),
      timeouts: { create: '5m', update: '5m', delete: '5m' },
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
      ...(props.completedByServer ? { computedFields: [...PROVIDER_COMPUTED_FIELDS, ...props.completedByServer] } : {}),
    });
  }
}
