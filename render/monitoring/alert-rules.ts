/**
 * The exfiltration and abuse alerts of one homeserver (LOG-02), as Prometheus rule groups:
 * plain data, rendered into a PrometheusRule (manifests.ts) and, for the tests, into a rule
 * file the real promtool checks and unit-tests. Every alert carries `severity` and the
 * `matrix.sovereign/signal` it answers; thresholds come from `monitoring.alerts`.
 *
 * Series labels: `namespace` (set by the Prometheus Operator for every PodMonitor target) and
 * `workload` (the pod's `matrix.sovereign/workload` label, copied by our PodMonitors).
 */
import { stringify } from 'yaml';
import type { MonitoringSettings } from '../../config/deployment-config';
import { SIGNAL_LABEL, THRESHOLD_ALERTS, type Signal } from '../../model/alert-signals';
import { HAPROXY_PROXIES } from '../gateway/haproxy-config';
import { goTemplateLiteral } from '../go-template';
/** Target label our PodMonitors copy the workload name into. */
export const WORKLOAD_TARGET_LABEL = 'workload';
/** Target label naming the homeserver, set by our PodMonitors and on every alert. */
export const HOMESERVER_TARGET_LABEL = 'homeserver';

export type Severity = 'critical' | 'warning';

/** The metric and label values the expressions rely on, checked against the real HAProxy and Synapse in the tests. */
export const ALERT_METRICS = {
  mediaBytes: { metric: 'haproxy_backend_bytes_out_total', proxy: HAPROXY_PROXIES.media },
  loginResponses: { metric: 'haproxy_backend_http_responses_total', proxy: HAPROXY_PROXIES.login, code: '4xx' },
  synapseRequests: { metric: 'synapse_http_server_requests_received_total' },
  userDirectoryServlets: ['UserDirectorySearchRestServlet'],
  profileServlets: ['ProfileRestServlet', 'ProfileFieldRestServlet'],
  /** The barman-cloud plugin's metric, exported by each instance manager (0 until the first backup). */
  lastBackup: { metric: 'barman_cloud_cloudnative_pg_io_last_available_backup_timestamp' },
  /** The operator's pg_stat_archiver and pg_replication queries (its default monitoring ConfigMap). */
  archiverFailed: { metric: 'cnpg_pg_stat_archiver_failed_count' },
  archiverLastFailed: { metric: 'cnpg_pg_stat_archiver_last_failed_time' },
  archiverLastArchived: { metric: 'cnpg_pg_stat_archiver_last_archived_time' },
  replicationLag: { metric: 'cnpg_pg_replication_lag' },
  /** kube-state-metrics (scraped by the site with honorLabels, so `namespace` is the object's). */
  cronJobLastSuccess: { metric: 'kube_cronjob_status_last_successful_time' },
  cronJobCreated: { metric: 'kube_cronjob_created' },
  jobFailed: { metric: 'kube_job_status_failed' },
  jobSucceeded: { metric: 'kube_job_status_succeeded' },
} as const;

/**
 * Data-safety bounds that are not site settings: a base backup may run this long after its
 * scheduled time before it counts as missing, and a standby this far behind the primary is
 * one a failover would lose transactions to (with synchronous replication, a lagging standby
 * also slows every commit).
 */
export const DATA_SAFETY = { backupGraceSeconds: 3 * 3600, replicationLagSeconds: 30 } as const;

