/**
 * Image references are accepted only as `registry/repository[:tag]@sha256:<64 hex>`:
 * a tag alone can be moved by whoever controls the registry, a digest cannot.
 */

export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  /** Informational only; the digest is what is pulled. */
  readonly tag?: string;
  readonly digest: string;
}

const REGISTRY = '(?<registry>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?)';
const REPOSITORY = '(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)';
const TAG = '(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?';
const DIGEST = '@(?<digest>sha256:[a-f0-9]{64})';
const IMAGE_PATTERN = new RegExp(`^${REGISTRY}/${REPOSITORY}${TAG}${DIGEST}$`);

/** Parses a digest-pinned reference, or returns the rule it breaks. */
export function parseImageReference(text: string): ImageReference | string {
  if (!text.includes('@sha256:')) {
    return 'must be pinned by digest: registry/repository[:tag]@sha256:<64 hex characters>';
  }
  const match = IMAGE_PATTERN.exec(text);
  const groups = match?.groups;
  if (!groups || !groups.registry || !groups.repository || !groups.digest) {
    return 'must have the form registry/repository[:tag]@sha256:<64 lowercase hex characters>';
  }
  // Without a dot or port the first segment is a Docker Hub namespace, not a registry:
  // the registry must be explicit so the allowlist means something.
  if (!groups.registry.includes('.') && !groups.registry.includes(':') && groups.registry !== 'localhost') {
    return `must name its registry explicitly (e.g. docker.io/${text}); "${groups.registry}" is not a registry host`;
  }
  const reference: ImageReference = {
    registry: groups.registry,
    repository: groups.repository,
    digest: groups.digest,
    ...(groups.tag ? { tag: groups.tag } : {}),
  };
  return reference;
}

/**
 * The reference actually pulled. With a mirror prefix (air-gapped sites), the original
 * registry becomes the first path segment under the mirror, e.g.
 * `mirror.example/proxy` + `docker.io/library/haproxy@sha256:…`
 * -> `mirror.example/proxy/docker.io/library/haproxy@sha256:…`.
 * The tag is kept for readers; the runtime pulls by digest.
 */
export function effectiveImage(reference: ImageReference, mirrorPrefix?: string): string {
  const origin = mirrorPrefix ? `${mirrorPrefix}/${reference.registry}` : reference.registry;
  const tag = reference.tag ? `:${reference.tag}` : '';
  return `${origin}/${reference.repository}${tag}@${reference.digest}`;
}

/** The registry host an effective image is pulled from. */
export function registryOf(image: string): string {
  return image.split('/')[0] ?? '';
}
