/**
 * What every hardened workload has, whatever controller runs it: a digest-pinned image from
 * an allowlisted registry, its own service account without token, its rendered config files
 * as ConfigMaps, and the shared hardened pod template (hardened-pod-template.ts). The
 * controllers are HardenedDeployment, HardenedStatefulSet and HardenedJob.
 */
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import type { DeploymentV1SpecTemplate } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { parseImageReference } from '../config/image-reference';
import { SINGLETON_ANNOTATION } from '../model/availability';
import { assertMemoryHoldsScratch } from '../model/ephemeral-storage';
import {
  configMapName,
  hardenedPodTemplate,
  podConfigFiles,
  workloadSelector,
  type AnyWorkloadSpec,
  type PodTemplateOptions,
} from './hardened-pod-template';

export interface HardenedWorkloadProps {
  /** The namespace name, as a reference to the namespace resource so it is created first. */
  readonly namespace: string;
  readonly compartmentLabels: Readonly<Record<string, string>>;
  /** What runs: image, user, ports, files, resources (model data). Its kind must match the construct. */
  readonly spec: AnyWorkloadSpec;
  readonly allowedRegistries: readonly string[];
  /**
   * Created before the pods: the compartment baseline, certificates, delivered secrets.
   * @default none: the controller is created without waiting for anything
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Metadata of the controller (and of its Service): the workload's name, labels and purpose. */
export interface WorkloadMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** Rejects, at construction time, any image that the policy rules would reject later. */
export function assertImageAllowed(spec: AnyWorkloadSpec, allowedRegistries: readonly string[]): void {
  const reference = parseImageReference(spec.image);
  if (typeof reference === 'string') throw new Error(`workload "${spec.name}": image ${reference}`);
  if (!allowedRegistries.includes(reference.registry)) {
    throw new Error(`workload "${spec.name}": image registry "${reference.registry}" is not allowlisted (${allowedRegistries.join(', ')})`);
  }
}

export abstract class HardenedWorkload extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly configMaps: readonly ConfigMapV1[];
  /** The controller's Terraform resource: the escape hatch to every field this construct does not set. */
  abstract readonly resource: TerraformResource;
  /** The labels selecting this workload's pods (and nothing else). */
  readonly selector: Readonly<Record<string, string>>;
  protected readonly spec: AnyWorkloadSpec;
  protected readonly metadata: WorkloadMetadata;
  /** The written `dependsOn` of the controller, absent when there is nothing to wait for. */
  protected readonly dependencies: { readonly dependsOn?: ITerraformDependable[] };

  /** `kind` is the controller the subclass renders; a spec of another kind is refused. */
  protected constructor(scope: Construct, id: string, props: HardenedWorkloadProps, kind: AnyWorkloadSpec['kind']) {
    super(scope, id);
    const { spec, namespace } = props;
    if (spec.kind !== kind) throw new Error(`workload "${spec.name}" is a ${spec.kind}, not a ${kind}`);
    assertImageAllowed(spec, props.allowedRegistries);
    assertMemoryHoldsScratch(spec);
    this.spec = spec;
    this.selector = workloadSelector(spec);
    const labels = { ...props.compartmentLabels, ...this.selector, 'app.kubernetes.io/name': spec.name };
    const annotations = {
      'matrix.sovereign/purpose': spec.purpose,
      // Why one pod is enough, where reviewers and the availability rule (POD-10) read it.
      ...(spec.singletonReason ? { [SINGLETON_ANNOTATION]: spec.singletonReason } : {}),
    };
    this.metadata = { name: spec.name, namespace, labels, annotations };
    this.dependencies = props.dependsOn && props.dependsOn.length > 0 ? { dependsOn: [...props.dependsOn] } : {};

    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: spec.name, namespace, labels },
      automountServiceAccountToken: false,
    });
    this.configMaps = podConfigFiles(spec).map(
      (files) =>
        new ConfigMapV1(this, `config-${files.volumeName}`, {
          metadata: { name: configMapName(spec.name, files.volumeName), namespace, labels },
          data: { ...files.files },
          immutable: false,
        }),
    );
  }

  /** The hardened pod template, run by this workload's service account. */
  protected podTemplate(options: Omit<PodTemplateOptions, 'labels' | 'serviceAccountName'>): DeploymentV1SpecTemplate {
    return hardenedPodTemplate(this.spec, {
      ...options,
      labels: this.metadata.labels,
      serviceAccountName: this.serviceAccount.metadata.name,
    });
  }
}
