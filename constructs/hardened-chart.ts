/**
 * A third-party chart installed the way a reviewer can trust: an exact version from an
 * allowlisted repository, values written out in full (secret-free YAML, visible in the
 * synthesized plan), every engine option explicit, and no way to pass a secret through
 * Terraform (`set_sensitive`/`set_wo` are never used; SEC-01 fails any that appear).
 */
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { ChartPin } from '../config/deployment-config';
import { renderValues, type HelmValues } from '../render/charts/chart-values';

export interface HardenedChartProps {
  readonly chart: string;
  readonly release: string;
  readonly namespace: string;
  readonly pin: ChartPin;
  readonly allowedRepositories: readonly string[];
  readonly values: HelmValues;
  /**
   * What must exist first (namespaces, certificates, secrets the chart's pods mount).
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Minutes to wait for the pods to become ready.
   * @default 10
   */
  readonly timeoutMinutes?: number;
}

const DEFAULT_TIMEOUT_MINUTES = 10;

export class HardenedChart extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: HardenedChartProps) {
    super(scope, id);
    if (!props.allowedRepositories.includes(props.pin.repository)) {
      throw new Error(
        `chart "${props.chart}": repository "${props.pin.repository}" is not allowlisted (${props.allowedRepositories.join(', ')})`,
      );
    }
    const oci = props.pin.repository.startsWith('oci://');
    this.release = new Release(this, 'release', {
      name: props.release,
      namespace: props.namespace,
      // OCI repositories name the chart in the URL; HTTPS repositories by name next to it.
      repository: oci ? undefined : props.pin.repository,
      chart: oci ? `${props.pin.repository.replace(/\/$/, '')}/${props.chart}` : props.chart,
      version: props.pin.version,
      values: [renderValues(props.chart, props.values)],
      // The namespace is a compartment managed with its baseline; Helm must not create a bare one.
      createNamespace: false,
      devel: false,
      dependencyUpdate: false,
      skipCrds: false,
      disableCrdHooks: false,
      disableWebhooks: false,
      disableOpenapiValidation: false,
      // A failed install or upgrade is rolled back, never left half applied.
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      waitForJobs: true,
      timeout: (props.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60,
      forceUpdate: false,
      recreatePods: false,
      replace: false,
      resetValues: true,
      reuseValues: false,
      takeOwnership: false,
      upgradeInstall: false,
      lint: true,
      passCredentials: false,
      renderSubchartNotes: false,
      maxHistory: 10,
      verify: false,
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}
