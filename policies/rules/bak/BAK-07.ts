import { statefulStores } from '../../../tfjson/store-backups';
import type { Rule, Violation } from '../../rule';

/**
 * Media kept in S3 is protected by its bucket instead of a backup job: every version kept
 * (versioning enabled) and locked at least as long as media backups are kept.
 */
export const rule: Rule = {
  id: 'BAK-07',
  title: 'Media in object storage is versioned and locked at least as long as backups are kept',
  level: 'error',
  lesson:
    'Media in a bucket that keeps no versions is gone the moment it is overwritten or deleted, by mistake or by an intruder holding the media keys.',
  references: { nsaCisa: 'Data protection: backups', anssi: 'R40' },
  fix: 'Enable versioning and object lock on the media bucket, with a retention of at least backup.stores.media.retention, and declare it in homeservers[].media.s3.protection.',
  siteFacts: { facts: ['backup'], unjudged: 'the declared protection of the media buckets (homeservers[].media.s3.protection)' },
  appliesTo: {
    subject: 'media worker whose media is kept in S3',
    presentIn: (stack, context) => {
      const buckets = new Set(context.facts?.backup.mediaBuckets.map((bucket) => bucket.namespace) ?? []);
      return statefulStores(stack).some((store) => store.store === 'media' && buckets.has(store.namespace));
    },
  },
  check: (stack, context) => {
    const facts = context.facts?.backup;
    if (!facts) return [];
    return statefulStores(stack)
      .filter((store) => store.store === 'media')
      .flatMap((store): Violation[] => {
        const bucket = facts.mediaBuckets.find((candidate) => candidate.namespace === store.namespace);
        if (!bucket) return [];
        const problems: string[] = [];
        if (bucket.versioning !== 'enabled')
          problems.push(`keeps no versions (versioning ${bucket.versioning}): an overwritten or deleted object is lost`);
        if (bucket.objectLockDays < facts.mediaRetentionDays)
          problems.push(
            `locks each version ${bucket.objectLockDays} days, less than the media backup retention (${facts.mediaRetentionDays} days)`,
          );
        return problems.map((problem) => ({
          address: store.address,
          message: `stores media in bucket ${bucket.bucket}, which ${problem}`,
        }));
      });
  },
};
