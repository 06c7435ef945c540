/**
 * What a site provides before the first `cdktf deploy`, made for the engine proof's cluster:
 * the allowlisted StorageClass (encrypted, Retain) with statically provisioned volumes to bind
 * (hostPath directories of the tier, one per claim; WaitForFirstConsumer, as topology-aware
 * classes bind), and the Prometheus Operator's CRDs, which the compartment stacks' PodMonitors
 * and PrometheusRules need at plan time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Cluster } from './control-plane';
import { eventually, type KubeObject } from './kube-client';

export interface SiteOptions {
  readonly storageClass: string;
  /** Volumes of each access mode to pre-make. */
  readonly volumesPerAccessMode: number;
  readonly crdFiles: readonly string[];
}

const VOLUME_SIZE = '200Gi';

export async function prepareSite(cluster: Cluster, options: SiteOptions): Promise<void> {
  const { kube } = cluster;
  await kube.create('/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: options.storageClass,
      annotations: { 'matrix.sovereign/engine-proof': 'statically provisioned hostPath volumes standing in for an encrypted class' },
    },
    provisioner: 'kubernetes.io/no-provisioner',
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
    parameters: { encrypted: 'true' },
  });
  // ReadWriteOncePod cannot be combined with other access modes on one volume.
  for (const accessMode of ['ReadWriteOnce', 'ReadWriteOncePod']) {
    for (let index = 0; index < options.volumesPerAccessMode; index += 1) {
      const name = `pv-${accessMode.toLowerCase()}-${index}`;
      const directory = path.join(cluster.tier.directory, 'volumes', name);
      fs.mkdirSync(directory, { recursive: true });
      await kube.create('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: {
          capacity: { storage: VOLUME_SIZE },
          accessModes: [accessMode],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: options.storageClass,
          volumeMode: 'Filesystem',
          hostPath: { path: directory, type: 'Directory' },
        },
      });
    }
  }
  await installCrds(cluster, options.crdFiles);
}

export async function installCrds(cluster: Cluster, files: readonly string[]): Promise<void> {
  const names: string[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const object = document.toJS() as KubeObject | null;
      if (object?.kind !== 'CustomResourceDefinition') continue;
      await cluster.kube.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', object);
      names.push(object.metadata.name);
    }
  }
  for (const name of names) {
    await eventually(`CRD ${name} established`, 60_000, async () => {
      const crd = await cluster.kube.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      );
      return crd?.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')
        ? true
        : undefined;
    });
  }
}

/** The ClusterIssuer the fleet example's gateways name for their public certificates (`certificateIssuer`). */
export const FLEET_SITE_ISSUER = 'sovereign-acme';

/** The site's own public issuer (self-signed here), made once the platform stack has installed cert-manager's CRDs. */
export async function createSiteIssuer(cluster: Cluster, name: string = FLEET_SITE_ISSUER): Promise<void> {
  await cluster.kube.create('/apis/cert-manager.io/v1/clusterissuers', {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name },
    spec: { selfSigned: {} },
  });
}
