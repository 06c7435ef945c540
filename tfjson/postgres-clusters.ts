/**
 * Read-only view of the PostgreSQL operator's objects in a stack: each CloudNativePG Cluster
 * with the ObjectStore its WAL archiver names and the ScheduledBackups that point at it, for
 * the backup rules. Matching is by namespace and name, as the operator resolves them.
 */
import { manifestsOfKind, specOf, type ManifestView } from './manifests';
import { block, blocks, stringMap, type JsonObject, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export const CLOUDNATIVE_PG_GROUP = 'postgresql.cnpg.io';
export const BARMAN_CLOUD_GROUP = 'barmancloud.cnpg.io';
export const BARMAN_CLOUD_PLUGIN_NAME = 'barman-cloud.cloudnative-pg.io';

export interface ClusterView {
  readonly view: ManifestView;
  readonly spec: JsonObject;
  /** The barman-cloud plugin entry that archives WAL, if any. */
  readonly walArchiver?: JsonObject;
  /** The ObjectStore the WAL archiver names (same namespace), if it is in the stack. */
  readonly objectStore?: ManifestView;
  /** ScheduledBackups of this cluster (same namespace). */
  readonly scheduledBackups: readonly ManifestView[];
}

export function objectStores(stack: SynthesizedStack): ManifestView[] {
  return manifestsOfKind(stack, BARMAN_CLOUD_GROUP, 'ObjectStore');
}

export const postgresClusters = cachedView('stack', function postgresClusters(stack: SynthesizedStack): readonly ClusterView[] {
  const stores = objectStores(stack);
  const schedules = manifestsOfKind(stack, CLOUDNATIVE_PG_GROUP, 'ScheduledBackup');
  return manifestsOfKind(stack, CLOUDNATIVE_PG_GROUP, 'Cluster').map((view) => {
    const spec = specOf(view);
    const walArchiver = blocks(spec.plugins).find((plugin) => plugin.name === BARMAN_CLOUD_PLUGIN_NAME && plugin.isWALArchiver === true);
    const storeName = stringMap(walArchiver?.parameters).barmanObjectName;
    const objectStore = stores.find((store) => store.namespace === view.namespace && store.name === storeName);
    const scheduledBackups = schedules.filter(
      (schedule) => schedule.namespace === view.namespace && block(specOf(schedule).cluster)?.name === view.name,
    );
    return { view, spec, scheduledBackups, ...(walArchiver ? { walArchiver } : {}), ...(objectStore ? { objectStore } : {}) };
  });
});

/** The `s3://bucket/...` destination of an ObjectStore: its bucket, or undefined when it is not an S3 path. */
export function destinationBucket(store: ManifestView): string | undefined {
  const path = block(specOf(store).configuration)?.destinationPath;
  return typeof path === 'string' ? /^s3:\/\/([^/]+)(\/|$)/.exec(path)?.[1] : undefined;
}