/** How long a condition must hold before the alert fires. */
export const ALERT_HOLD = {
  mediaExfiltration: '5m',
  directoryScraping: '10m',
  credentialStuffing: '5m',
  targetDown: '5m',
  targetAbsent: '10m',
  backupTooOld: '10m',
  storeBackupFailing: '5m',
  walArchiving: '5m',
  replicationLag: '5m',
} as const;

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export interface AlertRulesInput {
  readonly homeserverName: string;
  readonly serverName: string;
  readonly namespaces: { readonly gateway: string; readonly homeserver: string; readonly media: string };
  /** Every scrape target of the homeserver (namespace and workload), for the monitoring-gap alerts. */
  readonly targets: readonly { readonly namespace: string; readonly workload: string }[];
  readonly thresholds: MonitoringSettings['alerts'];
  /** The longest time between two scheduled base backups (seconds). */
  readonly backupIntervalSeconds: number;
  /** The store backup CronJobs this homeserver's rule watches (its directory and media volume, and for the first homeserver the secret store). */
  readonly storeBackups: readonly StoreBackupWatch[];
}

/** A store backup CronJob as the alerts see it: where it runs and the longest gap its schedule leaves. */
export interface StoreBackupWatch {
  readonly store: string;
  readonly namespace: string;
  readonly cronJob: string;
  readonly intervalSeconds: number;
}

