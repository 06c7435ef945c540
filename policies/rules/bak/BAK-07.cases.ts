/** The case table of BAK-07 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { addClaimUser } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { CONFIG_CONTEXT, R } from '../../../test/policies/fixtures';
import type { TerraformJson } from '../../../tfjson/terraform-json';
import type { AuditContext } from '../../rule';
import type { MediaBucketFact } from '../../site-facts';

const facts = CONFIG_CONTEXT.facts!;

/** Site facts in which the homeserver keeps its media in S3, with the given protection. */
function withBucket(protection: Pick<MediaBucketFact, 'versioning' | 'objectLockDays'>, retentionDays = 30): AuditContext {
  return {
    facts: {
      ...facts,
      backup: {
        ...facts.backup,
        mediaRetentionDays: retentionDays,
        mediaBuckets: [{ namespace: 'agency-homeserver', bucket: 'agency-media', ...protection }],
      },
    },
  };
}

/** A media worker with its (cache) volume in the fixture's homeserver namespace. */
const mediaWorker = (j: TerraformJson) => void addClaimUser(j, 'media-repository', R.homeserverNamespace, 'media-repository-media');

export const cases: RuleCases = {
  bad: [
    {
      name: 'a media bucket without versioning',
      mutate: mediaWorker,
      context: withBucket({ versioning: 'suspended', objectLockDays: 30 }),
      address: 'media-repository_workload',
      message: 'keeps no versions (versioning suspended)',
    },
    {
      name: 'a media bucket locked for less than the media backup retention',
      mutate: mediaWorker,
      context: withBucket({ versioning: 'enabled', objectLockDays: 7 }),
      address: 'media-repository_workload',
      message: 'locks each version 7 days, less than the media backup retention (30 days)',
    },
  ],
  good: [
    {
      name: 'versioned and locked as long as the retention',
      mutate: mediaWorker,
      context: withBucket({ versioning: 'enabled', objectLockDays: 30 }),
    },
    {
      name: 'locked longer than the retention',
      mutate: mediaWorker,
      context: withBucket({ versioning: 'enabled', objectLockDays: 3650 }, 35),
    },
  ],
  notApplicable: [
    { name: 'media on a backed-up volume (no bucket in the site facts)', mutate: mediaWorker },
    {
      name: 'a bucket declared, but no media worker in the stack',
      mutate: () => undefined,
      context: withBucket({ versioning: 'suspended', objectLockDays: 0 }),
    },
  ],
};
