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
import { compartmentStackName, platformStackName } from '../model/stack-names';
import type { AuditResult } from '../policies/audit';
import { PolicyPack } from '../policies/policy-pack';
import type { AuditContext, Rule } from '../policies/rule';
import { ALL_RULES } from '../policies/rules';
import { siteFactsOf } from '../policies/site-facts';
import { NoConstructDependencies } from './written-dependencies';

type StackClasses = typeof import('./stack-classes');

/** The stack classes, loaded by the first stack built (their constructs and provider bindings are most of the app's code). */
function stackClasses(): StackClasses {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load them when every stack is reused
  return require('./stack-classes') as StackClasses;
}

export interface ComposedDeployment {
  readonly all: readonly TerraformStack[];
  /** The policy pack attached to each stack, in the order of `all`. */
  readonly packs: readonly PolicyPack[];
}

/** Where each stack comes from: built here, or an identical earlier build (stacks/stack-cache.ts). */
export interface StackSource {
  /** The stack named `name`: `build` run on the config it is handed, or a stand-in for it. */
  stack(name: string, build: (config: DeploymentConfig) => TerraformStack): TerraformStack;
  /** For a stand-in, the audit of its JSON by these rules in this context, when one was kept. */
  earlierAudit?(name: string, context: AuditContext, rules: readonly Rule[]): AuditResult | undefined;
}

/** Every stack built from `config` itself. */
export function buildingFrom(config: DeploymentConfig): StackSource {
  return { stack: (_name, build) => build(config) };
}

/** `now` fixes the date suppressions are judged against (tests); default: the synthesis time. */
export function composeDeployment(
  app: App,
  config: DeploymentConfig,
  audit: Omit<AuditContext, 'facts'> = {},
  rules: readonly Rule[] = ALL_RULES,
  source: StackSource = buildingFrom(config),
): ComposedDeployment {
  const { deploymentName } = config;
  const operators = source.stack(platformStackName(deploymentName, 'platform'), (built) => new (stackClasses().PlatformStack)(app, built));
  const secretStore = source.stack(
    platformStackName(deploymentName, 'secret-store'),
    (built) => new (stackClasses().SecretStoreStack)(app, built),
  );
  secretStore.addDependency(operators);
  const generation = source.stack(
    platformStackName(deploymentName, 'secret-generation'),
    (built) => new (stackClasses().SecretGenerationStack)(app, built),
  );
  generation.addDependency(secretStore);

  const all: TerraformStack[] = [operators, secretStore, generation];
  config.homeservers.forEach((homeserver, index) => {
    let previous: TerraformStack = generation;
    // An external directory means no directory compartment at all (nothing to run or protect here), and no web client, no client compartment.
    for (const compartment of homeserverCompartments(homeserver)) {
      const stack = source.stack(compartmentStackName(homeserver.name, compartment), (built) => {
        // The homeserver as the build reads it (through the config it is handed).
        const settings = built.homeservers[index];
        if (settings === undefined) throw new Error(`no homeserver ${homeserver.name} in the config handed to its stacks`);
        // Each compartment allows its own side of the homeserver's flow matrix.
        return new (stackClasses().CompartmentStack)(app, {
          config: built,
          homeserver: settings,
          compartment,
          flows: flowMatrix(built, settings),
        });
      });
      stack.addDependency(previous);
      all.push(stack);
      previous = stack;
    }
  });
  const context = { ...audit, facts: siteFactsOf(config) };
  const packs = all.map((stack) => {
    stack.node.addValidation(new NoConstructDependencies(stack));
    const pack = new PolicyPack(stack, context, rules, source.earlierAudit?.(stack.node.id, context, rules));
    Aspects.of(stack).add(pack);
    return pack;
  });
  return { all, packs };
}
