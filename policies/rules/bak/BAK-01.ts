import { specOf } from '../../../tfjson/manifests';
import { postgresClusters } from '../../../tfjson/postgres-clusters';
import { block, blocks } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** Every PostgreSQL cluster archives its WAL continuously, takes scheduled base backups and keeps them for a declared retention. */
export const rule: Rule = {
  id: 'BAK-01',
  title: 'Every database is backed up on a schedule, continuously, with a retention',
  level: 'error',
  lesson:
    'The data a government cannot lose (rooms, messages, accounts) lived in one database with no backup: one lost volume or one destroy would have lost it all.',
  references: { nsaCisa: 'Data protection: backups', anssi: 'R40' },
  fix: 'Give the Cluster the barman-cloud plugin as WAL archiver (plugins[].isWALArchiver with barmanObjectName), an ObjectStore of that name with a retentionPolicy, and a ScheduledBackup (method plugin) for it; backup.postgres in the config sets schedule and retention.',
  appliesTo: { subject: 'PostgreSQL cluster', presentIn: (stack) => postgresClusters(stack).length > 0 },
  check: (stack) =>
    postgresClusters(stack).flatMap((cluster): Violation[] => {
      const address = cluster.view.resource.address;
      const problems: string[] = [];
      if (!cluster.walArchiver)
        problems.push('has no WAL archiver (plugins[] barman-cloud with isWALArchiver: true): committed transactions are not archived');
      else if (!cluster.objectStore) problems.push('names a WAL archive ObjectStore that is not in its namespace in this stack');
      else if (typeof specOf(cluster.objectStore).retentionPolicy !== 'string')
        problems.push(`archives to ${cluster.objectStore.label}, which has no retentionPolicy: how long backups are kept is undeclared`);
      const active = cluster.scheduledBackups.filter((schedule) => {
        const spec = specOf(schedule);
        return (
          spec.suspend !== true &&
          typeof spec.schedule === 'string' &&
          spec.method === 'plugin' &&
          block(spec.pluginConfiguration)?.name !== undefined
        );
      });
      if (active.length === 0)
        problems.push(
          cluster.scheduledBackups.length === 0
            ? 'has no ScheduledBackup: no base backup is ever taken'
            : 'has ScheduledBackups, none of them active (suspended, without a schedule, or not through the backup plugin)',
        );
      if (cluster.walArchiver && blocks(cluster.spec.plugins).filter((plugin) => plugin.isWALArchiver === true).length > 1)
        problems.push('has more than one WAL archiver');
      return problems.map((problem) => ({ address, message: `${cluster.view.label} ${problem}` }));
    }),
};
