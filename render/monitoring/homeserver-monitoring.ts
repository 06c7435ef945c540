/**
 * Everything the site's Prometheus needs for one homeserver, per compartment: the PodMonitor
 * of each compartment with scrape targets, and the homeserver's PrometheusRule.
 *
 * The PrometheusRule lives in the gateway namespace: the gateway stack is applied last of a
 * homeserver's compartments (directory, homeserver, media, gateway), so the rule that checks
 * every scrape target goes live only once every PodMonitor exists (no false "absent" alerts
 * during a rollout), and the breach's two loudest signals, media leaving and logins refused,
 * are the gateway's own metrics.
 */
import { longestGapSeconds, parseCron, type CronForm } from '../../config/cron';
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { homeserverNamespace, type HomeserverCompartment } from '../../model/compartments';
import { scrapeTargets, type ScrapeTarget } from '../../model/monitoring';
import { homeserverStoreBackups, secretStoreBackup } from '../../model/store-backups';
import type { KubernetesObject } from '../manifests/kubernetes-object';
import { homeserverAlertGroups, type RuleGroup, type StoreBackupWatch } from './alert-rules';
import { podMonitor, prometheusRule } from './manifests';

export const RULE_COMPARTMENT: HomeserverCompartment = 'gateway';
export const PROMETHEUS_RULE_NAME = 'exfiltration-alerts';

/** The longest time between two runs of a validated schedule (it runs). */
function intervalSeconds(text: string, form: CronForm, field: string): number {
  const schedule = parseCron(text, form);
  const gap = typeof schedule === 'string' ? null : longestGapSeconds(schedule);
  if (gap === null) throw new Error(`${field} passed validation but never runs: ${text}`);
  return gap;
}

/** The longest time between two scheduled base backups. */
function backupIntervalSeconds(config: DeploymentConfig): number {
  return intervalSeconds(config.backup.postgres.schedule, 'seconds', 'backup.postgres.schedule');
}

/** The store backup jobs a homeserver's rule watches: its own, and the secret store's with the first homeserver (one alert per deployment). */
function storeBackupWatches(config: DeploymentConfig, homeserver: HomeserverSettings): StoreBackupWatch[] {
  const first = config.homeservers[0]?.name === homeserver.name;
  return [...homeserverStoreBackups(config, homeserver), ...(first ? [secretStoreBackup(config)] : [])].map((plan) => ({
    store: plan.store,
    namespace: plan.namespace,
    cronJob: plan.workload,
    intervalSeconds: intervalSeconds(plan.schedule, 'minutes', `the ${plan.store} backup schedule`),
  }));
}

export function homeserverRuleGroups(config: DeploymentConfig, homeserver: HomeserverSettings): RuleGroup[] {
  return homeserverAlertGroups({
    homeserverName: homeserver.name,
    serverName: homeserver.serverName,
    namespaces: {
      gateway: homeserverNamespace(homeserver.name, 'gateway'),
      homeserver: homeserverNamespace(homeserver.name, 'homeserver'),
      media: homeserverNamespace(homeserver.name, 'media'),
    },
    targets: scrapeTargets(homeserver).map((target) => ({
      namespace: homeserverNamespace(homeserver.name, target.compartment),
      workload: target.workload,
    })),
    thresholds: config.monitoring.alerts,
    backupIntervalSeconds: backupIntervalSeconds(config),
    storeBackups: storeBackupWatches(config, homeserver),
  });
}

/** The monitoring objects of one compartment (none where nothing is scraped and no rule lives). */
export function compartmentMonitoring(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  compartment: HomeserverCompartment,
  compartmentLabels: Readonly<Record<string, string>>,
): KubernetesObject[] {
  const namespace = homeserverNamespace(homeserver.name, compartment);
  const labels = { ...compartmentLabels, ...config.monitoring.resourceLabels };
  const targets = scrapeTargets(homeserver).filter((target) => target.compartment === compartment);
  const objects: KubernetesObject[] = [];
  // One PodMonitor per port and path: the compartment's first (`<compartment>-metrics`), then one per other exporter (e.g. PostgreSQL's).
  const groups = new Map<string, ScrapeTarget[]>();
  for (const target of targets)
    groups.set(`${target.port.name} ${target.path}`, [...(groups.get(`${target.port.name} ${target.path}`) ?? []), target]);
  [...groups.values()].forEach((group, index) => {
    const name = index === 0 ? `${compartment}-metrics` : `${compartment}-${group[0]?.workload ?? ''}-metrics`;
    objects.push(podMonitor({ name, namespace, homeserverName: homeserver.name, targets: group, labels }));
  });
  if (compartment === RULE_COMPARTMENT)
    objects.push(prometheusRule({ name: PROMETHEUS_RULE_NAME, namespace, groups: homeserverRuleGroups(config, homeserver), labels }));
  return objects;
}
