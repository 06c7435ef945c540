/**
 * A Python virtualenv with the real Synapse (the version of the deployed image, with the OIDC
 * login's dependencies) and the media store's S3 backend, built once from PyPI and cached
 * outside the repository.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseImageReference } from '../../config/image-reference';
import { loadDeploymentConfig } from '../../model/load-config';
import { cachedInPlace } from './cache-lock';
import { toolCache } from './tool-cache';

/** The media store's S3 backend (media.s3), which the deployed image must ship too. */
export const S3_PROVIDER_VERSION = '1.7.0';

/** The Synapse version of the default deployment's image tag, so the check matches what runs. */
export function deployedSynapseVersion(): string {
  const reference = parseImageReference(loadDeploymentConfig().images.effective.synapse);
  const version = typeof reference === 'string' ? undefined : /^v?([0-9]+\.[0-9]+\.[0-9]+)$/.exec(reference.tag ?? '')?.[1];
  if (!version) throw new Error('images.synapse of config/default.yaml has no vX.Y.Z tag');
  return version;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Returns the venv's python, creating the venv first if needed (about a minute, once per machine). */
export function ensureSynapseVenv(): string {
  const version = deployedSynapseVersion();
  // A venv bakes its own path into its scripts: built in place, under the cache lock, ready marker last.
  const venv = cachedInPlace(toolCache(`synapse-${version}-redis-oidc-s3-${S3_PROVIDER_VERSION}`), (directory) => {
    run('python3', ['-m', 'venv', directory]);
    run(path.join(directory, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `matrix-synapse[redis,oidc]==${version}`,
      `synapse-s3-storage-provider==${S3_PROVIDER_VERSION}`,
    ]);
  });
  return path.join(venv, 'bin', 'python');
}
