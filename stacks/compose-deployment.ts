/**
 * Composes the whole deployment in dependency order: the platform (namespaces and
 * operators), the secret store (internal CA, OpenBao, its policies), secret generation,
 * then for each homeserver one stack per compartment (a compartment is deployed after what
 * it reaches: directory, then homeserver, then media, then the gateway that exposes them).
 */
import type { App, TerraformStack } from 'cdktf';
import type { DeploymentConfig } from '../config/deployment-config';
import { HOMESERVER_COMPARTMENTS } from '../model/compartments';
import { CompartmentStack } from './compartment-stack';
import { PlatformStack } from './platform-stack';
import { SecretGenerationStack } from './secret-generation-stack';
import { SecretStoreStack } from './secret-store-stack';

export interface ComposedDeployment {
  readonly platform: readonly TerraformStack[];
  /** Per homeserver name, its compartment stacks in deployment order. */
  readonly homeservers: ReadonlyMap<string, readonly CompartmentStack[]>;
  readonly all: readonly TerraformStack[];
}

export function composeDeployment(app: App, config: DeploymentConfig): ComposedDeployment {
  const operators = new PlatformStack(app, config);
  const secretStore = new SecretStoreStack(app, config);
  secretStore.addDependency(operators);
  const generation = new SecretGenerationStack(app, config);
  generation.addDependency(secretStore);
  const platform = [operators, secretStore, generation];

  const homeservers = new Map<string, CompartmentStack[]>();
  const all: TerraformStack[] = [...platform];
  for (const homeserver of config.homeservers) {
    let previous: TerraformStack = generation;
    const stacks: CompartmentStack[] = [];
    // An external directory means no directory compartment at all (nothing to run or protect here).
    const compartments = HOMESERVER_COMPARTMENTS.filter((compartment) => compartment !== 'directory' || homeserver.directory.mode === 'in-cluster');
    for (const compartment of compartments) {
      const stack = new CompartmentStack(app, { config, homeserver, compartment });
      stack.addDependency(previous);
      stacks.push(stack);
      previous = stack;
    }
    homeservers.set(homeserver.name, stacks);
    all.push(...stacks);
  }
  return { platform, homeservers, all };
}
