import { backupJobs, backupScheduleProblem, statefulStores, type BackupJobView } from '../../../tfjson/store-backups';
import { block } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** Server-side encryption the upload must ask the store for. */
const STORE_ENCRYPTION = ['AES256', 'aws:kms'];

/** Why a backup job would not keep an encrypted, retained copy of its store on its schedule, if it would not. */
function jobProblems(job: BackupJobView): string[] {
  const problems: string[] = [];
  if (job.suspended) problems.push('is suspended: no backup is taken');
  const schedule = backupScheduleProblem(job);
  if (schedule) problems.push(schedule);
  const zone = block(job.view.resource.body.spec)?.timezone;
  if (zone !== 'Etc/UTC' && zone !== 'UTC') problems.push('has no explicit UTC time zone: its schedule depends on the controller');
  if (job.retentionDays === undefined || job.retentionDays > 3650)
    problems.push('declares no retention (annotation matrix.sovereign/backup-retention-days, 1 to 3650)');
  const env = job.uploadEnv;
  const crypt = Object.keys(env).find((name) => env[name] === 'crypt' && /^RCLONE_CONFIG_[A-Z0-9_]+_TYPE$/.test(name));
  const cryptRemote = crypt ? env[crypt.replace(/_TYPE$/, '_REMOTE')] : undefined;
  const underlying = cryptRemote?.split(':')[0];
  if (!crypt || cryptRemote === undefined || underlying === undefined || underlying === cryptRemote)
    problems.push('uploads through no crypt remote: files would leave unencrypted');
  else {
    if (env[`RCLONE_CONFIG_${underlying.toUpperCase()}_TYPE`] !== 's3')
      problems.push(`encrypts onto "${underlying}", which is no S3 remote`);
    const sse = env[`RCLONE_CONFIG_${underlying.toUpperCase()}_SERVER_SIDE_ENCRYPTION`];
    if (sse === undefined || !STORE_ENCRYPTION.includes(sse))
      problems.push(`asks the store for no server-side encryption (${STORE_ENCRYPTION.join(' or ')})`);
  }
  return problems;
}

/**
 * Every stateful store besides PostgreSQL (the directory, the media volume, OpenBao) has an
 * active backup CronJob in its namespace: on a schedule in UTC, with a declared retention,
 * every file encrypted before it leaves (a crypt remote) and by the store (server-side).
 */
export const rule: Rule = {
  id: 'BAK-06',
  title: 'Every store is backed up on a schedule, encrypted, with a retention',
  level: 'error',
  lesson:
    'The directory, the media and the secret store are as irreplaceable as the database: one lost volume would have lost who may log in, every file shared, or every key.',
  references: { nsaCisa: 'Data protection: backups', anssi: 'R40' },
  fix: 'Deploy the store backup CronJob of the store (backup.stores in the config): not suspended, five-field schedule, timezone Etc/UTC, the retention annotation, an rclone crypt remote over an S3 remote with server-side encryption.',
  siteFacts: { facts: ['backup'], unjudged: 'whether media kept in S3 exempts the media volume (its bucket is judged by BAK-07)' },
  appliesTo: { subject: 'stateful store (directory, media volume, OpenBao)', presentIn: (stack) => statefulStores(stack).length > 0 },
  check: (stack, context) => {
    const jobs = backupJobs(stack);
    const mediaInS3 = new Set(context.facts?.backup.mediaBuckets.map((bucket) => bucket.namespace) ?? []);
    return statefulStores(stack).flatMap((store): Violation[] => {
      if (store.store === 'media' && mediaInS3.has(store.namespace)) return [];
      const candidates = jobs.filter((job) => job.namespace === store.namespace && job.store === store.store);
      if (candidates.length === 0)
        return [
          { address: store.address, message: `holds the ${store.store} store, which no backup CronJob in ${store.namespace} backs up` },
        ];
      if (candidates.some((job) => jobProblems(job).length === 0)) return [];
      return candidates.flatMap((job) =>
        jobProblems(job).map((problem) => ({ address: job.address, message: `backs up the ${store.store} store but ${problem}` })),
      );
    });
  },
};
