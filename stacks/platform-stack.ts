/**
 * The shared platform's first stack: one compartment (namespace with the full baseline)
 * per platform component, the network policies of the platform flow matrix, and the
 * operators whose custom resources the later stacks use: cert-manager with trust-manager,
 * External Secrets, and CloudNativePG with its barman-cloud plugin. Their CRDs must exist before any stack plans a manifest of them,
 * which is why issuers, stores and secrets live in the stacks that follow.
 */
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { ChartPin, DeploymentConfig } from '../config/deployment-config';
import { Compartment } from '../constructs/compartment';
import { disruptionBudget } from '../constructs/disruption-budget';
import { HardenedChart } from '../constructs/hardened-chart';
import { ServiceAccountAccess } from '../constructs/service-account-access';
import { PLATFORM_COMPONENTS, type PlatformComponent } from '../model/compartments';
import { flowMatrix } from '../model/flows';
import {
  PLATFORM_PODS,
  PLATFORM_SERVICES,
  platformFlowMatrix,
  platformNames,
  platformReplicas,
  RELEASES,
  type PlatformPod,
} from '../model/platform';
import { CLOUDNATIVE_PG_CLUSTER_RULES, CLOUDNATIVE_PG_NAMESPACE_RULES, CLOUDNATIVE_PG_SERVICE_ACCOUNT } from '../model/postgres-operator';
import { deriveLimitRange, deriveQuota, workloadQuota, type QuotaInput } from '../model/quotas';
import { scheduledJobQuota } from '../model/scheduled-job';
import { platformStackName as stackNameOf } from '../model/stack-names';
import { barmanCloudValues } from '../render/charts/barman-cloud-values';
import { certManagerValues } from '../render/charts/cert-manager-values';
import type { HelmValues } from '../render/charts/chart-values';
import { cloudnativePgValues } from '../render/charts/cloudnative-pg-values';
import { externalSecretsValues } from '../render/charts/external-secrets-values';
import { trustManagerValues } from '../render/charts/trust-manager-values';
import { configuratorWorkload } from '../workloads/platform-workloads';
import { secretStoreBackupJob } from '../workloads/store-backups';
import { configureEngine } from './engine-settings';
import { TemplateSafeStack } from './template-safe-stack';

export function platformStackName(config: DeploymentConfig): string {
  return stackNameOf(config.deploymentName, 'platform');
}

/** What runs in a platform namespace, for its quota: chart pods, OpenBao's volume, the configurator Job, the secret store's backup job. */
function quotaInputs(config: DeploymentConfig, component: PlatformComponent): QuotaInput[] {
  const pods: QuotaInput[] = PLATFORM_PODS.filter((pod: PlatformPod) => pod.component === component).map((pod) => {
    const counted = { ...pod, replicas: platformReplicas(pod, config.profile) };
    return pod.name === RELEASES.openbao ? { ...counted, storage: { sizeGi: config.platform.openbao.storageGi } } : counted;
  });
  return component === 'openbao'
    ? [...pods, workloadQuota(configuratorWorkload(config)), scheduledJobQuota(secretStoreBackupJob(config))]
    : pods;
}

export class PlatformStack extends TemplateSafeStack {
  readonly compartments: Readonly<Record<PlatformComponent, Compartment>>;