/** 2147483648 -> "2GiB" (thresholds are whole K/M/G from the config). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** A literal inside a PromQL (RE2) regular expression. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function selector(matchers: Readonly<Record<string, string>>): string {
  return `{${Object.entries(matchers)
    .map(([name, value]) => (value.startsWith('=~') ? `${name}=~${JSON.stringify(value.slice(2))}` : `${name}=${JSON.stringify(value)}`))
    .join(', ')}}`;
}

export function homeserverAlertGroups(input: AlertRulesInput): RuleGroup[] {
  const { thresholds, namespaces } = input;
  // Prometheus expands annotations and labels as Go templates: names from the config are literal text there.
  const serverName = goTemplateLiteral(input.serverName);
  const literalNamespaces = {
    gateway: goTemplateLiteral(namespaces.gateway),
    homeserver: goTemplateLiteral(namespaces.homeserver),
    media: goTemplateLiteral(namespaces.media),
  };
  const labels = (signal: Signal, severity: Severity) => ({
    severity,
    [SIGNAL_LABEL]: signal,
    [HOMESERVER_TARGET_LABEL]: goTemplateLiteral(input.homeserverName),
  });
  const group = (signal: Signal, rules: AlertRule[]): RuleGroup => ({ name: `matrix-sovereign.${input.homeserverName}.${signal}`, rules });
  const { mediaBytes, loginResponses, synapseRequests } = ALERT_METRICS;
  const perMinute = (servlets: readonly string[], extra: Record<string, string> = {}) =>
    `sum(rate(${synapseRequests.metric}${selector({ namespace: namespaces.homeserver, servlet: servlets.length === 1 ? (servlets[0] ?? '') : `=~${servlets.join('|')}`, ...extra })}[5m])) * 60`;
  const gatewayLog = `the HAProxy log (stdout of the haproxy pods in ${literalNamespaces.gateway}: client address, path, status)`;
  const synapseLog = `the Synapse log in ${literalNamespaces.homeserver} (requesting user and, via X-Forwarded-For, client address)`;

  return [
    group('media-exfiltration', [
      {
        alert: THRESHOLD_ALERTS.mediaEgressBytesPerHour,
        expr: `sum(increase(${mediaBytes.metric}${selector({ namespace: namespaces.gateway, proxy: mediaBytes.proxy })}[1h])) > ${thresholds.mediaEgressBytesPerHour}`,
        for: ALERT_HOLD.mediaExfiltration,
        labels: labels('media-exfiltration', 'critical'),
        annotations: {
          summary: `Bulk media download from ${serverName}`,
          description:
            `{{ $value | humanize1024 }}B of media left ${serverName} through the gateway in the last hour (threshold ${formatBytes(thresholds.mediaEgressBytesPerHour)}). ` +
            `Look at ${gatewayLog} for the addresses fetching /_matrix/media, /_matrix/client/v1/media and /_matrix/federation/v1/media, and at the media worker log in ${literalNamespaces.media} for the media ids; ` +
            'block the source at the gateway and end the sessions of the accounts involved.',
        },
      },
    ]),
    group('directory-scraping', [
      {
        alert: THRESHOLD_ALERTS.userDirectorySearchesPerMinute,
        expr: `${perMinute(ALERT_METRICS.userDirectoryServlets)} > ${thresholds.userDirectorySearchesPerMinute}`,
        for: ALERT_HOLD.directoryScraping,
        labels: labels('directory-scraping', 'warning'),
        annotations: {
          summary: `User directory of ${serverName} searched in bulk`,
          description:
            `{{ $value | humanize }} user-directory searches per minute on ${serverName} for 10 minutes (threshold ${thresholds.userDirectorySearchesPerMinute}). ` +
            `Someone may be enumerating users: look at ${synapseLog} for POST /user_directory/search and at which accounts search most.`,
        },
      },
      {
        alert: THRESHOLD_ALERTS.profileLookupsPerMinute,
        expr: `${perMinute(ALERT_METRICS.profileServlets, { method: 'GET' })} > ${thresholds.profileLookupsPerMinute}`,
        for: ALERT_HOLD.directoryScraping,
        labels: labels('directory-scraping', 'warning'),
        annotations: {
          summary: `Profiles of ${serverName} looked up in bulk`,
          description:
            `{{ $value | humanize }} profile lookups per minute on ${serverName} for 10 minutes (threshold ${thresholds.profileLookupsPerMinute}). ` +
            `Someone may be harvesting names and avatars: look at ${synapseLog} for GET /profile/ and at which accounts look up most.`,
        },
      },
    ]),
    group('credential-stuffing', [
      {
        alert: THRESHOLD_ALERTS.rejectedLoginsPerMinute,
        expr: `sum(rate(${loginResponses.metric}${selector({ namespace: namespaces.gateway, proxy: loginResponses.proxy, code: loginResponses.code })}[5m])) * 60 > ${thresholds.rejectedLoginsPerMinute}`,
        for: ALERT_HOLD.credentialStuffing,
        labels: labels('credential-stuffing', 'warning'),
        annotations: {
          summary: `Many refused logins on ${serverName}`,
          description:
            `{{ $value | humanize }} login attempts per minute refused on ${serverName} for 5 minutes (401/403 from Synapse, 429 from the gateway or Synapse; threshold ${thresholds.rejectedLoginsPerMinute}). ` +
            `Look at ${gatewayLog} for POST /login and its client addresses, and at ${synapseLog} for the account names tried; narrow gateway.ingressCidrs or lower gateway.rateLimit.loginRequestsPer10s.`,
        },
      },
    ]),
    group('data-safety', [
      ...dataSafetyRules(input, labels('data-safety', 'critical'), labels('data-safety', 'warning')),
      ...storeBackupRules(input, labels('data-safety', 'critical')),
    ]),
    group('monitoring-gap', [
      {
        alert: 'MatrixScrapeTargetDown',
        expr: `up${selector({ namespace: `=~${[...new Set(input.targets.map((target) => escapeRegex(target.namespace)))].join('|')}` })} == 0`,
        for: ALERT_HOLD.targetDown,
        labels: labels('monitoring-gap', 'warning'),
        annotations: {
          summary: `A metrics endpoint of ${serverName} is not answering`,
          description:
            `{{ $labels.workload }} pod {{ $labels.pod }} in {{ $labels.namespace }} has failed every scrape for 5 minutes: the exfiltration and abuse alerts of ${serverName} are blind to it. ` +
            'Check the pod, and the ingress-prometheus-to-* network policy of its namespace.',
        },
      },
      {
        // One rule for all targets (absent() keeps each target's namespace and workload as labels).
        alert: 'MatrixScrapeTargetAbsent',
        expr: input.targets
          .map((target) => `absent(up${selector({ namespace: target.namespace, [WORKLOAD_TARGET_LABEL]: target.workload })})`)
          .join(' or '),
        for: ALERT_HOLD.targetAbsent,
        labels: labels('monitoring-gap', 'warning'),
        annotations: {
          summary: `{{ $labels.workload }} of ${serverName} is not scraped at all`,
          description:
            `Prometheus has had no scrape target for {{ $labels.workload }} in {{ $labels.namespace }} for 10 minutes: the exfiltration and abuse alerts of ${serverName} are blind to it. ` +
            'Check that the pods run, that the PodMonitor of {{ $labels.namespace }} exists and carries the labels your Prometheus selects (monitoring.resourceLabels), and that Prometheus watches that namespace.',
        },
      },
    ]),
  ];
}

/** 93600 -> "26h". */
function formatSeconds(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.ceil(seconds / 60)}m`;
}

/** The database's alerts: backups older than the schedule allows, WAL archiving failing, standbys lagging. */
function dataSafetyRules(
  input: AlertRulesInput,
  critical: Readonly<Record<string, string>>,
  warning: Readonly<Record<string, string>>,
): AlertRule[] {
  const namespace = input.namespaces.homeserver;
  const ns = selector({ namespace });
  const serverName = goTemplateLiteral(input.serverName);
  const literalNamespace = goTemplateLiteral(namespace);
  const maxAge = input.backupIntervalSeconds + DATA_SAFETY.backupGraceSeconds;
  const { lastBackup, archiverFailed, archiverLastFailed, archiverLastArchived, replicationLag } = ALERT_METRICS;
  const operatorLog = `the logs of the postgres pods in ${literalNamespace} (containers postgres and plugin-barman-cloud) and \`kubectl -n ${literalNamespace} get backups\``;
  return [
    {
      alert: 'MatrixPostgresBackupTooOld',
      expr: `time() - max(${lastBackup.metric}${ns}) > ${maxAge}`,
      for: ALERT_HOLD.backupTooOld,
      labels: critical,
      annotations: {
        summary: `The last PostgreSQL backup of ${serverName} is older than its schedule allows`,
        description:
          `The newest base backup of ${serverName} is {{ $value | humanizeDuration }} old; the schedule (backup.postgres.schedule) runs one at least every ${formatSeconds(input.backupIntervalSeconds)}, ${formatSeconds(DATA_SAFETY.backupGraceSeconds)} of grace included the limit is ${formatSeconds(maxAge)}. ` +
          `Look at ${operatorLog}: the object store's reachability (flow postgres-to-outside-backup), its credentials (postgres-backup-s3) and free space.`,
      },
    },
    {
      alert: 'MatrixPostgresWalArchivingFailing',
      expr: `rate(${archiverFailed.metric}${ns}[5m]) > 0 and on (namespace, pod) (${archiverLastFailed.metric}${ns} > ${archiverLastArchived.metric}${ns})`,
      for: ALERT_HOLD.walArchiving,
      labels: critical,
      annotations: {
        summary: `PostgreSQL of ${serverName} cannot archive its WAL`,
        description:
          `Pod {{ $labels.pod }} in {{ $labels.namespace }} fails to archive WAL and has archived nothing since its last failure: committed transactions exist only in the cluster, and the WAL piles up on its volume until the database stops. ` +
          `Look at ${operatorLog} for the barman-cloud-wal-archive error.`,
      },
    },
    {
      alert: 'MatrixPostgresReplicationLag',
      expr: `max by (namespace, pod) (${replicationLag.metric}${ns}) > ${DATA_SAFETY.replicationLagSeconds}`,
      for: ALERT_HOLD.replicationLag,
      labels: warning,
      annotations: {
        summary: `A PostgreSQL standby of ${serverName} lags behind the primary`,
        description:
          `Standby {{ $labels.pod }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} behind the primary (bound ${DATA_SAFETY.replicationLagSeconds}s): a failover now would lose what it has not replayed. ` +
          `Check the standby's volume and CPU, and the flow postgres-to-postgres-postgres; \`kubectl -n ${literalNamespace} get cluster postgres\` shows the replication state.`,
      },
    },
  ];
}

