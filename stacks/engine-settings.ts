/**
 * What every stack writes about its engine: the provider with full source address and
 * exact version, and where its (secret-free) state lives. One state per stack, so a
 * leaked state file describes one compartment only.
 */
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, PgBackend, TerraformStack } from 'cdktf';
import type { DeploymentConfig } from '../config/deployment-config';
import { stateSchemaName } from '../model/stack-names';

/**
 * Full source addresses so OpenTofu (the intended engine) resolves the providers
 * unambiguously, pinned to the exact versions the prebuilt bindings were generated for.
 */
export const PROVIDER_PINS = {
  kubernetes: { source: 'registry.opentofu.org/hashicorp/kubernetes', version: '2.38.0' },
  helm: { source: 'registry.opentofu.org/hashicorp/helm', version: '3.1.1' },
} as const;

export interface EngineOptions {
  /**
   * Stacks that install third-party charts also configure the Helm provider.
   * @default false
   */
  readonly helm?: boolean;
}

/**
 * cdktf runs the engine in `cdktf.out/stacks/<stack>/`, which is rewritten by every synth;
 * local state therefore lives in the project directory, three levels up.
 */
export function localStatePath(directory: string, stackName: string): string {
  return `../../../${directory}/${stackName}.tfstate`;
}

export function configureEngine(stack: TerraformStack, stackName: string, config: DeploymentConfig, options: EngineOptions = {}): void {
  const cluster = {
    ...(config.kubernetes.configPath ? { configPath: config.kubernetes.configPath } : {}),
    ...(config.kubernetes.context ? { configContext: config.kubernetes.context } : {}),
    insecure: false,
  };
  new KubernetesProvider(stack, 'kubernetes', cluster);
  stack.addOverride('terraform.required_providers.kubernetes', { ...PROVIDER_PINS.kubernetes });
  if (options.helm) {
    // Release history in Secrets of the release namespace (Helm's default driver, written out).
    new HelmProvider(stack, 'helm', { kubernetes: cluster, helmDriver: 'secret', debug: false, experiments: { manifest: false } });
    stack.addOverride('terraform.required_providers.helm', { ...PROVIDER_PINS.helm });
  }

  if (config.state.backend === 'local') {
    new LocalBackend(stack, { path: localStatePath(config.state.directory, stackName) });
    return;
  }
  // The connection string carries a password: leave it out so the engine reads PG_CONN_STR.
  new PgBackend(stack, { connStr: '', schemaName: stateSchemaName(config.state.schemaPrefix, stackName) });
  stack.addOverride('terraform.backend.pg.conn_str', undefined);
}
