import { chartName, helmReleases, helmValues } from '../../../tfjson/helm-values';
import { CORE_GROUP, EXTERNAL_SECRETS_GROUP, manifestsOfKind, specOf } from '../../../tfjson/manifests';
import { openbaoServerConfigs } from '../../../tfjson/openbao-config';
import { NAMESPACE_TYPES, SECRET_TYPES } from '../../../tfjson/resource-types';
import {
  at,
  block,
  blocks,
  isObject,
  metadataOf,
  resources,
  type JsonObject,
  type ResourceView,
  type SynthesizedStack,
} from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

/** Where a seal key lives: the Secret and its namespace. */
interface SealKeyLocation {
  readonly namespace: string;
  readonly secret: string;
}

/** `file://` paths of every seal key (current and previous) in a server configuration. */
function sealKeyFiles(config: JsonObject): string[] {
  const files: string[] = [];
  for (const seal of blocks(config.seal)) {
    for (const stanza of Object.values(seal).flatMap((value) => blocks(value))) {
      for (const key of ['current_key', 'previous_key']) {
        const value = stanza[key];
        if (typeof value === 'string' && value.startsWith('file://')) files.push(value.slice('file://'.length));
      }
    }
  }
  return files;
}

/** The Secret volume a chart mounts over `file` (`server.volumeMounts` and `server.volumes`). */
function secretMountedAt(values: JsonObject, file: string): string | undefined {
  const listOf = (path: string): JsonObject[] => {
    const value: unknown = at(values, ...path.split('.'));
    return Array.isArray(value) ? value.filter(isObject) : [];
  };
  const mount = listOf('server.volumeMounts').find(
    (candidate) => typeof candidate.mountPath === 'string' && file.startsWith(`${candidate.mountPath.replace(/\/$/, '')}/`),
  );
  const volume = listOf('server.volumes').find((candidate) => candidate.name === mount?.name);
  const secretName: unknown = at(volume, 'secret', 'secretName');
  return typeof secretName === 'string' ? secretName : undefined;
}

/** Seal keys the OpenBao releases of this stack unseal with, and the deployment's own (from the site config). */
function sealKeyLocations(stack: SynthesizedStack, context: AuditContext): SealKeyLocation[] {
  const locations: SealKeyLocation[] = [];
  if (context.facts) locations.push(context.facts.sealKey);
  const releases = new Map(helmReleases(stack).map((release) => [release.address, release]));
  for (const server of openbaoServerConfigs(stack)) {
    const release = releases.get(server.address);
    if (!release || !server.config || typeof release.body.namespace !== 'string') continue;
    for (const file of sealKeyFiles(server.config)) {
      const secret = secretMountedAt(helmValues(release).values, file);
      if (secret) locations.push({ namespace: release.body.namespace, secret });
    }
  }
  return locations;
}

function preventsDestroy(body: JsonObject): boolean {
  return block(body.lifecycle)?.prevent_destroy === true;
}

function named(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const externalSecretsReleases = (stack: SynthesizedStack) =>
  helmReleases(stack).filter((candidate) => chartName(candidate) === 'external-secrets');

/** The stack's namespaces named like the seal key's. */
function namespacesAt(stack: SynthesizedStack, location: SealKeyLocation): ResourceView[] {
  return resources(stack, ...NAMESPACE_TYPES).filter((namespace) => metadataOf(namespace).name === location.namespace);
}

/** What creates the seal key in the stack: its ExternalSecret, or the Secret itself (manifest or typed). */
function creatorsOf(stack: SynthesizedStack, location: SealKeyLocation): { address: string; body: JsonObject; what: string }[] {
  return [
    ...manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'ExternalSecret')
      .filter(
        (view) => view.namespace === location.namespace && (named(at(specOf(view), 'target', 'name')) ?? view.name) === location.secret,
      )
      .map((view) => ({ address: view.resource.address, body: view.resource.body, what: 'ExternalSecret' })),
    ...manifestsOfKind(stack, CORE_GROUP, 'Secret')
      .filter((view) => view.namespace === location.namespace && view.name === location.secret)
      .map((view) => ({ address: view.resource.address, body: view.resource.body, what: 'Secret' })),
    ...resources(stack, ...SECRET_TYPES)
      .filter((secret) => metadataOf(secret).namespace === location.namespace && metadataOf(secret).name === location.secret)
      .map((secret) => ({ address: secret.address, body: secret.body, what: 'Secret' })),
  ];
}

/**
 * The static seal key that unseals OpenBao survives an ordinary destroy of any stack: the
 * objects that create it (its ExternalSecret, or the Secret itself) and the namespace that holds
 * it, with OpenBao's data claim, carry `lifecycle.prevent_destroy`; and uninstalling External
 * Secrets keeps its CRDs (deleting a CRD deletes every object of it, the key's ExternalSecret
 * among them, whatever its lifecycle says). Retiring a deployment is a deliberate, documented
 * procedure, not a side effect of `destroy`.
 */
export const rule: Rule = {
  id: 'SEC-07',
  title: 'The seal key and the namespace that holds it survive an ordinary destroy',
  level: 'error',
  lesson:
    "After an intrusion the platform is torn down and rebuilt: a destroy that takes OpenBao's seal key with it loses every secret it protected, and every recovery that needs them.",
  references: { nsaCisa: 'Secrets: protect key material and its backups', anssi: 'R26' },
  fix: 'Set lifecycle { prevent_destroy = true } on the namespace holding the seal key and on the ExternalSecret (or Secret) that creates the key, and crds.annotations helm.sh/resource-policy: keep on the External Secrets release; retire a deployment with the README procedure.',
  appliesTo: {
    subject: 'OpenBao server, seal key, the namespace holding it, or external-secrets chart',
    presentIn: (stack, context) =>
      externalSecretsReleases(stack).length > 0 ||
      openbaoServerConfigs(stack).length > 0 ||
      sealKeyLocations(stack, context).some(
        (location) => namespacesAt(stack, location).length > 0 || creatorsOf(stack, location).length > 0,
      ),
  },
  check: (stack, context) => {
    const violations: Violation[] = [];
    for (const release of externalSecretsReleases(stack)) {
      const { values } = helmValues(release);
      if (at(values, 'installCRDs') === false || at(values, 'crds', 'annotations', 'helm.sh/resource-policy') === 'keep') continue;
      violations.push({
        address: release.address,
        message:
          "uninstalling External Secrets deletes its CRDs and with them every ExternalSecret, the seal key's among them: set crds.annotations helm.sh/resource-policy: keep",
      });
    }
    const seen = new Set<string>();
    for (const location of sealKeyLocations(stack, context)) {
      for (const namespace of namespacesAt(stack, location)) {
        const key = `${namespace.address} ${location.namespace}`;
        if (preventsDestroy(namespace.body) || seen.has(key)) continue;
        seen.add(key);
        violations.push({
          address: namespace.address,
          message: `namespace "${location.namespace}" holds OpenBao's seal key (Secret ${location.secret}) and its data: lifecycle.prevent_destroy is not set`,
        });
      }
      for (const creator of creatorsOf(stack, location)) {
        const key = `${creator.address} ${location.secret}`;
        if (preventsDestroy(creator.body) || seen.has(key)) continue;
        seen.add(key);
        violations.push({
          address: creator.address,
          message: `${creator.what} creating OpenBao's seal key ${location.namespace}/${location.secret}: lifecycle.prevent_destroy is not set`,
        });
      }
    }
    return violations;
  },
};
