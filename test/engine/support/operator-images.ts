/**
 * Which build stands for which image when the pod runner starts a platform pod: the
 * operators' binaries are built from their sources (engine-tools.ts) and put at the path the
 * image's entrypoint has; the pod spec (command, args, env, volumes, user) is the chart's,
 * untouched. Matched by repository path, so a mirrored reference (images.mirrorPrefix) runs
 * the same build. The operators' images are distroless (their binary only); OpenBao's Alpine
 * base (a shell, sed, cp for the chart's start script) is the machine's /usr and /etc.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseImageReference } from '../../../config/image-reference';
import type { ImageCatalogue, ImageRuntime } from './pod-runner/container-command';
import type { OperatorBinaries } from './tools/operators';

/** The image's non-root user (cert-manager, trust-manager and ESO images run as 1000 unless the pod says otherwise; the CloudNativePG charts say 10001). */
const IMAGE_USER = { user: 1000, group: 1000 } as const;
/** The OpenBao image's `openbao` user and group. */
const OPENBAO_USER = { user: 100, group: 1000 } as const;

/**
 * The OpenBao image's entrypoint script prepares a root-run container (chown, setcap, then
 * su-exec); for a non-root container, as here, it hands over to its arguments. This stand-in
 * does only that, and refuses to run as root rather than pretend to do the rest.
 */
const OPENBAO_ENTRYPOINT =
  '#!/bin/sh\nif [ "$(id -u)" = 0 ]; then echo "the engine proof runs OpenBao as its non-root user only" >&2; exit 1; fi\nexec "$@"\n';

/** Go's name for the host's architecture (the suffix of CloudNativePG's per-architecture managers). */
function goArchitecture(): string {
  const names: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };
  return names[process.arch] ?? process.arch;
}

export function operatorImages(binaries: OperatorBinaries, directory: string): ImageCatalogue {
  fs.mkdirSync(directory, { recursive: true });
  const entrypoint = path.join(directory, 'openbao-docker-entrypoint.sh');
  fs.writeFileSync(entrypoint, OPENBAO_ENTRYPOINT, { mode: 0o755 });
  const single = (target: string, binary: string): ImageRuntime => ({
    base: 'static',
    entrypoint: [target],
    files: { [target]: binary },
    ...IMAGE_USER,
  });
  const byRepository: Readonly<Record<string, ImageRuntime>> = {
    'jetstack/cert-manager-controller': single('/app/cmd/controller/controller', binaries.certManagerController),
    'jetstack/cert-manager-webhook': single('/app/cmd/webhook/webhook', binaries.certManagerWebhook),
    'jetstack/cert-manager-cainjector': single('/app/cmd/cainjector/cainjector', binaries.certManagerCainjector),
    'jetstack/trust-manager': single('/trust-manager', binaries.trustManager),
    'external-secrets/external-secrets': single('/bin/external-secrets', binaries.externalSecrets),
    // Both images' entrypoint is /manager; the charts pick the subcommand (`controller`, `operator`) and the user (10001).
    // CloudNativePG's image also holds its manager per architecture under /operator (/manager links to one): the operator
    // finds the architectures it can give PostgreSQL pods there, and hashes them.
    'cloudnative-pg/cloudnative-pg': {
      ...single('/manager', binaries.cloudnativePg),
      files: { '/manager': binaries.cloudnativePg, [`/operator/manager_${goArchitecture()}`]: binaries.cloudnativePg },
    },
    'cloudnative-pg/plugin-barman-cloud': single('/manager', binaries.barmanCloud),
    'openbao/openbao': {
      base: 'os',
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['server', '-dev'],
      files: { '/usr/local/bin/docker-entrypoint.sh': entrypoint, '/usr/local/bin/bao': binaries.bao },
      ...OPENBAO_USER,
      workingDir: '/',
    },
  };
  return (image: string) => {
    const parsed = parseImageReference(image);
    if (typeof parsed === 'string') return undefined;
    const match = Object.keys(byRepository).find(
      (repository) => parsed.repository === repository || parsed.repository.endsWith(`/${repository}`),
    );
    return match === undefined ? undefined : byRepository[match];
  };
}
