/**
 * The shared platform's first stack: one compartment (namespace with the full baseline)
 * per platform component, the network policies of the platform flow matrix, and the
 * operators whose custom resources the later stacks use: cert-manager with trust-manager,
 * and External Secrets. Their CRDs must exist before any stack plans a manifest of them,
 * which is why issuers, stores and secrets live in the stacks that follow.
 */
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { ChartPin, DeploymentConfig } from '../config/deployment-config';
import { Compartment } from '../constructs/compartment';
import { HardenedChart } from '../constructs/hardened-chart';
import { PLATFORM_COMPONENTS, type PlatformComponent } from '../model/compartments';
import { PLATFORM_PODS, PLATFORM_SERVICES, platformFlowMatrix, platformNames, RELEASES, type PlatformPod } from '../model/platform';
import { deriveLimitRange, deriveQuota, type QuotaInput } from '../model/quotas';
import { platformStackName as stackNameOf } from '../model/stack-names';
import { certManagerValues } from '../render/charts/cert-manager-values';
import type { HelmValues } from '../render/charts/chart-values';
import { externalSecretsValues } from '../render/charts/external-secrets-values';
import { trustManagerValues } from '../render/charts/trust-manager-values';
import { configuratorWorkload } from '../workloads/platform-workloads';
import { configureEngine } from './engine-settings';
import { TemplateSafeStack } from './template-safe-stack';

export function platformStackName(config: DeploymentConfig): string {
  return stackNameOf(config.deploymentName, 'platform');
}

/** What runs in a platform namespace, for its quota: chart pods, OpenBao's volume, the configurator Job. */
function quotaInputs(config: DeploymentConfig, component: PlatformComponent): QuotaInput[] {
  const pods: QuotaInput[] = PLATFORM_PODS.filter((pod: PlatformPod) => pod.component === component).map((pod) =>
    pod.name === RELEASES.openbao ? { ...pod, storage: { sizeGi: config.platform.openbao.storageGi } } : pod,
  );
  return component === 'openbao' ? [...pods, configuratorWorkload(config)] : pods;
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
  }
}
