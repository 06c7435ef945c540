/**
 * The rendered alert rules as data: signals, labels, annotations and the monitoring objects of every
 * compartment. The real promtool checks and unit-tests them in monitoring-rules.ttest.ts
 * (npm run test:tools).
 */
import { SIGNAL_LABEL, SIGNALS } from '../../model/alert-signals';
import { scanJson } from '../../policies/secrets/secret-scan';
import { HOMESERVER_TARGET_LABEL, type RuleGroup } from '../../render/monitoring/alert-rules';
import { compartmentMonitoring, homeserverRuleGroups } from '../../render/monitoring/homeserver-monitoring';
import { defaultGroups, fleet, fleetGroups, rule, rulesOf } from './alert-rule-lookup';

describe('rendered alert rules', () => {
  it('cover every signal, each alert labelled with its signal, a severity and the homeserver', () => {
    expect([...new Set(rulesOf(defaultGroups).map((candidate) => candidate.labels[SIGNAL_LABEL]))].sort()).toEqual([...SIGNALS].sort());
    for (const candidate of rulesOf(defaultGroups)) {
      expect(['critical', 'warning']).toContain(candidate.labels.severity);
      expect(candidate.labels[HOMESERVER_TARGET_LABEL]).toBe('agency');
      expect(candidate.annotations.summary.length).toBeGreaterThan(10);
      expect(candidate.annotations.description).toMatch(/[Ll]ook at|Check/);
    }
  });

  it('take their thresholds from monitoring.alerts', () => {
    expect(rule(defaultGroups, 'MatrixMediaExfiltration').expr).toMatch(/ > 2147483648$/);
    expect(rule(fleetGroups, 'MatrixMediaExfiltration').expr).toMatch(/ > 5368709120$/);
    expect(rule(defaultGroups, 'MatrixUserDirectoryScraping').expr).toMatch(/ > 30$/);
    expect(rule(fleetGroups, 'MatrixUserDirectoryScraping').expr).toMatch(/ > 60$/);
    expect(rule(defaultGroups, 'MatrixProfileScraping').expr).toMatch(/ > 120$/);
    expect(rule(defaultGroups, 'MatrixCredentialStuffing').expr).toMatch(/ > 10$/);
  });

  it("watch the store backup jobs: the homeserver's directory and media volume, and the secret store with the first homeserver only", () => {
    const watched = (groups: RuleGroup[]) =>
      [...rule(groups, 'MatrixStoreBackupTooOld').expr.matchAll(/cronjob="([a-z-]+)"/g)].map((m) => m[1]);
    expect(new Set(watched(defaultGroups))).toEqual(new Set(['directory-backup', 'media-backup', 'secret-store-backup']));
    expect(rule(defaultGroups, 'MatrixStoreBackupTooOld').expr).toContain(' > 97200)');
    const regionGroups = homeserverRuleGroups(
      fleet,
      fleet.homeservers.find((homeserver) => homeserver.name === 'region')!,
    );
    expect(new Set(watched(regionGroups))).toEqual(new Set(['directory-backup']));
  });

  it('bound the backup age by the schedule: its longest gap (a day for a daily schedule) and the grace', () => {
    expect(rule(defaultGroups, 'MatrixPostgresBackupTooOld').expr).toMatch(/ > 97200$/);
    expect(rule(fleetGroups, 'MatrixPostgresBackupTooOld').expr).toMatch(/ > 97200$/);
  });

  it('watch every scrape target of the homeserver for absence (the federation sender and readers only where they run)', () => {
    expect(rule(defaultGroups, 'MatrixScrapeTargetAbsent').expr).toBe(
      'absent(up{namespace="agency-gateway", workload="haproxy"}) or absent(up{namespace="agency-homeserver", workload="synapse"}) or absent(up{namespace="agency-homeserver", workload="postgres"}) or absent(up{namespace="agency-media", workload="media-repository"}) or absent(up{namespace="agency-homeserver", workload="sync-workers"}) or absent(up{namespace="agency-homeserver", workload="client-readers"}) or absent(up{namespace="agency-homeserver", workload="event-persister-1"})',
    );
    expect(rule(fleetGroups, 'MatrixScrapeTargetAbsent').expr).toContain(
      ' or absent(up{namespace="agency-homeserver", workload="federation-sender"})',
    );
  });

  it('hold no secret-looking literal', () => {
    for (const homeserver of fleet.homeservers) {
      for (const compartment of ['gateway', 'homeserver'] as const)
        expect(scanJson(compartmentMonitoring(fleet, homeserver, compartment, {}))).toEqual([]);
    }
  });
});
