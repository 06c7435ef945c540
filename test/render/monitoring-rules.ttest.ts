/**
 * The alert rules checked by the real promtool (Prometheus 3.16, built from its Go module):
 * `promtool check rules` on the rendered groups of every homeserver, and `promtool test rules`
 * unit tests with synthetic series proving each alert fires above its threshold (with the
 * labels and annotations an operator sees) and stays silent below it or on other traffic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ALERT_METRICS, renderRuleFile, type AlertRule, type RuleGroup } from '../../render/monitoring/alert-rules';
import { homeserverRuleGroups } from '../../render/monitoring/homeserver-monitoring';
import { promtool } from '../support/promtool';
import { tempDirectory } from '../support/slapd';
import { closed, defaultGroups, fleet, fleetGroups, rule, rulesOf } from './alert-rule-lookup';

// The first run on a machine builds promtool from the Go module proxy (minutes).
jest.setTimeout(30 * 60_000);

const directory = tempDirectory('promtool-');
function writeRules(file: string, groups: readonly RuleGroup[]): string {
  const full = path.join(directory, file);
  fs.writeFileSync(full, renderRuleFile(groups, file));
  return full;
}
writeRules('default-rules.yaml', defaultGroups);
writeRules('fleet-agency-rules.yaml', fleetGroups);

describe('promtool check rules', () => {
  it.each([
    ...closed.homeservers.map((homeserver) => ['default', homeserver.name, homeserverRuleGroups(closed, homeserver)] as const),
    ...fleet.homeservers.map((homeserver) => ['fleet', homeserver.name, homeserverRuleGroups(fleet, homeserver)] as const),
  ])('accepts the rules of %s/%s', (deployment, name, groups) => {
    const file = writeRules(`check-${deployment}-${name}.yaml`, groups);
    const result = promtool(['check', 'rules', file]);
    expect(result.output).toContain(`SUCCESS: ${rulesOf(groups).length} rules found`);
    expect(result.status).toBe(0);
  });

  it('the check can fail: a broken expression is refused', () => {
    const broken = [
      { ...defaultGroups[0]!, rules: [{ ...defaultGroups[0]!.rules[0]!, expr: 'sum(rate(haproxy_backend_bytes_out_total[1h]) >' }] },
    ];
    const result = promtool(['check', 'rules', writeRules('broken.yaml', broken)]);
    expect(result.status).not.toBe(0);
  });
});

/** Labels every alert of the default homeserver carries. */
function alertLabels(alert: AlertRule, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...alert.labels };
}

/** The annotations as Prometheus expands them, for the value and labels the case produces. */
function expanded(alert: AlertRule, value: string, labels: Record<string, string> = {}): Record<string, string> {
  const expand = (text: string) =>
    text
      .replace(/\{\{ \$value \| humanize(1024|Duration)? \}\}/g, value)
      .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_match, name: string) => labels[name] ?? '');
  return { summary: expand(alert.annotations.summary), description: expand(alert.annotations.description) };
}

function series(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ')}}`;
}

const MiB = 1024 ** 2;
const gateway = { namespace: 'agency-gateway', workload: 'haproxy', homeserver: 'agency' };
const homeserverPod = {
  namespace: 'agency-homeserver',
  workload: 'synapse',
  homeserver: 'agency',
  pod: 'synapse-0',
  server_name: 'matrix.agency.example.org',
};
const mediaPod = { namespace: 'agency-media', workload: 'media-repository', homeserver: 'agency', pod: 'media-repository-0' };
const postgresPod = { namespace: 'agency-homeserver', workload: 'postgres', homeserver: 'agency', pod: 'postgres-1' };
/** One pod of each worker pool and the event persister (the default config runs them). */
const workerPods = ['sync-workers', 'client-readers', 'event-persister-1'].map((workload) => ({
  namespace: 'agency-homeserver',
  workload,
  homeserver: 'agency',
  pod: `${workload}-0`,
}));
const standbyPod = { ...postgresPod, pod: 'postgres-2' };
const bytesOut = (labels: Record<string, string>, perMinute: number, minutes = 90) => ({
  series: series('haproxy_backend_bytes_out_total', labels),
  values: `0+${perMinute}x${minutes}`,
});
const requests = (servlet: string, method: string, perMinute: number) => ({
  series: series('synapse_http_server_requests_received_total', { ...homeserverPod, servlet, method }),
  values: `0+${perMinute}x30`,
});
const loginResponses = (labels: Record<string, string>, perMinute: number) => ({
  series: series('haproxy_backend_http_responses_total', { ...gateway, pod: 'haproxy-a', ...labels }),
  values: `0+${perMinute}x30`,
});

