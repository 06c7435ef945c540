/**
 * A workload whose defaults are already hardened: dedicated service account without token,
 * explicit pod and container security contexts, read-only root filesystem, sized writable
 * paths, requests and limits, a digest-pinned image from an allowlisted registry, secrets
 * only as read-only files, and a Service exposing only the declared ports.
 */
import { createHash } from 'node:crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { PersistentVolumeClaimV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { parseImageReference } from '../config/image-reference';
import type { CompartmentKind } from '../model/compartments';
import type { WorkloadSpec } from '../model/workload-spec';
import { configMapName, podTemplateSpec, workloadSelector } from './pod-spec';

/** Only the gateway sets an external exposure; every other Service is ClusterIP. */
export type ServiceExposure =
  | { readonly type: 'ClusterIP' }
  | { readonly type: 'LoadBalancer' | 'NodePort'; readonly sourceRanges: readonly string[] };

export interface HardenedWorkloadProps {
  readonly namespace: string;
  readonly compartmentLabels: Readonly<Record<string, string>>;
  readonly spec: WorkloadSpec<CompartmentKind>;
  readonly allowedRegistries: readonly string[];
  readonly storageClassName: string;
  readonly exposure?: ServiceExposure;
  /** Created before the pods: the compartment baseline, certificates, delivered secrets. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Changes whenever a mounted config file changes, so pods roll instead of running stale config. */
export function configChecksum(spec: WorkloadSpec<CompartmentKind>): string {
  const hash = createHash('sha256');
  for (const files of spec.configFiles ?? []) {
    for (const [name, content] of Object.entries(files.files).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${files.volumeName}/${name}\0${content}\0`);
  }
  return hash.digest('hex');
}

/** Rejects, at construction time, any image that the policy rules would reject later. */
export function assertImageAllowed(spec: WorkloadSpec<CompartmentKind>, allowedRegistries: readonly string[]): void {
  const reference = parseImageReference(spec.image);
  if (typeof reference === 'string') throw new Error(`workload "${spec.name}": image ${reference}`);
  if (!allowedRegistries.includes(reference.registry)) {
    throw new Error(`workload "${spec.name}": image registry "${reference.registry}" is not allowlisted (${allowedRegistries.join(', ')})`);
  }
}

export class HardenedWorkload extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly workload: DeploymentV1 | StatefulSetV1 | JobV1;
  /** Absent when the workload accepts no connection (no port with a service port). */
  readonly service?: ServiceV1;

  constructor(scope: Construct, id: string, props: HardenedWorkloadProps) {
    super(scope, id);
    const { spec, namespace } = props;
    assertImageAllowed(spec, props.allowedRegistries);
    if (spec.kind !== 'Job' && !spec.probe) throw new Error(`workload "${spec.name}": a ${spec.kind} needs a readiness probe`);
    const selector = workloadSelector(spec);
    const labels = { ...props.compartmentLabels, ...selector, 'app.kubernetes.io/name': spec.name };
    const metadata = { name: spec.name, namespace, labels, annotations: { 'matrix.sovereign/purpose': spec.purpose } };

    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: spec.name, namespace, labels },
      automountServiceAccountToken: false,
    });

    const exposure = props.exposure ?? { type: 'ClusterIP' };
    const servicePorts = spec.ports.filter((port) => port.servicePort !== undefined);
    if (servicePorts.length > 0) this.service = new ServiceV1(this, 'service', {
      metadata,
      spec: {
        type: exposure.type,
        selector,
        port: servicePorts.map((port) => ({ name: port.name, port: port.servicePort ?? port.containerPort, targetPort: port.name, protocol: port.protocol })),
        publishNotReadyAddresses: false,
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ...(exposure.type === 'ClusterIP'
          ? {}
          : {
              // Local keeps the client source address, which rate limits and audit logs depend on.
              externalTrafficPolicy: 'Local',
              loadBalancerSourceRanges: exposure.type === 'LoadBalancer' ? [...exposure.sourceRanges] : [],
            }),
      },
      // The cloud publishes the address asynchronously; the stack does not wait for it.
      waitForLoadBalancer: false,
    });

    for (const files of spec.configFiles ?? []) {
      new ConfigMapV1(this, `config-${files.volumeName}`, {
        metadata: { name: configMapName(spec.name, files.volumeName), namespace, labels },
        data: { ...files.files },
        immutable: false,
      });
    }

    const dependencies = props.dependsOn && props.dependsOn.length > 0 ? { dependsOn: [...props.dependsOn] } : {};
    const template = {
      metadata: { labels, annotations: { 'matrix.sovereign/purpose': spec.purpose, 'matrix.sovereign/config-checksum': configChecksum(spec) } },
      spec: podTemplateSpec(spec, {
        serviceAccountName: this.serviceAccount.metadata.name,
        ...(spec.kind === 'Deployment' && spec.storage ? { persistentClaimName: `${spec.name}-${spec.storage.name}` } : {}),
      }),
    };

    if (spec.kind === 'Job') {
      this.workload = new JobV1(this, 'workload', {
        // The pod template of a Job is immutable: a changed spec is a new Job, named by its content.
        metadata: { ...metadata, name: `${spec.name}-${configChecksum(spec).slice(0, 10)}` },
        spec: { backoffLimit: 3, activeDeadlineSeconds: 600, completions: 1, parallelism: 1, completionMode: 'NonIndexed', template },
        // The deploy fails visibly when the Job does.
        waitForCompletion: true,
        timeouts: { create: '10m', update: '10m' },
        ...dependencies,
      });
      return;
    }

    if (spec.kind === 'StatefulSet') {
      this.workload = new StatefulSetV1(this, 'workload', {
        metadata,
        spec: {
          serviceName: spec.name,
          replicas: String(spec.replicas),
          podManagementPolicy: 'OrderedReady',
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          template,
          updateStrategy: [{ type: 'RollingUpdate' }],
          persistentVolumeClaimRetentionPolicy: [{ whenDeleted: 'Retain', whenScaled: 'Retain' }],
          volumeClaimTemplate: spec.storage
            ? [
                {
                  metadata: { name: spec.storage.name, labels },
                  spec: {
                    accessModes: ['ReadWriteOncePod'],
                    storageClassName: props.storageClassName,
                    resources: { requests: { storage: `${spec.storage.sizeGi}Gi` } },
                  },
                },
              ]
            : [],
        },
        waitForRollout: false,
        ...dependencies,
      });
      return;
    }

    if (spec.storage) {
      new PersistentVolumeClaimV1(this, 'claim', {
        metadata: { name: `${spec.name}-${spec.storage.name}`, namespace, labels },
        spec: {
          accessModes: ['ReadWriteOncePod'],
          storageClassName: props.storageClassName,
          resources: { requests: { storage: `${spec.storage.sizeGi}Gi` } },
        },
        waitUntilBound: false,
      });
    }
    this.workload = new DeploymentV1(this, 'workload', {
      metadata,
      spec: {
        replicas: String(spec.replicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        // A ReadWriteOncePod volume cannot be held by the old and new pod at once.
        strategy: spec.storage ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template,
      },
      // Readiness is observed by probes and monitoring; one slow compartment must not hold the others' state locks.
      waitForRollout: false,
      ...dependencies,
    });
  }
}
