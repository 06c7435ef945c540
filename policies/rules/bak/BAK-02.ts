import { cidrContains, parseCidr } from '../../../config/validators';
import { LABEL_WORKLOAD } from '../../../model/compartments';
import { POSTGRES_CLUSTER_NAME, POSTGRES_POD_SELECTOR } from '../../../model/postgres';
import { EVERYTHING, selects } from '../../../tfjson/label-selectors';
import { specOf } from '../../../tfjson/manifests';
import { podLabelsOf } from '../../../tfjson/pod-specs';
import { destinationBucket, objectStores, postgresClusters } from '../../../tfjson/postgres-clusters';
import { networkPolicies } from '../../../tfjson/reachability';
import { backupJobs } from '../../../tfjson/store-backups';
import { block, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

function within(range: string, allowed: readonly string[]): boolean {
  const inner = parseCidr(range);
  if (typeof inner === 'string') return false;
  return allowed.some((candidate) => {
    const outer = parseCidr(candidate);
    return typeof outer !== 'string' && cidrContains(outer, inner);
  });
}

function storeViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const backup = context.facts?.backup;
  return objectStores(stack).flatMap((store): Violation[] => {
    const configuration = block(specOf(store).configuration) ?? {};
    const problems: string[] = [];
    const endpoint = configuration.endpointURL;
    if (typeof endpoint !== 'string') problems.push('has no endpointURL: the S3 client would pick its default (a public cloud)');
    else if (!endpoint.startsWith('https://')) problems.push(`sends backups to ${endpoint}: not HTTPS`);
    else if (backup && endpoint.replace(/\/$/, '') !== backup.endpoint)
      problems.push(`sends backups to ${endpoint}, not to the declared object store ${backup.endpoint}`);
    const bucket = destinationBucket(store);
    if (bucket === undefined) problems.push('has no s3:// destinationPath');
    else if (backup && bucket !== backup.bucket) problems.push(`writes to bucket ${bucket}, not to the declared bucket ${backup.bucket}`);
    return problems.map((problem) => ({ address: store.resource.address, message: `${store.label} ${problem}` }));
  });
}

/** Egress of the database pods to address blocks: only the declared object store (and the API server the instance manager calls). */
function egressViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const facts = context.facts;
  if (!facts) return [];
  const namespaces = new Set(postgresClusters(stack).map((cluster) => cluster.view.namespace));
  const allowed = [...facts.backup.cidrs, ...facts.kubernetes.apiServerCidrs];
  // An instance pod carries both the workload label and the operator's cluster label.
  const databasePod = { [LABEL_WORKLOAD]: POSTGRES_CLUSTER_NAME, ...POSTGRES_POD_SELECTOR };
  return networkPolicies(stack)
    .filter((policy) => namespaces.has(policy.namespace) && selects(policy.podSelector ?? EVERYTHING, databasePod))
    .flatMap((policy) =>
      policy.egress.flatMap((rule, index) => {
        const address = `${policy.address} egress[${index}]`;
        if (rule.peers.length === 0)
          return [{ address, message: 'lets the database pods reach any address: backups could leave to any destination' }];
        return rule.peers.flatMap((peer) => {
          if (peer.kind !== 'ipBlock' || (peer.cidr !== undefined && within(peer.cidr, allowed))) return [];
          return [
            {
              address,
              message: `lets the database pods reach ${peer.cidr ?? '(no cidr)'}, outside the declared backup store (backup.objectStore.cidrs) and the API server: backups could leave to another destination`,
            },
          ];
        });
      }),
    );
}

/** Where a store backup job's upload step sends its files: the S3 remote under its crypt remote (endpoint and bucket). */
function backupJobViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const facts = context.facts;
  const jobs = backupJobs(stack).filter((job) => job.store !== undefined);
  const findings: Violation[] = [];
  for (const job of jobs) {
    const env = job.uploadEnv;
    for (const [name, value] of Object.entries(env)) {
      const endpoint = /^RCLONE_CONFIG_([A-Z0-9_]+)_ENDPOINT$/.exec(name);
      if (endpoint && env[`RCLONE_CONFIG_${endpoint[1] ?? ''}_TYPE`] === 's3') {
        if (!value.startsWith('https://')) findings.push({ address: job.address, message: `sends backups to ${value}: not HTTPS` });
        else if (facts && value.replace(/\/$/, '') !== facts.backup.endpoint)
          findings.push({
            address: job.address,
            message: `sends backups to ${value}, not to the declared object store ${facts.backup.endpoint}`,
          });
      }
      const remote = /^RCLONE_CONFIG_([A-Z0-9_]+)_REMOTE$/.exec(name);
      if (remote && env[`RCLONE_CONFIG_${remote[1] ?? ''}_TYPE`] === 'crypt' && facts) {
        const bucket = /^[A-Za-z0-9_-]+:([^/]+)/.exec(value)?.[1];
        if (bucket !== facts.backup.bucket)
          findings.push({
            address: job.address,
            message: `writes to bucket ${bucket ?? '(none)'}, not to the declared bucket ${facts.backup.bucket}`,
          });
      }
    }
  }
  if (!facts) return findings;
  // Egress of the backup jobs' pods to address blocks: the declared store only.
  const allowed = facts.backup.cidrs;
  for (const job of jobs) {
    const labels = podLabelsOf(job.view.resource);
    for (const policy of networkPolicies(stack).filter((candidate) => candidate.namespace === job.namespace)) {
      if (!selects(policy.podSelector ?? EVERYTHING, labels)) continue;
      policy.egress.forEach((rule, index) => {
        const address = `${policy.address} egress[${index}]`;
        if (rule.peers.length === 0)
          findings.push({
            address,
            message: `lets the backup job ${job.store ?? ''} reach any address: backups could leave to any destination`,
          });
        for (const peer of rule.peers)
          if (peer.kind === 'ipBlock' && !(peer.cidr !== undefined && within(peer.cidr, allowed)))
            findings.push({
              address,
              message: `lets the ${job.store ?? ''} backup job reach ${peer.cidr ?? '(no cidr)'}, outside the declared backup store (backup.objectStore.cidrs)`,
            });
      });
    }
  }
  return findings;
}

/** Backups (PostgreSQL's and the store backup jobs') go to the declared object store only: its endpoint and bucket, and egress to its addresses alone. */
export const rule: Rule = {
  id: 'BAK-02',
  title: 'Backups go only to the declared object store',
  level: 'error',
  lesson: 'Data copied to a destination nobody declared is data that has left: a backup is an export of everything.',
  references: { nsaCisa: 'Data protection: backups', anssi: 'R40' },
  fix: "Point the ObjectStore and the backup jobs' S3 remote at backup.objectStore (endpoint, bucket) and allow the database pods and the backup jobs egress only to backup.objectStore.cidrs on 443.",
  siteFacts: { facts: ['backup', 'kubernetes'], unjudged: 'whether the endpoint, bucket and egress are the declared object store' },
  appliesTo: {
    subject: 'backup ObjectStore, PostgreSQL cluster or store backup job',
    presentIn: (stack) =>
      objectStores(stack).length > 0 || postgresClusters(stack).length > 0 || backupJobs(stack).some((job) => job.store !== undefined),
  },
  check: (stack, context) => [
    ...storeViolations(stack, context),
    ...egressViolations(stack, context),
    ...backupJobViolations(stack, context),
  ],
};
