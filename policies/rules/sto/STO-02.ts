import { helmReleases, helmValues } from '../../../tfjson/helm-values';
import { manifestsOfKind } from '../../../tfjson/manifests';
import { STATEFUL_SET_TYPES, STORAGE_CLASS_TYPES } from '../../../tfjson/resource-types';
import { block, blocks, isObject, resources, stringMap, type JsonValue, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

const STORAGE_CLASS_KEYS = ['storageClass', 'storageClassName'];

/** An encryption switch (`encrypted`, `csi.storage.k8s.io/encrypted`, ...) or a key-management parameter (KMS key, disk encryption set). */
function encryptionProblem(parameters: Record<string, string>): string | undefined {
  const switches = Object.entries(parameters).filter(([key]) => /encrypt/i.test(key) && !/kms|key|set/i.test(key));
  const off = switches.find(([, value]) => value.toLowerCase() !== 'true');
  if (off) return `parameters.${off[0]} is ${JSON.stringify(off[1])}`;
  if (switches.length > 0) return undefined;
  const keyManagement = Object.entries(parameters).some(([key, value]) => /kms|encryption.?(key|set)/i.test(key) && value !== '');
  return keyManagement ? undefined : 'no encryption parameter (encrypted: "true" or a key-management key such as kmsKeyId)';
}

function storageClassViolations(address: string, reclaimPolicy: unknown, parameters: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  if (reclaimPolicy !== 'Retain')
    violations.push({ address, message: `reclaim policy is ${JSON.stringify(reclaimPolicy ?? '(absent = Delete)')}, not Retain` });
  const encryption = encryptionProblem(parameters);
  if (encryption) violations.push({ address, message: `storage class is not encrypted: ${encryption}` });
  return violations;
}

function retentionViolations(stack: SynthesizedStack): Violation[] {
  return resources(stack, ...STATEFUL_SET_TYPES).flatMap((set) => {
    const spec = block(set.body.spec) ?? {};
    // Without claim templates the stateful set creates no claims for the policy to govern.
    if (blocks(spec.volume_claim_template).length === 0) return [];
    const policy = block(spec.persistent_volume_claim_retention_policy) ?? {};
    return (['when_deleted', 'when_scaled'] as const)
      .filter((key) => policy[key] !== 'Retain')
      .map((key) => ({
        address: set.address,
        message: `persistent_volume_claim_retention_policy.${key} is ${JSON.stringify(policy[key] ?? '(absent)')}, must be Retain explicitly`,
      }));
  });
}

/** Every `storageClass` / `storageClassName` key in a values tree, with its path. */
function storageClassSettings(values: JsonValue, path = ''): { path: string; value: JsonValue }[] {
  if (Array.isArray(values)) return values.flatMap((item, index) => storageClassSettings(item, `${path}[${index}]`));
  if (!isObject(values)) return [];
  return Object.entries(values).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return [...(STORAGE_CLASS_KEYS.includes(key) ? [{ path: childPath, value: child }] : []), ...storageClassSettings(child, childPath)];
  });
}

function helmViolations(stack: SynthesizedStack, context: AuditContext): Violation[] {
  const allowed = context.facts?.storageClasses;
  return helmReleases(stack).flatMap((release) => {
    const { values, errors } = helmValues(release);
    const unread = errors.map((error) => ({ address: release.address, message: `storage classes cannot be audited: ${error}` }));
    const settings = storageClassSettings(values).flatMap(({ path, value }): Violation[] => {
      const address = `${release.address} values.${path}`;
      // Charts read an empty or null class as "the cluster default" and "-" as "no class".
      if (typeof value !== 'string' || value === '' || value === '-')
        return [
          {
            address,
            message: `storage class ${JSON.stringify(value)} leaves the choice to the cluster (the default class is not trusted)`,
          },
        ];
      if (allowed && !allowed.includes(value))
        return [{ address, message: `storage class "${value}" is not in storage.allowedStorageClasses` }];
      return [];
    });
    return [...unread, ...settings];
  });
}

/**
 * Storage outlives its workload and is encrypted: stateful sets retain their claims explicitly,
 * every StorageClass in the stack retains volumes and encrypts them, and every chart's
 * storage class is allowlisted (never the cluster default).
 */
export const rule: Rule = {
  id: 'STO-02',
  title: 'Storage is encrypted and retained',
  level: 'error',
  lesson:
    '14 GB of shared files left through the media store: data at rest must be encrypted, and must not vanish with the evidence when a workload is deleted.',
  references: { nsaCisa: 'Data protection: encryption at rest', anssi: 'R38' },
  siteFacts: {
    facts: ['storageClasses'],
    unjudged: "that chart values name the site's storage classes (any explicitly named class is accepted)",
  },
  fix: 'Set persistent_volume_claim_retention_policy { when_deleted = "Retain", when_scaled = "Retain" } on stateful sets, reclaim_policy = "Retain" and an encryption parameter on storage classes, and an allowlisted storageClass in chart values.',
  appliesTo: {
    subject: 'stateful set, StorageClass or Helm release',
    presentIn: (stack) =>
      resources(stack, ...STATEFUL_SET_TYPES, ...STORAGE_CLASS_TYPES).length > 0 ||
      manifestsOfKind(stack, 'storage.k8s.io', 'StorageClass').length > 0 ||
      helmReleases(stack).length > 0,
  },
  check: (stack, context) => [
    ...retentionViolations(stack),
    ...resources(stack, ...STORAGE_CLASS_TYPES).flatMap((storageClass) =>
      storageClassViolations(storageClass.address, storageClass.body.reclaim_policy, stringMap(storageClass.body.parameters)),
    ),
    ...manifestsOfKind(stack, 'storage.k8s.io', 'StorageClass').flatMap((view) =>
      storageClassViolations(view.resource.address, view.object.reclaimPolicy, stringMap(view.object.parameters)),
    ),
    ...helmViolations(stack, context),
  ],
};
