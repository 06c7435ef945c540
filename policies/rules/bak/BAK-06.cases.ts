/** The case table of BAK-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, child, CONFIG_CONTEXT, R, remove, specOf, STANDALONE_CONTEXT } from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

const directoryJob = address(R.directoryBackup);
const openldap = address(R.openldapStatefulSet);

/** The upload container's environment of the directory backup job. */
function uploadEnv(j: TerraformJson): JsonObject[] {
  const pod = child(specOf(j, R.directoryBackup), 'job_template', 'spec', 'template', 'spec');
  return (pod.container as JsonObject[])[0]!.env as JsonObject[];
}

function setEnv(j: TerraformJson, name: string, value: string | undefined): void {
  const env = uploadEnv(j);
  const index = env.findIndex((variable) => variable.name === name);
  if (value === undefined) env.splice(index, 1);
  else env[index] = { name, value };
}

const annotations = (j: TerraformJson) => child(body(j, R.directoryBackup), 'metadata', 'annotations');

export const cases: RuleCases = {
  bad: [
    {
      name: 'the directory without a backup job',
      mutate: (j) => remove(j, R.directoryBackup),
      address: openldap,
      message: 'holds the directory store, which no backup CronJob in agency-directory backs up',
    },
    {
      name: 'OpenBao without a backup job',
      mutate: (j) => remove(j, R.secretStoreBackup),
      address: address(R.openbaoRelease),
      message: 'holds the secret-store store',
    },
    {
      name: 'the backup job of another store only',
      mutate: (j) => (annotations(j)['matrix.sovereign/backup-store'] = 'media'),
      address: openldap,
      message: 'no backup CronJob',
    },
    {
      name: 'a suspended job',
      mutate: (j) => (specOf(j, R.directoryBackup).suspend = true),
      address: directoryJob,
      message: 'is suspended',
    },
    {
      name: 'a six-field schedule',
      mutate: (j) => (specOf(j, R.directoryBackup).schedule = '0 30 2 * * *'),
      address: directoryJob,
      message: /five cron fields/,
    },
    {
      name: 'a schedule that never comes',
      mutate: (j) => (specOf(j, R.directoryBackup).schedule = '0 0 31 2 *'),
      address: directoryJob,
      message: /never runs/,
    },
    { name: 'no schedule', mutate: (j) => delete specOf(j, R.directoryBackup).schedule, address: directoryJob, message: 'has no schedule' },
    {
      name: 'the controller local time zone',
      mutate: (j) => delete specOf(j, R.directoryBackup).timezone,
      address: directoryJob,
      message: 'no explicit UTC time zone',
    },
    {
      name: 'no declared retention',
      mutate: (j) => delete annotations(j)['matrix.sovereign/backup-retention-days'],
      address: directoryJob,
      message: 'declares no retention',
    },
    {
      name: 'a retention beyond ten years',
      mutate: (j) => (annotations(j)['matrix.sovereign/backup-retention-days'] = '9999'),
      address: directoryJob,
      message: 'declares no retention',
    },
    {
      name: 'no client-side encryption (the vault remote is plain S3)',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_VAULT_TYPE', 's3'),
      address: directoryJob,
      message: 'uploads through no crypt remote',
    },
    {
      name: 'a crypt remote over a local folder',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_VAULT_REMOTE', '/tmp/backups'),
      address: directoryJob,
      message: 'uploads through no crypt remote',
    },
    {
      name: 'a crypt remote over a remote that is not S3',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_STORE_TYPE', 'sftp'),
      address: directoryJob,
      message: 'which is no S3 remote',
    },
    {
      name: 'no server-side encryption',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION', undefined),
      address: directoryJob,
      message: 'asks the store for no server-side encryption',
    },
    {
      name: 'an unknown server-side encryption',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION', 'none'),
      address: directoryJob,
      message: 'asks the store for no server-side encryption',
    },
  ],
  good: [
    { name: 'the compliant jobs without site facts', mutate: () => undefined, context: STANDALONE_CONTEXT },
    { name: 'UTC spelled UTC', mutate: (j) => (specOf(j, R.directoryBackup).timezone = 'UTC') },
    { name: 'a weekly schedule', mutate: (j) => (specOf(j, R.directoryBackup).schedule = '30 2 * * 0') },
    {
      name: 'server-side encryption with the store KMS key',
      mutate: (j) => setEnv(j, 'RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION', 'aws:kms'),
    },
  ],
  notApplicable: [
    {
      name: 'no directory server and no OpenBao',
      mutate: (j) => {
        remove(j, R.openldapStatefulSet);
        remove(j, R.openbaoRelease);
      },
      context: CONFIG_CONTEXT,
    },
  ],
};
