/**
 * In-cluster generation of every generated secret value: in the secret-generation namespace
 * (no pods), one Password generator per length and, for each generated value of each
 * homeserver, a PushSecret that writes it into OpenBao only if it is not there yet. The
 * namespace's SecretStore authenticates with the generator role, which may write exactly
 * the generated paths and read nothing else.
 */
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/deployment-config';
import { Manifest } from '../constructs/manifest';
import { compartmentLabels } from '../model/compartments';
import { platformNames } from '../model/platform';
import { GENERATOR_ROLE, SECRET_WRITER_ACCOUNT } from '../model/secret-access';
import { platformStackName as stackNameOf } from '../model/stack-names';
import { secretRefreshInterval } from '../render/manifests/lifetimes';
import { generatedValuePush, passwordGenerator, secretStore, SECRET_STORE_NAME } from '../render/manifests/secret-delivery';
import { homeserverSecretDeclarations } from '../workloads/secrets';
import { configureEngine } from './engine-settings';
import { TemplateSafeStack } from './template-safe-stack';

export function secretGenerationStackName(config: DeploymentConfig): string {
  return stackNameOf(config.deploymentName, 'secret-generation');
}

/** Every generated value of the deployment: where it goes in OpenBao and how long it is. */
export interface GeneratedValueTarget {
  readonly homeserverName: string;
  readonly secretName: string;
  readonly value: string;
  readonly length: number;
}

export function generatedValues(config: DeploymentConfig): GeneratedValueTarget[] {
  return config.homeservers.flatMap((homeserver) =>
    homeserverSecretDeclarations(homeserver).flatMap((declaration) =>
      declaration.source.kind === 'generated'
        ? Object.entries(declaration.source.values).map(([value, spec]) => ({
            homeserverName: homeserver.name,
            secretName: declaration.name,
            value,
            length: spec.length,
          }))
        : [],
    ),
  );
}

export class SecretGenerationStack extends TemplateSafeStack {
  constructor(scope: Construct, config: DeploymentConfig) {
    const name = secretGenerationStackName(config);
    super(scope, name);
    configureEngine(this, name, config);
    const names = platformNames(config.deploymentName);
    const namespace = names.namespaces['secret-generation'];
    const labels = compartmentLabels('platform', config.deploymentName, { platformComponent: 'secret-generation' });
    const refreshInterval = secretRefreshInterval(config);

    const account = new ServiceAccountV1(this, 'secret-writer', {
      metadata: { name: SECRET_WRITER_ACCOUNT, namespace, labels },
      // External Secrets requests short-lived tokens for it; no pod ever mounts one.
      automountServiceAccountToken: false,
    });
    const store = new Manifest(this, 'secret-store', {
      object: secretStore({ namespace, role: GENERATOR_ROLE, serviceAccount: SECRET_WRITER_ACCOUNT, names, labels, checkAndSet: true }),
      dependsOn: [account],
    });

    const targets = generatedValues(config);
    const generators = new Map<number, Manifest>();
    for (const length of [...new Set(targets.map((target) => target.length))].sort((a, b) => a - b)) {
      generators.set(length, new Manifest(this, `generator-${length}`, { object: passwordGenerator(length, namespace, labels) }));
    }
    for (const target of targets) {
      const generator = generators.get(target.length);
      new Manifest(this, `push-${target.homeserverName}-${target.secretName}-${target.value}`, {
        object: generatedValuePush({ ...target, namespace, storeName: SECRET_STORE_NAME, refreshInterval, labels }),
        dependsOn: [store.resource, ...(generator ? [generator.resource] : [])],
      });
    }
  }
}