/**
 * The store backup jobs' alerts (kube-state-metrics): a job whose last success is older than
 * its schedule's longest gap plus the grace (or that never succeeded since it was created that
 * long ago), and a run that failed (its retries spent) with no success of the same run.
 */
function storeBackupRules(input: AlertRulesInput, critical: Readonly<Record<string, string>>): AlertRule[] {
  if (input.storeBackups.length === 0) return [];
  const serverName = goTemplateLiteral(input.serverName);
  const { cronJobLastSuccess, cronJobCreated, jobFailed, jobSucceeded } = ALERT_METRICS;
  const tooOld = input.storeBackups.map((watch) => {
    const cronJob = selector({ namespace: watch.namespace, cronjob: watch.cronJob });
    const maxAge = watch.intervalSeconds + DATA_SAFETY.backupGraceSeconds;
    return (
      `(time() - max by (namespace, cronjob) (${cronJobLastSuccess.metric}${cronJob}) > ${maxAge})` +
      ` or (time() - max by (namespace, cronjob) (${cronJobCreated.metric}${cronJob}) > ${maxAge} unless on (namespace, cronjob) ${cronJobLastSuccess.metric}${cronJob})`
    );
  });
  const failing = input.storeBackups.map((watch) => {
    const jobs = selector({ namespace: watch.namespace, job_name: `=~${escapeRegex(watch.cronJob)}-[0-9]+` });
    return `(max by (namespace, job_name) (${jobFailed.metric}${jobs}) > 0 unless on (namespace, job_name) max by (namespace, job_name) (${jobSucceeded.metric}${jobs}) > 0)`;
  });
  const limits = input.storeBackups
    .map(
      (watch) =>
        `${goTemplateLiteral(watch.cronJob)} in ${goTemplateLiteral(watch.namespace)}: ${formatSeconds(watch.intervalSeconds + DATA_SAFETY.backupGraceSeconds)}`,
    )
    .join(', ');
  return [
    {
      alert: 'MatrixStoreBackupTooOld',
      expr: tooOld.join(' or '),
      for: ALERT_HOLD.backupTooOld,
      labels: critical,
      annotations: {
        summary: `A store backup of ${serverName} is older than its schedule allows`,
        description:
          `The backup CronJob {{ $labels.cronjob }} in {{ $labels.namespace }} has not succeeded for {{ $value | humanizeDuration }}; the limits (the schedule's longest gap and ${formatSeconds(DATA_SAFETY.backupGraceSeconds)} of grace) are ${limits}. ` +
          "Look at `kubectl -n {{ $labels.namespace }} get cronjob,jobs` and the logs of the last job (containers export or snapshot, and upload): the object store's reachability (flow <job>-to-outside-backup), the keys (postgres-backup-s3, store-backup-encryption) and free space.",
      },
    },
    {
      alert: 'MatrixStoreBackupFailing',
      expr: failing.join(' or '),
      for: ALERT_HOLD.storeBackupFailing,
      labels: critical,
      annotations: {
        summary: `A store backup of ${serverName} failed`,
        description:
          'Job {{ $labels.job_name }} in {{ $labels.namespace }} failed and did not succeed on retry: this run left no backup. ' +
          'Look at `kubectl -n {{ $labels.namespace }} logs job/{{ $labels.job_name }} --all-containers` for the export or upload error.',
      },
    },
  ];
}

/** The groups as a Prometheus rule file (`groups:`), as Prometheus and promtool read it. */
export function renderRuleFile(groups: readonly RuleGroup[], header: string): string {
  return `# ${header}\n# Generated by matrix-sovereign-iac; do not edit.\n${stringify({ groups }, { lineWidth: 0 })}`;
}
