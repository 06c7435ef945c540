/** The case table of BAK-03 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, child, manifestSpecOf, R, remove, specOf } from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

const store = address(R.postgresObjectStore);
const cluster = address(R.postgresCluster);
const configuration = (j: Parameters<typeof manifestSpecOf>[0]) => child(manifestSpecOf(j, R.postgresObjectStore), 'configuration');
const credentials = (j: Parameters<typeof manifestSpecOf>[0]) => child(configuration(j), 's3Credentials');
const directoryJob = address(R.directoryBackup);
const secretStoreJob = address(R.secretStoreBackup);

/** The containers of a backup job's pod: init containers, then the upload. */
function jobContainer(j: TerraformJson, job: typeof R.directoryBackup, which: 'init_container' | 'container'): JsonObject {
  const pod = child(specOf(j, job), 'job_template', 'spec', 'template', 'spec');
  return (pod[which] as JsonObject[])[0]!;
}
const addEnv = (container: JsonObject, name: string, value: string) => ((container.env as JsonObject[]).push({ name, value }), undefined);

export const cases: RuleCases = {
  bad: [
    {
      name: 'the secret access key inline',
      mutate: (j) => (credentials(j).secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
      address: store,
      message: 'has s3Credentials.secretAccessKey that is not a Secret reference',
    },
    {
      name: 'a session token inline',
      mutate: (j) => (credentials(j).sessionToken = 'token-value'),
      address: store,
      message: 'has s3Credentials.sessionToken inline',
    },
    {
      name: 'no credentials at all',
      mutate: (j) => delete configuration(j).s3Credentials,
      address: store,
      message: 'has no s3Credentials',
    },
    {
      name: 'credentials from a cloud IAM role',
      mutate: (j) => (configuration(j).s3Credentials = { inheritFromIAMRole: true }),
      address: store,
      message: 'inherits credentials from a cloud IAM role',
    },
    {
      name: 'credentials in the endpoint URL',
      mutate: (j) => (configuration(j).endpointURL = 'https://backup:hunter2@backup.agency.example.org'),
      address: store,
      message: 'carries credentials in its endpointURL',
    },
    {
      name: 'a customer encryption key on the command line',
      mutate: (j) => (child(configuration(j), 'data').additionalCommandArgs = ['--sse-customer-key=c2VjcmV0']),
      address: store,
      message: 'passes --sse-customer-key on the command line',
    },
    {
      name: 'the secret key as a literal sidecar environment value',
      mutate: (j) =>
        (child(manifestSpecOf(j, R.postgresObjectStore), 'instanceSidecarConfiguration').env = [
          { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI' },
        ]),
      address: store,
      message: 'sets AWS_SECRET_ACCESS_KEY as a literal environment value',
    },
    {
      name: 'a restore source with an inline password',
      mutate: (j) => (manifestSpecOf(j, R.postgresCluster).externalClusters = [{ name: 'origin', password: 'hunter2' }]),
      address: cluster,
      message: 'has externalClusters[origin].password inline',
    },
    {
      name: "a backup job's S3 secret key as a literal variable",
      mutate: (j) => addEnv(jobContainer(j, R.directoryBackup, 'container'), 'RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI'),
      address: directoryJob,
      message: 'container "upload" sets RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY as a literal environment value',
    },
    {
      name: "a backup job's encryption password as a literal variable",
      mutate: (j) => addEnv(jobContainer(j, R.directoryBackup, 'container'), 'RCLONE_CONFIG_VAULT_PASSWORD', 'obscured'),
      address: directoryJob,
      message: 'sets RCLONE_CONFIG_VAULT_PASSWORD as a literal',
    },
    {
      name: 'an OpenBao token as a literal variable of the snapshot step',
      mutate: (j) => addEnv(jobContainer(j, R.secretStoreBackup, 'init_container'), 'BAO_TOKEN', 's.abcdef'),
      address: secretStoreJob,
      message: 'container "snapshot" sets BAO_TOKEN as a literal',
    },
    {
      name: 'an S3 key on the command line',
      mutate: (j) => {
        const upload = jobContainer(j, R.directoryBackup, 'container');
        upload.command = ['rclone', 'copy', '--s3-secret-access-key=wJalrXUtnFEMI', '/staging', 'vault:'];
      },
      address: directoryJob,
      message: 'passes --s3-secret-access-key on the command line',
    },
    {
      name: 'the crypt password inside the script',
      mutate: (j) => {
        const upload = jobContainer(j, R.directoryBackup, 'container');
        upload.command = ['/bin/sh', '-c', 'rclone copy --crypt-password "$P" /staging vault:'];
      },
      address: directoryJob,
      message: 'passes --crypt-password on the command line',
    },
  ],
  good: [
    {
      name: 'a non-secret variable of a backup job',
      mutate: (j) => addEnv(jobContainer(j, R.directoryBackup, 'container'), 'RCLONE_CONFIG_STORE_REGION', 'fr-par-1'),
    },
    {
      name: 'a KMS key named on the command line (a name, not key material)',
      mutate: (j) => (child(configuration(j), 'data').additionalCommandArgs = ['--sse-kms-key-id=alias/backups']),
    },
    {
      name: 'the region from the same Secret',
      mutate: (j) => (credentials(j).region = { name: 'postgres-backup-s3', key: 'REGION' }),
    },
    {
      name: 'a non-secret environment value for the sidecar',
      mutate: (j) =>
        (child(manifestSpecOf(j, R.postgresObjectStore), 'instanceSidecarConfiguration').env = [
          { name: 'AWS_DEFAULT_REGION', value: 'fr-par-1' },
        ]),
    },
  ],
  notApplicable: [
    {
      name: 'no database, no object store and no backup job in the stack',
      mutate: (j) => {
        remove(j, R.postgresCluster);
        remove(j, R.postgresObjectStore);
        remove(j, R.postgresScheduledBackup);
        remove(j, R.directoryBackup);
        remove(j, R.secretStoreBackup);
      },
    },
  ],
};
