/** The case table of BAK-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, manifestSpecOf, R, remove } from '../../../test/policies/fixtures';

const cluster = address(R.postgresCluster);
const spec = (j: Parameters<typeof manifestSpecOf>[0]) => manifestSpecOf(j, R.postgresCluster);

export const cases: RuleCases = {
  bad: [
    {
      name: 'no ScheduledBackup for the cluster',
      mutate: (j) => remove(j, R.postgresScheduledBackup),
      address: cluster,
      message: 'has no ScheduledBackup: no base backup is ever taken',
    },
    {
      name: 'the ScheduledBackup is suspended',
      mutate: (j) => (manifestSpecOf(j, R.postgresScheduledBackup).suspend = true),
      address: cluster,
      message: 'none of them active',
    },
    {
      name: 'the ScheduledBackup names another cluster',
      mutate: (j) => (child(manifestSpecOf(j, R.postgresScheduledBackup), 'cluster').name = 'other'),
      address: cluster,
      message: 'has no ScheduledBackup',
    },
    {
      name: 'no WAL archiver',
      mutate: (j) => (spec(j).plugins = []),
      address: cluster,
      message: 'has no WAL archiver',
    },
    {
      name: 'the barman-cloud plugin without isWALArchiver',
      mutate: (j) => (spec(j).plugins = [{ name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'postgres-backup' } }]),
      address: cluster,
      message: 'has no WAL archiver',
    },
    {
      name: 'the archiver names an ObjectStore that does not exist',
      mutate: (j) =>
        (spec(j).plugins = [
          { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'elsewhere' } },
        ]),
      address: cluster,
      message: 'names a WAL archive ObjectStore that is not in its namespace',
    },
    {
      name: 'the ObjectStore has no retention',
      mutate: (j) => delete manifestSpecOf(j, R.postgresObjectStore).retentionPolicy,
      address: cluster,
      message: 'has no retentionPolicy',
    },
  ],
  good: [
    { name: 'another schedule (weekly)', mutate: (j) => (manifestSpecOf(j, R.postgresScheduledBackup).schedule = '0 0 3 * * 0') },
    { name: 'a longer retention', mutate: (j) => (manifestSpecOf(j, R.postgresObjectStore).retentionPolicy = '12w') },
    { name: 'backups taken immediately or not', mutate: (j) => (manifestSpecOf(j, R.postgresScheduledBackup).immediate = false) },
  ],
  notApplicable: [
    {
      name: 'no PostgreSQL cluster in the stack',
      mutate: (j) => {
        remove(j, R.postgresCluster);
        remove(j, R.postgresScheduledBackup);
      },
    },
  ],
};