interface UnitCase {
  readonly name: string;
  readonly rules: 'default-rules.yaml' | 'fleet-agency-rules.yaml';
  readonly inputSeries: readonly { series: string; values: string }[];
  readonly evalTime: string;
  readonly alertname: string;
  /** Empty: the alert must stay silent. */
  readonly expAlerts: readonly { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}

const media = rule(defaultGroups, 'MatrixMediaExfiltration');
const userDirectory = rule(defaultGroups, 'MatrixUserDirectoryScraping');
const profiles = rule(defaultGroups, 'MatrixProfileScraping');
const stuffing = rule(defaultGroups, 'MatrixCredentialStuffing');
const down = rule(defaultGroups, 'MatrixScrapeTargetDown');
const absent = rule(defaultGroups, 'MatrixScrapeTargetAbsent');
const absentLabels = { namespace: 'agency-gateway', workload: 'haproxy' };
const backupTooOld = rule(defaultGroups, 'MatrixPostgresBackupTooOld');
const walArchiving = rule(defaultGroups, 'MatrixPostgresWalArchivingFailing');
const replicationLag = rule(defaultGroups, 'MatrixPostgresReplicationLag');
const storeTooOld = rule(defaultGroups, 'MatrixStoreBackupTooOld');
const storeFailing = rule(defaultGroups, 'MatrixStoreBackupFailing');
/** kube-state-metrics' series of the directory backup CronJob and one of its jobs. */
const directoryCronJob = { namespace: 'agency-directory', cronjob: 'directory-backup' };
const directoryRun = { namespace: 'agency-directory', job_name: 'directory-backup-29412345' };
/** 28 hours of one-minute samples: a day's schedule plus the grace, and the hold. */
const DAY_AND_MORE = 28 * 60;
const downLabels = { ...gateway, pod: 'haproxy-a' };

const CASES: readonly UnitCase[] = [
  {
    // Two gateway pods, 20 MiB/min each: 2400 MiB in an hour, above 2 GiB.
    name: 'media-exfiltration fires above 2GiB/h',
    rules: 'default-rules.yaml',
    inputSeries: [
      bytesOut({ ...gateway, pod: 'haproxy-a', proxy: 'media' }, 20 * MiB),
      bytesOut({ ...gateway, pod: 'haproxy-b', proxy: 'media' }, 20 * MiB),
    ],
    evalTime: '70m',
    alertname: media.alert,
    expAlerts: [{ exp_labels: alertLabels(media), exp_annotations: expanded(media, '2.344Gi') }],
  },
  {
    name: 'media-exfiltration is silent below 2GiB/h',
    rules: 'default-rules.yaml',
    inputSeries: [
      bytesOut({ ...gateway, pod: 'haproxy-a', proxy: 'media' }, 10 * MiB),
      bytesOut({ ...gateway, pod: 'haproxy-b', proxy: 'media' }, 10 * MiB),
    ],
    evalTime: '70m',
    alertname: media.alert,
    expAlerts: [],
  },
  {
    name: 'media-exfiltration ignores other backends and other homeservers',
    rules: 'default-rules.yaml',
    inputSeries: [
      bytesOut({ ...gateway, pod: 'haproxy-a', proxy: 'synapse' }, 100 * MiB),
      bytesOut({ ...gateway, namespace: 'ministry-gateway', pod: 'haproxy-a', proxy: 'media' }, 100 * MiB),
    ],
    evalTime: '70m',
    alertname: media.alert,
    expAlerts: [],
  },
  {
    name: 'media-exfiltration follows the configured threshold (fleet: 5G, so 2.3GiB/h is silent)',
    rules: 'fleet-agency-rules.yaml',
    inputSeries: [
      bytesOut({ ...gateway, pod: 'haproxy-a', proxy: 'media' }, 20 * MiB),
      bytesOut({ ...gateway, pod: 'haproxy-b', proxy: 'media' }, 20 * MiB),
    ],
    evalTime: '70m',
    alertname: media.alert,
    expAlerts: [],
  },
  {
    name: 'directory-scraping fires above 30 searches/min',
    rules: 'default-rules.yaml',
    inputSeries: [requests('UserDirectorySearchRestServlet', 'POST', 40)],
    evalTime: '15m',
    alertname: userDirectory.alert,
    expAlerts: [{ exp_labels: alertLabels(userDirectory), exp_annotations: expanded(userDirectory, '40') }],
  },
  {
    name: 'directory-scraping is silent below 30 searches/min',
    rules: 'default-rules.yaml',
    inputSeries: [requests('UserDirectorySearchRestServlet', 'POST', 20), requests('RoomSendEventRestServlet', 'PUT', 500)],
    evalTime: '15m',
    alertname: userDirectory.alert,
    expAlerts: [],
  },
  {
    name: 'profile scraping fires above 120 lookups/min (both profile servlets)',
    rules: 'default-rules.yaml',
    inputSeries: [requests('ProfileRestServlet', 'GET', 100), requests('ProfileFieldRestServlet', 'GET', 50)],
    evalTime: '15m',
    alertname: profiles.alert,
    expAlerts: [{ exp_labels: alertLabels(profiles), exp_annotations: expanded(profiles, '150') }],
  },
  {
    name: 'profile scraping is silent below 120 lookups/min, profile updates not counted',
    rules: 'default-rules.yaml',
    inputSeries: [
      requests('ProfileRestServlet', 'GET', 60),
      requests('ProfileFieldRestServlet', 'GET', 50),
      requests('ProfileFieldRestServlet', 'PUT', 500),
    ],
    evalTime: '15m',
    alertname: profiles.alert,
    expAlerts: [],
  },
  {
    name: 'credential-stuffing fires above 10 refused logins/min',
    rules: 'default-rules.yaml',
    inputSeries: [loginResponses({ proxy: 'login', code: '4xx' }, 15)],
    evalTime: '10m',
    alertname: stuffing.alert,
    expAlerts: [{ exp_labels: alertLabels(stuffing), exp_annotations: expanded(stuffing, '15') }],
  },
  {
    name: 'credential-stuffing is silent below 10 refused logins/min, successful logins and other 4xx not counted',
    rules: 'default-rules.yaml',
    inputSeries: [
      loginResponses({ proxy: 'login', code: '4xx' }, 5),
      loginResponses({ proxy: 'login', code: '2xx' }, 1000),
      loginResponses({ proxy: 'synapse', code: '4xx' }, 1000),
    ],
    evalTime: '10m',
    alertname: stuffing.alert,
    expAlerts: [],
  },
  {
    name: 'monitoring-gap fires when a target fails its scrapes',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series('up', downLabels), values: '1 1 0x10' }],
    evalTime: '10m',
    alertname: down.alert,
    expAlerts: [{ exp_labels: alertLabels(down, downLabels), exp_annotations: expanded(down, '0', downLabels) }],
  },
  {
    name: 'monitoring-gap is silent while targets answer',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series('up', downLabels), values: '1x12' }],
    evalTime: '10m',
    alertname: down.alert,
    expAlerts: [],
  },
  {
    name: 'monitoring-gap fires when a target is not scraped at all (the gateway here)',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series('up', { ...homeserverPod }), values: '1x20' },
      { series: series('up', { ...postgresPod }), values: '1x20' },
      { series: series('up', { ...mediaPod }), values: '1x20' },
      ...workerPods.map((pod) => ({ series: series('up', pod), values: '1x20' })),
    ],
    evalTime: '15m',
    alertname: absent.alert,
    expAlerts: [{ exp_labels: alertLabels(absent, absentLabels), exp_annotations: expanded(absent, '1', absentLabels) }],
  },
  {
    name: 'monitoring-gap reports no absence while every target is scraped',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series('up', downLabels), values: '1x20' },
      { series: series('up', { ...homeserverPod }), values: '1x20' },
      { series: series('up', { ...postgresPod }), values: '1x20' },
      { series: series('up', { ...mediaPod }), values: '1x20' },
      ...workerPods.map((pod) => ({ series: series('up', pod), values: '1x20' })),
    ],
    evalTime: '15m',
    alertname: absent.alert,
    expAlerts: [],
  },
  {
    // No backup since the start (the plugin reports 0): after a day and the grace, it fires.
    name: 'data-safety fires when the last backup is older than the schedule allows (daily + 3h)',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series(ALERT_METRICS.lastBackup.metric, postgresPod), values: `0x${DAY_AND_MORE}` }],
    evalTime: '28h',
    alertname: backupTooOld.alert,
    expAlerts: [{ exp_labels: alertLabels(backupTooOld), exp_annotations: expanded(backupTooOld, '1d 4h 0m 0s') }],
  },
  {
    name: 'data-safety is silent while backups are recent',
    rules: 'default-rules.yaml',
    // The timestamp keeps up with the clock: a backup a minute.
    inputSeries: [{ series: series(ALERT_METRICS.lastBackup.metric, postgresPod), values: `0+60x${DAY_AND_MORE}` }],
    evalTime: '28h',
    alertname: backupTooOld.alert,
    expAlerts: [],
  },
  {
    name: 'data-safety is silent within the schedule and its grace (26h old)',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series(ALERT_METRICS.lastBackup.metric, postgresPod), values: `7200x${DAY_AND_MORE}` }],
    evalTime: '28h',
    alertname: backupTooOld.alert,
    expAlerts: [],
  },
  {
    name: 'data-safety fires when WAL archiving keeps failing',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.archiverFailed.metric, postgresPod), values: '0+1x30' },
      { series: series(ALERT_METRICS.archiverLastFailed.metric, postgresPod), values: '0+60x30' },
      { series: series(ALERT_METRICS.archiverLastArchived.metric, postgresPod), values: '0x30' },
    ],
    evalTime: '15m',
    alertname: walArchiving.alert,
    expAlerts: [{ exp_labels: alertLabels(walArchiving, postgresPod), exp_annotations: expanded(walArchiving, '', postgresPod) }],
  },
  {
    name: 'data-safety is silent once archiving succeeds again after failures',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.archiverFailed.metric, postgresPod), values: '0+1x30' },
      { series: series(ALERT_METRICS.archiverLastFailed.metric, postgresPod), values: '0x30' },
      { series: series(ALERT_METRICS.archiverLastArchived.metric, postgresPod), values: '0+60x30' },
    ],
    evalTime: '15m',
    alertname: walArchiving.alert,
    expAlerts: [],
  },
  {
    name: 'data-safety fires when a standby lags more than 30s',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.replicationLag.metric, postgresPod), values: '0x30' },
      { series: series(ALERT_METRICS.replicationLag.metric, standbyPod), values: '60x30' },
    ],
    evalTime: '15m',
    alertname: replicationLag.alert,
    expAlerts: [
      {
        exp_labels: alertLabels(replicationLag, { namespace: standbyPod.namespace, pod: standbyPod.pod }),
        exp_annotations: expanded(replicationLag, '1m 0s', standbyPod),
      },
    ],
  },
  {
    // Last success at time 0; the schedule is daily (30 2 * * *), so a day and 3h of grace later it fires.
    name: 'data-safety fires when a store backup has not succeeded for longer than its schedule allows',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.cronJobLastSuccess.metric, directoryCronJob), values: `0x${DAY_AND_MORE}` },
      { series: series(ALERT_METRICS.cronJobCreated.metric, directoryCronJob), values: `0x${DAY_AND_MORE}` },
    ],
    evalTime: '28h',
    alertname: storeTooOld.alert,
    expAlerts: [
      { exp_labels: alertLabels(storeTooOld, directoryCronJob), exp_annotations: expanded(storeTooOld, '1d 4h 0m 0s', directoryCronJob) },
    ],
  },
  {
    name: 'data-safety fires when a store backup never succeeded since its CronJob was created',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series(ALERT_METRICS.cronJobCreated.metric, directoryCronJob), values: `0x${DAY_AND_MORE}` }],
    evalTime: '28h',
    alertname: storeTooOld.alert,
    expAlerts: [
      { exp_labels: alertLabels(storeTooOld, directoryCronJob), exp_annotations: expanded(storeTooOld, '1d 4h 0m 0s', directoryCronJob) },
    ],
  },
  {
    name: 'data-safety is silent while store backups succeed on schedule',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.cronJobLastSuccess.metric, directoryCronJob), values: `0+60x${DAY_AND_MORE}` },
      { series: series(ALERT_METRICS.cronJobCreated.metric, directoryCronJob), values: `0x${DAY_AND_MORE}` },
    ],
    evalTime: '28h',
    alertname: storeTooOld.alert,
    expAlerts: [],
  },
  {
    name: 'data-safety fires when a store backup run failed',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.jobFailed.metric, directoryRun), values: '0 1 2 3x20' },
      { series: series(ALERT_METRICS.jobSucceeded.metric, directoryRun), values: '0x23' },
    ],
    evalTime: '15m',
    alertname: storeFailing.alert,
    expAlerts: [{ exp_labels: alertLabels(storeFailing, directoryRun), exp_annotations: expanded(storeFailing, '3', directoryRun) }],
  },
  {
    name: 'data-safety is silent when a store backup run succeeded on retry',
    rules: 'default-rules.yaml',
    inputSeries: [
      { series: series(ALERT_METRICS.jobFailed.metric, directoryRun), values: '0 1x22' },
      { series: series(ALERT_METRICS.jobSucceeded.metric, directoryRun), values: '0 0 1x21' },
    ],
    evalTime: '15m',
    alertname: storeFailing.alert,
    expAlerts: [],
  },
  {
    name: 'data-safety is silent while standbys keep up',
    rules: 'default-rules.yaml',
    inputSeries: [{ series: series(ALERT_METRICS.replicationLag.metric, standbyPod), values: '5x30' }],
    evalTime: '15m',
    alertname: replicationLag.alert,
    expAlerts: [],
  },
];

