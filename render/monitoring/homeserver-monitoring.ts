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
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { homeserverNamespace, type HomeserverCompartment } from '../../model/compartments';
import { scrapeTargets } from '../../model/monitoring';
import type { KubernetesObject } from '../manifests/kubernetes-object';
import { homeserverAlertGroups, type RuleGroup } from './alert-rules';
import { podMonitor, prometheusRule } from './manifests';

export const RULE_COMPARTMENT: HomeserverCompartment = 'gateway';
export const PROMETHEUS_RULE_NAME = 'exfiltration-alerts';

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
  if (targets.length > 0)
    objects.push(podMonitor({ name: `${compartment}-metrics`, namespace, homeserverName: homeserver.name, targets, labels }));
  if (compartment === RULE_COMPARTMENT)
    objects.push(prometheusRule({ name: PROMETHEUS_RULE_NAME, namespace, groups: homeserverRuleGroups(config, homeserver), labels }));
  return objects;
}
