/** The case table of BAK-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { TRANSPORT_ANNOTATION } from '../../../model/flow-transport';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  CONFIG_CONTEXT,
  child,
  manifestSpecOf,
  R,
  remove,
  ruleOf,
  specOf,
  STANDALONE_CONTEXT,
} from '../../../test/policies/fixtures';
import type { JsonObject, TerraformJson } from '../../../tfjson/terraform-json';

const store = address(R.postgresObjectStore);
const configuration = (j: Parameters<typeof manifestSpecOf>[0]) => child(manifestSpecOf(j, R.postgresObjectStore), 'configuration');
const backupEgress = `${address(R.postgresBackupEgress)} egress[0]`;
const facts = CONFIG_CONTEXT.facts!;
const directoryJob = address(R.directoryBackup);

/** Sets a variable of the directory backup job's upload step. */
function setUploadEnv(j: TerraformJson, name: string, value: string): void {
  const pod = child(specOf(j, R.directoryBackup), 'job_template', 'spec', 'template', 'spec');
  const env = (pod.container as JsonObject[])[0]!.env as JsonObject[];
  env[env.findIndex((variable) => variable.name === name)] = { name, value };
}

/** One more egress policy for the directory backup job's pods, to `cidr` on 443. */
function backupJobEgress(j: TerraformJson, cidr: string): void {
  const policy = JSON.parse(JSON.stringify(body(j, R.directoryDns))) as JsonObject;
  child(policy, 'metadata').name = 'egress-directory-backup-elsewhere';
  // A copy of the DNS baseline: its transport is HTTPS now.
  child(policy, 'metadata').annotations = { [TRANSPORT_ANNOTATION]: 'tls' };
  const spec = child(policy, 'spec');
  spec.pod_selector = { match_labels: { 'matrix.sovereign/workload': 'directory-backup' } };
  spec.policy_types = ['Egress'];
  spec.egress = [{ ports: [{ port: '443', protocol: 'TCP' }], to: [{ ip_block: { cidr, except: [] } }] }];
  add(j, { type: 'kubernetes_network_policy_v1', name: 'directory-backup_elsewhere' }, policy);
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'another endpoint than the declared store',
      mutate: (j) => (configuration(j).endpointURL = 'https://s3.public-cloud.example'),
      address: store,
      message: `not to the declared object store ${facts.backup.endpoint}`,
    },
    {
      name: 'a plain-HTTP endpoint',
      mutate: (j) => (configuration(j).endpointURL = 'http://backup.agency.example.org'),
      address: store,
      message: 'not HTTPS',
    },
    {
      name: 'no endpoint (the client default: a public cloud)',
      mutate: (j) => delete configuration(j).endpointURL,
      address: store,
      message: 'has no endpointURL',
    },
    {
      name: 'another bucket',
      mutate: (j) => (configuration(j).destinationPath = 's3://someone-elses-bucket/matrix/agency/postgres'),
      address: store,
      message: `not to the declared bucket ${facts.backup.bucket}`,
    },
    {
      name: 'egress of the database to an address outside the declared store',
      mutate: (j) => (ruleOf(j, R.postgresBackupEgress, 'egress').to = [{ ip_block: { cidr: '203.0.113.0/24', except: [] } }]),
      address: backupEgress,
      message: 'lets the database pods reach 203.0.113.0/24, outside the declared backup store',
    },
    {
      name: 'egress of the database to every address',
      mutate: (j) => (ruleOf(j, R.postgresBackupEgress, 'egress').to = [{ ip_block: { cidr: '0.0.0.0/0', except: [] } }]),
      address: backupEgress,
      message: 'lets the database pods reach 0.0.0.0/0',
    },
    {
      name: 'egress of the database without peers (anywhere)',
      mutate: (j) => (ruleOf(j, R.postgresBackupEgress, 'egress').to = []),
      address: backupEgress,
      message: 'reach any address',
    },
    {
      name: 'a backup job sending to another endpoint',
      mutate: (j) => setUploadEnv(j, 'RCLONE_CONFIG_STORE_ENDPOINT', 'https://s3.public-cloud.example'),
      address: directoryJob,
      message: `not to the declared object store ${facts.backup.endpoint}`,
    },
    {
      name: 'a backup job sending over plain HTTP',
      mutate: (j) => setUploadEnv(j, 'RCLONE_CONFIG_STORE_ENDPOINT', 'http://backup.agency.example.org'),
      address: directoryJob,
      message: 'not HTTPS',
    },
    {
      name: 'a backup job writing to another bucket',
      mutate: (j) => setUploadEnv(j, 'RCLONE_CONFIG_VAULT_REMOTE', 'store:elsewhere/matrix/agency/directory'),
      address: directoryJob,
      message: `writes to bucket elsewhere, not to the declared bucket ${facts.backup.bucket}`,
    },
    {
      name: 'a backup job allowed to reach another address',
      mutate: (j) => backupJobEgress(j, '203.0.113.0/24'),
      address: 'directory-backup_elsewhere',
      message: 'reach 203.0.113.0/24, outside the declared backup store',
    },
  ],
  good: [
    { name: 'the endpoint written with a trailing slash', mutate: (j) => (configuration(j).endpointURL = `${facts.backup.endpoint}/`) },
    { name: 'a backup job allowed to reach one address of the declared store', mutate: (j) => backupJobEgress(j, '198.51.100.30/32') },
    {
      name: 'egress to a single address inside the declared range',
      mutate: (j) => (ruleOf(j, R.postgresBackupEgress, 'egress').to = [{ ip_block: { cidr: '198.51.100.30/32', except: [] } }]),
    },
    {
      name: 'a standalone audit cannot tell the declared store (the destination is not judged, only its form)',
      mutate: (j) => (configuration(j).endpointURL = 'https://s3.elsewhere.example'),
      context: STANDALONE_CONTEXT,
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