describe('promtool test rules: each alert fires above its threshold and stays silent below', () => {
  const file = path.join(directory, 'alerts.test.yaml');
  fs.writeFileSync(
    file,
    stringify(
      {
        rule_files: ['default-rules.yaml'],
        evaluation_interval: '1m',
        tests: CASES.filter((unit) => unit.rules === 'default-rules.yaml').map((unit) => ({
          name: unit.name,
          interval: '1m',
          input_series: unit.inputSeries,
          alert_rule_test: [{ eval_time: unit.evalTime, alertname: unit.alertname, exp_alerts: unit.expAlerts }],
        })),
      },
      { lineWidth: 0 },
    ),
  );
  const fleetFile = path.join(directory, 'fleet-alerts.test.yaml');
  fs.writeFileSync(
    fleetFile,
    stringify(
      {
        rule_files: ['fleet-agency-rules.yaml'],
        evaluation_interval: '1m',
        tests: CASES.filter((unit) => unit.rules === 'fleet-agency-rules.yaml').map((unit) => ({
          name: unit.name,
          interval: '1m',
          input_series: unit.inputSeries,
          alert_rule_test: [{ eval_time: unit.evalTime, alertname: unit.alertname, exp_alerts: unit.expAlerts }],
        })),
      },
      { lineWidth: 0 },
    ),
  );

  it.each(CASES.map((unit) => [unit.name, unit] as const))('%s', (_name, unit) => {
    const escaped = unit.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const result = promtool(['test', 'rules', '--run', `^${escaped}$`, unit.rules === 'default-rules.yaml' ? file : fleetFile], directory);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('the unit test can fail: an alert expected where the series stay below the threshold', () => {
    const failing = path.join(directory, 'failing.test.yaml');
    const below = CASES[1]!;
    fs.writeFileSync(
      failing,
      stringify({
        rule_files: ['default-rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: below.inputSeries,
            alert_rule_test: [{ eval_time: below.evalTime, alertname: below.alertname, exp_alerts: CASES[0]!.expAlerts }],
          },
        ],
      }),
    );
    const result = promtool(['test', 'rules', failing], directory);
    expect(result.status).not.toBe(0);
  });
});
