/**
 * Read-only view of `kubernetes_manifest` resources: the Kubernetes object each one applies
 * (cert-manager, trust-manager, External Secrets custom resources, or any other kind), with
 * its API group, kind, name and namespace. Like terraform-json.ts, independent of cdktf.
 */
import { MANIFEST_TYPE } from './resource-types';
import { at, block, namespaceOf, resources, type JsonObject, type ResourceView, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface ManifestView {
  readonly resource: ResourceView;
  /** The object as written under `manifest`. */
  readonly object: JsonObject;
  /** API group of `apiVersion` ("" for the core group, e.g. `v1`). */
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
  /** As written; a cdktf reference to a namespace of the stack is resolved to its name. */
  readonly namespace?: string;
  /** `Kind namespace/name`, for messages. */
  readonly label: string;
}

/** The API group of an apiVersion: `cert-manager.io/v1` -> `cert-manager.io`, `v1` -> "". */
export function apiGroupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export const manifests = cachedView('stack', function manifests(stack: SynthesizedStack): readonly ManifestView[] {
  return resources(stack, MANIFEST_TYPE).flatMap((resource) => {
    const object = block(resource.body.manifest);
    if (!object) return [];
    const metadata = block(object.metadata) ?? {};
    const name = typeof metadata.name === 'string' ? metadata.name : undefined;
    const namespace = namespaceOf({ ...resource, body: { metadata } }, stack);
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const label = `${kind} ${namespace ? `${namespace}/` : ''}${name ?? '?'}`;
    return [
      {
        resource,
        object,
        group: apiGroupOf(object.apiVersion),
        kind,
        label,
        ...(name !== undefined ? { name } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
      },
    ];
  });
});

/** Whether a view's group is `group` or one of its subgroups (`generators.external-secrets.io` is in `external-secrets.io`). */
export function inGroup(view: ManifestView, group: string): boolean {
  return group === '' ? view.group === '' : view.group === group || view.group.endsWith(`.${group}`);
}

/** The manifests of the given kinds in an API group (and its subgroups). */
export function manifestsOfKind(stack: SynthesizedStack, group: string, ...kinds: string[]): ManifestView[] {
  return manifests(stack).filter((view) => inGroup(view, group) && kinds.includes(view.kind));
}

export function specOf(view: ManifestView): JsonObject {
  return block(view.object.spec) ?? {};
}

export const EXTERNAL_SECRETS_GROUP = 'external-secrets.io';
export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const CORE_GROUP = '';

export { at };
