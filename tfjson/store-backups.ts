/**
 * Read-only view of the store backups in a stack: the stateful stores it holds (the directory
 * server, OpenBao's release, the media worker's volume) and the backup CronJobs beside them,
 * each with what it declares (store, prefix, retention) and how its upload step is configured
 * (rclone's remotes, from its environment). Shared by the backup rules and the review.
 */
import { cronScheduleProblem } from '../config/cron';
import { chartName } from './helm-values';
import { podSpecs, type PodSpecView } from './pod-specs';
import { block, blocks, metadataOf, namespaceOf, resources, stringMap, type JsonObject, type SynthesizedStack } from './terraform-json';

/** The annotations a store backup CronJob carries (workloads/store-backups.ts writes them). */
export const BACKUP_ANNOTATIONS = {
  store: 'matrix.sovereign/backup-store',
  prefix: 'matrix.sovereign/backup-prefix',
  retentionDays: 'matrix.sovereign/backup-retention-days',
} as const;

export type StoreKind = 'directory' | 'secret-store' | 'media';

/** A stateful store found in the stack, by the workload (or release) that holds it. */
export interface StoreView {
  readonly store: StoreKind;
  readonly address: string;
  readonly namespace: string;
}

export interface BackupJobView {
  readonly view: PodSpecView;
  readonly address: string;
  readonly namespace: string;
  /** The annotated store, if any. */
  readonly store?: string;
  readonly prefix?: string;
  /** Days, when the annotation is a whole number. */
  readonly retentionDays?: number;
  readonly schedule?: string;
  readonly suspended: boolean;
  /** Plain environment of the upload container (the one regular container), literal values only. */
  readonly uploadEnv: Readonly<Record<string, string>>;
  /** Every container of the pod (init containers included). */
  readonly containers: readonly JsonObject[];
}

/** The workloads that hold each store (the names the catalogue gives them). */
const STORE_WORKLOADS: Readonly<Record<string, StoreKind>> = { openldap: 'directory', 'media-repository': 'media' };

function workloadName(view: PodSpecView): string | undefined {
  const name = metadataOf(view.resource).name;
  return typeof name === 'string' ? name : undefined;
}

/** The stores of the stack: the directory StatefulSet, the media worker (with a volume), and OpenBao's release. */
export function statefulStores(stack: SynthesizedStack): StoreView[] {
  const stores: StoreView[] = [];
  for (const view of podSpecs(stack)) {
    if (view.resource.type.startsWith('kubernetes_cron_job') || view.resource.type.startsWith('kubernetes_job')) continue;
    const store = STORE_WORKLOADS[workloadName(view) ?? ''];
    const hasVolume =
      blocks(block(view.resource.body.spec)?.volume_claim_template).length > 0 ||
      blocks(view.podSpec.volume).some((volume) => block(volume.persistent_volume_claim) !== undefined);
    if (store && hasVolume) stores.push({ store, address: view.resource.address, namespace: namespaceOf(view.resource, stack) ?? '?' });
  }
  for (const release of resources(stack, 'helm_release'))
    if (chartName(release) === 'openbao')
      stores.push({
        store: 'secret-store',
        address: release.address,
        namespace: typeof release.body.namespace === 'string' ? release.body.namespace : '?',
      });
  return stores;
}

/** Every CronJob of the stack, read as a backup job (annotations, schedule, the upload step's remotes). */
export function backupJobs(stack: SynthesizedStack): BackupJobView[] {
  return podSpecs(stack)
    .filter((view) => view.resource.type.startsWith('kubernetes_cron_job'))
    .map((view) => {
      const spec = block(view.resource.body.spec) ?? {};
      const annotations = stringMap(metadataOf(view.resource).annotations);
      const retention = annotations[BACKUP_ANNOTATIONS.retentionDays];
      const upload = blocks(view.podSpec.container)[0];
      const uploadEnv: Record<string, string> = {};
      for (const variable of blocks(upload?.env))
        if (typeof variable.name === 'string' && typeof variable.value === 'string') uploadEnv[variable.name] = variable.value;
      return {
        view,
        address: view.resource.address,
        namespace: namespaceOf(view.resource, stack) ?? '?',
        suspended: spec.suspend === true,
        uploadEnv,
        containers: view.containers,
        ...(annotations[BACKUP_ANNOTATIONS.store] !== undefined ? { store: annotations[BACKUP_ANNOTATIONS.store] } : {}),
        ...(annotations[BACKUP_ANNOTATIONS.prefix] !== undefined ? { prefix: annotations[BACKUP_ANNOTATIONS.prefix] } : {}),
        ...(retention !== undefined && /^[1-9][0-9]{0,3}$/.test(retention) ? { retentionDays: Number(retention) } : {}),
        ...(typeof spec.schedule === 'string' ? { schedule: spec.schedule } : {}),
      };
    });
}

/** Why a CronJob's schedule would not run as a backup schedule (five cron fields, a day that comes), or null. */
export function backupScheduleProblem(job: BackupJobView): string | null {
  if (job.schedule === undefined) return 'has no schedule';
  const problem = cronScheduleProblem(job.schedule, 'minutes');
  return problem === null ? null : `has the schedule "${job.schedule}", which ${problem}`;
}
