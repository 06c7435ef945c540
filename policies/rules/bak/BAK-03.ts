import { specOf } from '../../../tfjson/manifests';
import { objectStores, postgresClusters } from '../../../tfjson/postgres-clusters';
import { backupJobs, type BackupJobView } from '../../../tfjson/store-backups';
import { block, blocks, isObject, strings, type JsonObject } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** The credential fields of an ObjectStore's S3 configuration, each a Secret reference. */
const CREDENTIAL_FIELDS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'region'] as const;
/** Environment names the S3 client reads credentials from. */
const CREDENTIAL_ENV = /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN)$/;
/** barman-cloud options that carry credentials or key material on the command line. */
const CREDENTIAL_ARGUMENT = /^--(aws-)?(access-key|secret|session-token|encryption-key|sse-customer-key|password)/;

const isSecretReference = (value: unknown): boolean =>
  isObject(value) && typeof value.name === 'string' && typeof value.key === 'string' && Object.keys(value).length === 2;

function storeProblems(spec: JsonObject): string[] {
  const configuration = block(spec.configuration) ?? {};
  const problems: string[] = [];
  const s3 = block(configuration.s3Credentials);
  if (!s3) problems.push('has no s3Credentials: the client would look for credentials anywhere it can');
  else {
    if (s3.inheritFromIAMRole === true) problems.push('inherits credentials from a cloud IAM role instead of a delivered Secret');
    for (const field of ['accessKeyId', 'secretAccessKey'] as const)
      if (!isSecretReference(s3[field])) problems.push(`has s3Credentials.${field} that is not a Secret reference ({name, key})`);
    for (const field of CREDENTIAL_FIELDS)
      if (s3[field] !== undefined && !isSecretReference(s3[field])) problems.push(`has s3Credentials.${field} inline`);
  }
  const endpoint = configuration.endpointURL;
  if (typeof endpoint === 'string' && /^[a-z]+:\/\/[^/]*@/i.test(endpoint)) problems.push('carries credentials in its endpointURL');
  const argumentLists = [
    block(configuration.wal)?.archiveAdditionalCommandArgs,
    block(configuration.wal)?.restoreAdditionalCommandArgs,
    block(configuration.data)?.additionalCommandArgs,
    block(configuration.data)?.restoreAdditionalCommandArgs,
  ];
  for (const argument of argumentLists.flatMap((list) => strings(list)))
    if (CREDENTIAL_ARGUMENT.test(argument)) problems.push(`passes ${argument.split('=')[0] ?? argument} on the command line`);
  for (const variable of blocks(block(spec.instanceSidecarConfiguration)?.env))
    if (typeof variable.name === 'string' && CREDENTIAL_ENV.test(variable.name) && variable.value !== undefined)
      problems.push(`sets ${variable.name} as a literal environment value`);
  return problems;
}

/** Environment names of the backup jobs' tools that carry a credential or key (rclone remotes, AWS, OpenBao). */
const JOB_CREDENTIAL_ENV =
  /^(RCLONE_CONFIG_[A-Z0-9_]+_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PASSWORD2?|SSE_CUSTOMER_KEY(_BASE64)?)|RCLONE_(S3_[A-Z_]*(KEY|TOKEN)[A-Z_]*|CRYPT_PASSWORD2?)|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|(BAO|VAULT)_TOKEN)$/;
/** Command-line options of rclone and bao that carry a credential or key, wherever they appear in a command (a script included). */
const JOB_CREDENTIAL_ARGUMENT =
  /(^|\s)--(s3-(access-key-id|secret-access-key|session-token|sse-customer-key)|crypt-password2?|password|token)(=|\s|$)/;

/** A backup CronJob's containers: no credential in a literal variable, none on a command line. */
function jobProblems(job: BackupJobView): string[] {
  const problems: string[] = [];
  for (const container of job.containers) {
    const name = String(container.name ?? '?');
    for (const variable of blocks(container.env))
      if (typeof variable.name === 'string' && JOB_CREDENTIAL_ENV.test(variable.name) && variable.value !== undefined)
        problems.push(`container "${name}" sets ${variable.name} as a literal environment value`);
    for (const argument of [...strings(container.command), ...strings(container.args)]) {
      const option = JOB_CREDENTIAL_ARGUMENT.exec(argument)?.[2];
      if (option !== undefined) problems.push(`container "${name}" passes --${option} on the command line`);
    }
  }
  return problems;
}

/** No backup credential or key is written into the deployment: the backup store's credentials come from a delivered Secret, by reference. */
export const rule: Rule = {
  id: 'BAK-03',
  title: 'No backup credential or key in the JSON',
  level: 'error',
  lesson: 'Credentials written into a deployment leak with it; a backup credential opens every copy of every database at once.',
  references: { nsaCisa: 'Secrets management', anssi: 'R32' },
  fix: "Reference the delivered Secret (postgres-backup-s3) in s3Credentials.accessKeyId and secretAccessKey; mount the backup jobs' keys as files read by their scripts; keep keys and passwords out of endpointURL, command arguments and env.",
  appliesTo: {
    subject: 'backup ObjectStore or store backup job',
    presentIn: (stack) =>
      objectStores(stack).length > 0 || postgresClusters(stack).length > 0 || backupJobs(stack).some((job) => job.store !== undefined),
  },
  check: (stack) => [
    ...backupJobs(stack)
      .filter((job) => job.store !== undefined)
      .flatMap((job): Violation[] => jobProblems(job).map((problem) => ({ address: job.address, message: problem }))),
    ...objectStores(stack).flatMap((store): Violation[] =>
      storeProblems(specOf(store)).map((problem) => ({ address: store.resource.address, message: `${store.label} ${problem}` })),
    ),
    ...postgresClusters(stack).flatMap((cluster): Violation[] =>
      blocks(cluster.spec.externalClusters).flatMap((external) =>
        ['password', 'sslKey', 'sslCert', 'sslRootCert']
          .filter((field) => external[field] !== undefined && !isSecretReference(external[field]))
          .map((field) => ({
            address: cluster.view.resource.address,
            message: `${cluster.view.label} has externalClusters[${String(external.name)}].${field} inline`,
          })),
      ),
    ),
  ],
};
