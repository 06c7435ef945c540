/**
 * External Secrets resources: the one SecretStore of a compartment (its own OpenBao role,
 * its own service account, the internal CA to verify OpenBao), an ExternalSecret per
 * declared secret (values read from OpenBao, files rendered in-cluster from the declared
 * templates), and on the generation side a Password generator per length and a PushSecret
 * per generated value that writes it into OpenBao once (never replacing an existing one).
 */
import { OPENBAO_AUDIENCE, SECRET_MOUNT, TRUST_BUNDLE_KEY, type PlatformNames } from '../../model/platform';
import { secretPath } from '../../model/secret-access';
import { type SecretDeclaration } from '../../model/secrets';
import { API_VERSIONS, type KubernetesObject } from './kubernetes-object';

/** Every namespace's store has the same name: an ExternalSecret can only ever name its own namespace's store. */
export const SECRET_STORE_NAME = 'openbao';

export interface StoreInput {
  readonly namespace: string;
  readonly role: string;
  readonly serviceAccount: string;
  readonly names: PlatformNames;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Writers only: every write carries the version it read (KV v2 check-and-set), so two
   * PushSecrets adding properties to one path cannot overwrite each other's value.
   */
  readonly checkAndSet?: boolean;
}

export function secretStore(input: StoreInput): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.externalSecrets,
    kind: 'SecretStore',
    metadata: { name: SECRET_STORE_NAME, namespace: input.namespace, labels: input.labels },
    spec: {
      provider: {
        vault: {
          server: input.names.openbaoAddress,
          path: SECRET_MOUNT,
          version: 'v2',
          ...(input.checkAndSet ? { checkAndSet: { required: true } } : {}),
          // The trust-manager ConfigMap in this namespace: OpenBao's certificate must chain to the internal CA.
          caProvider: { type: 'ConfigMap', name: input.names.trustBundle, key: TRUST_BUNDLE_KEY },
          auth: {
            kubernetes: {
              mountPath: 'kubernetes',
              role: input.role,
              // External Secrets requests a short-lived token for this account, for OpenBao only.
              serviceAccountRef: { name: input.serviceAccount, audiences: [OPENBAO_AUDIENCE] },
            },
          },
        },
      },
    },
  };
}

export interface DeliveryInput {
  readonly declaration: SecretDeclaration;
  readonly homeserverName: string;
  readonly namespace: string;
  /** Go duration; how soon a changed value reaches the files. */
  readonly refreshInterval: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function externalSecret(input: DeliveryInput): KubernetesObject {
  const { declaration } = input;
  const key = secretPath(input.homeserverName, declaration.name);
  return {
    apiVersion: API_VERSIONS.externalSecrets,
    kind: 'ExternalSecret',
    metadata: {
      name: declaration.name,
      namespace: input.namespace,
      labels: input.labels,
      annotations: { 'matrix.sovereign/purpose': declaration.purpose, 'matrix.sovereign/rotation': declaration.rotation },
    },
    spec: {
      refreshPolicy: 'Periodic',
      refreshInterval: input.refreshInterval,
      secretStoreRef: { name: SECRET_STORE_NAME, kind: 'SecretStore' },
      target: {
        name: declaration.name,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        template: {
          engineVersion: 'v2',
          type: declaration.secretType ?? 'Opaque',
          // Only the declared files end up in the Secret, never the raw values beside them.
          mergePolicy: 'Replace',
          metadata: { labels: input.labels },
          data: Object.fromEntries(Object.entries(declaration.files).map(([file, spec]) => [file, spec.template])),
        },
      },
      data: Object.keys(declaration.source.values).map((value) => ({
        secretKey: value,
        remoteRef: { key, property: value, conversionStrategy: 'Default', decodingStrategy: 'None' },
      })),
    },
  };
}

/** Letters and digits only (symbols: 0), with a fixed share of digits, repeats allowed. */
export function passwordGeneratorName(length: number): string {
  return `alphanumeric-${length}`;
}

export function passwordGenerator(length: number, namespace: string, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.generators,
    kind: 'Password',
    metadata: { name: passwordGeneratorName(length), namespace, labels },
    spec: { length, digits: Math.floor(length / 4), symbols: 0, noUpper: false, allowRepeat: true, encoding: 'raw' },
  };
}

export interface PushInput {
  readonly homeserverName: string;
  readonly secretName: string;
  readonly value: string;
  readonly length: number;
  readonly namespace: string;
  readonly storeName: string;
  readonly refreshInterval: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function pushSecretName(homeserverName: string, secretName: string, value: string): string {
  return `${homeserverName}-${secretName}-${value.toLowerCase()}`;
}

/** Writes one generated value into OpenBao if, and only if, it is not there yet: each install gets fresh values, no reconcile replaces them. */
export function generatedValuePush(input: PushInput): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.pushSecret,
    kind: 'PushSecret',
    metadata: {
      name: pushSecretName(input.homeserverName, input.secretName, input.value),
      namespace: input.namespace,
      labels: input.labels,
    },
    spec: {
      refreshInterval: input.refreshInterval,
      updatePolicy: 'IfNotExists',
      // Removing the PushSecret never deletes the value that services run with.
      deletionPolicy: 'None',
      secretStoreRefs: [{ name: input.storeName, kind: 'SecretStore' }],
      selector: { generatorRef: { apiVersion: API_VERSIONS.generators, kind: 'Password', name: passwordGeneratorName(input.length) } },
      data: [
        {
          match: {
            secretKey: 'password',
            remoteRef: { remoteKey: secretPath(input.homeserverName, input.secretName), property: input.value },
          },
        },
      ],
    },
  };
}

/**
 * OpenBao's seal key: generated once into an immutable Secret that outlives its
 * ExternalSecret, so neither a refresh nor a re-created object can replace it (a new
 * key would make the stored data unreadable).
 */
export function sealKeySecret(names: PlatformNames, length: number, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.externalSecrets,
    kind: 'ExternalSecret',
    metadata: {
      name: names.openbaoSealSecret,
      namespace: names.namespaces.openbao,
      labels,
      annotations: {
        'matrix.sovereign/rotation': 'never automatically: back it up offline; rotate with previous_key_id/previous_key in the seal stanza',
      },
    },
    spec: {
      refreshPolicy: 'CreatedOnce',
      refreshInterval: '0s',
      target: {
        name: names.openbaoSealSecret,
        creationPolicy: 'Orphan',
        deletionPolicy: 'Retain',
        immutable: true,
        template: { engineVersion: 'v2', type: 'Opaque', mergePolicy: 'Replace', metadata: { labels }, data: { key: '{{ .password }}' } },
      },
      dataFrom: [
        { sourceRef: { generatorRef: { apiVersion: API_VERSIONS.generators, kind: 'Password', name: passwordGeneratorName(length) } } },
      ],
    },
  };
}