  constructor(scope: Construct, config: DeploymentConfig) {
    const name = platformStackName(config);
    super(scope, name);
    configureEngine(this, name, config, { helm: true });
    const names = platformNames(config.deploymentName);
    const flows = platformFlowMatrix(config);

    const compartments = {} as Record<PlatformComponent, Compartment>;
    for (const component of PLATFORM_COMPONENTS) {
      const inputs = quotaInputs(config, component);
      const compartment = new Compartment(this, component, {
        kind: 'platform',
        namespace: names.namespaces[component],
        deploymentName: config.deploymentName,
        owner: { platformComponent: component },
        kubernetes: config.kubernetes,
        quota: deriveQuota(inputs, { loadBalancers: 0, nodePorts: 0, services: PLATFORM_SERVICES[component] }),
        limitRange: deriveLimitRange(inputs),
        // Deleting OpenBao's namespace deletes its seal key and its data claim: every secret, for good.
        preventDestroy: component === 'openbao',
      });
      compartment.allow(flows);
      // The platform's side of each homeserver's flows that start here (the PostgreSQL operator polling its clusters).
      for (const homeserver of config.homeservers) compartment.allow(flowMatrix(config, homeserver), homeserver);
      compartments[component] = compartment;
    }
    this.compartments = compartments;

    const { charts } = config.platform;
    const install = (
      chart: string,
      release: string,
      component: PlatformComponent,
      pin: ChartPin,
      values: HelmValues,
      after: readonly ITerraformDependable[] = [],
    ) =>
      new HardenedChart(this, `chart-${chart}`, {
        chart,
        release,
        namespace: compartments[component].namespaceName,
        pin,
        allowedRepositories: charts.allowedRepositories,
        values,
        // Pods start inside their namespace's policies and quota.
        dependsOn: [...after, ...compartments[component].baseline],
      });
    const certManager = install('cert-manager', RELEASES.certManager, 'cert-manager', charts.certManager, certManagerValues(config));
    // trust-manager's webhook certificate is a cert-manager Certificate: cert-manager's CRDs first.
    install('trust-manager', RELEASES.trustManager, 'cert-manager', charts.trustManager, trustManagerValues(config), [certManager.release]);
    install('external-secrets', RELEASES.externalSecrets, 'external-secrets', charts.externalSecrets, externalSecretsValues(config));
    const postgresOperator = install(
      'cloudnative-pg',
      RELEASES.cloudnativePg,
      'postgres-operator',
      charts.cloudnativePg,
      cloudnativePgValues(config),
      this.postgresOperatorAccess(config),
    );
    this.disruptionBudgets(config);
    // The plugin's certificates are cert-manager Certificates. The operator puts a finalizer on the plugin's Service
    // and removes it when the Service goes: the plugin is uninstalled first, while the operator still runs.
    install('plugin-barman-cloud', RELEASES.barmanCloud, 'postgres-operator', charts.barmanCloud, barmanCloudValues(config), [
      certManager.release,
      postgresOperator.release,
    ]);
  }

  /**
   * A disruption budget for each chart pod that runs two or more replicas (the charts' own are
   * off, and two of the charts have none): a drain evicts one at a time, so a leader-elected
   * controller or a webhook always has a pod serving.
   */
  private disruptionBudgets(config: DeploymentConfig): void {
    for (const pod of PLATFORM_PODS) {
      if (platformReplicas(pod, config.profile) < 2) continue;
      const compartment = this.compartments[pod.component];
      disruptionBudget(this, `disruption-budget-${pod.name}`, {
        metadata: { name: pod.name, namespace: compartment.namespaceName, labels: compartment.labels },
        podLabels: pod.podLabels,
      });
    }
  }

  /**
   * CloudNativePG's RBAC, written here instead of by its chart: cluster-wide only what must be,
   * a Role in its own namespace (its cache always covers it: leader election, its webhook
   * certificate, the plugin's Service and Secrets). Its Role in each watched homeserver
   * namespace belongs to that compartment's stack.
   */
  private postgresOperatorAccess(config: DeploymentConfig): ITerraformDependable[] {
    const compartment = this.compartments['postgres-operator'];
    const serviceAccount = { name: CLOUDNATIVE_PG_SERVICE_ACCOUNT, namespace: compartment.name };
    const clusterAccess = new ServiceAccountAccess(this, 'cloudnative-pg-cluster-access', {
      name: `${config.deploymentName}-cloudnative-pg`,
      labels: compartment.labels,
      rules: CLOUDNATIVE_PG_CLUSTER_RULES,
      serviceAccount,
    });
    const ownAccess = new ServiceAccountAccess(this, 'cloudnative-pg-access', {
      name: RELEASES.cloudnativePg,
      namespace: compartment.namespaceName,
      labels: compartment.labels,
      rules: CLOUDNATIVE_PG_NAMESPACE_RULES,
      serviceAccount,
    });
    return [...clusterAccess.resources, ...ownAccess.resources];
  }
}
