/**
 * Composes the whole deployment: the platform stack, then for each homeserver one stack
 * per compartment, in dependency order (a compartment is deployed after what it reaches:
 * directory, then homeserver, then media, then the gateway that exposes them).
 */
import type { App, TerraformStack } from 'cdktf';
import type { DeploymentConfig } from '../config/deployment-config';
import { HOMESERVER_COMPARTMENTS } from '../model/compartments';
import { CompartmentStack } from './compartment-stack';
import { PlatformStack } from './platform-stack';

export interface ComposedDeployment {
  readonly platform: PlatformStack;
  /** Per homeserver name, its compartment stacks in deployment order. */
  readonly homeservers: ReadonlyMap<string, readonly CompartmentStack[]>;
  readonly all: readonly TerraformStack[];
}

export function composeDeployment(app: App, config: DeploymentConfig): ComposedDeployment {
  const platform = new PlatformStack(app, config);
  const homeservers = new Map<string, CompartmentStack[]>();
  const all: TerraformStack[] = [platform];
  for (const homeserver of config.homeservers) {
    let previous: TerraformStack = platform;
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
