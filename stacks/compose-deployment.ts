/**
 * Composes the whole deployment in dependency order: the platform (namespaces and
 * operators), the secret store (internal CA, OpenBao, its policies), secret generation,
 * then for each homeserver one stack per compartment (a compartment is deployed after what
 * it reaches: directory, then identity, then homeserver, then media, the client, then the gateway that exposes them).
 */
import { Aspects, type App, type TerraformStack } from 'cdktf';
import type { DeploymentConfig } from '../config/deployment-config';
import { homeserverCompartments } from '../model/compartments';
import { flowMatrix } from '../model/flows';
import { PolicyPack } from '../policies/policy-pack';
import type { AuditContext, Rule } from '../policies/rule';
import { ALL_RULES } from '../policies/rules';
import { siteFactsOf } from '../policies/site-facts';
import { CompartmentStack } from './compartment-stack';
import { PlatformStack } from './platform-stack';
import { SecretGenerationStack } from './secret-generation-stack';
import { SecretStoreStack } from './secret-store-stack';
import { NoConstructDependencies } from './written-dependencies';

export interface ComposedDeployment {
  readonly platform: readonly TerraformStack[];
  /** Per homeserver name, its compartment stacks in deployment order. */
  readonly homeservers: ReadonlyMap<string, readonly CompartmentStack[]>;
  readonly all: readonly TerraformStack[];
  /** The policy pack attached to each stack, in the order of `all`. */
  readonly packs: readonly PolicyPack[];
}

/** `now` fixes the date suppressions are judged against (tests); default: the synthesis time. */
export function composeDeployment(
  app: App,
  config: DeploymentConfig,
  audit: Omit<AuditContext, 'facts'> = {},
  rules: readonly Rule[] = ALL_RULES,
): ComposedDeployment {
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
    // An external directory means no directory compartment at all (nothing to run or protect here), and no web client, no client compartment.
    const compartments = homeserverCompartments(homeserver);
    // Derived once per homeserver; each compartment allows its own side of it.
    const flows = flowMatrix(config, homeserver);
    for (const compartment of compartments) {
      const stack = new CompartmentStack(app, { config, homeserver, compartment, flows });
      stack.addDependency(previous);
      stacks.push(stack);
      previous = stack;
    }
    homeservers.set(homeserver.name, stacks);
    all.push(...stacks);
  }
  const facts = siteFactsOf(config);
  const packs = all.map((stack) => {
    stack.node.addValidation(new NoConstructDependencies(stack));
    const pack = new PolicyPack(stack, { ...audit, facts }, rules);
    Aspects.of(stack).add(pack);
    return pack;
  });
  return { platform, homeservers, all, packs };
}
