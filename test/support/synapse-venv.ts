/**
 * A Python virtualenv with the real Synapse (the version of the deployed image) and the
 * LDAP module, built once from PyPI and cached outside the repository.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../config/load-config';
import { parseImageReference } from '../../config/image-reference';
import { toolCache } from './tool-cache';

export const LDAP3_MODULE_VERSION = '0.4.0';
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
  const venv = toolCache(`synapse-${version}-redis-ldap3-${LDAP3_MODULE_VERSION}-s3-${S3_PROVIDER_VERSION}`);
  const python = path.join(venv, 'bin', 'python');
  const ready = path.join(venv, '.ready');
  if (fs.existsSync(ready)) return python;
  fs.rmSync(venv, { recursive: true, force: true });
  run('python3', ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `matrix-synapse[redis]==${version}`, `matrix-synapse-ldap3==${LDAP3_MODULE_VERSION}`, `synapse-s3-storage-provider==${S3_PROVIDER_VERSION}`]);
  fs.writeFileSync(ready, `${new Date().toISOString()}\n`);
  return python;
}
