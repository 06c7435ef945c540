/**
 * A Python virtualenv that can *run* Synapse against PostgreSQL and Redis: the deployed
 * image's Synapse version with the `postgres` (psycopg2), `redis` and `oidc` (authlib: the
 * login through the identity provider) extras, from PyPI. Built once per machine into the tool cache, keyed by versions.
 * (test/support/synapse-venv.ts only loads configs: it has no PostgreSQL driver.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedInPlace } from '../../support/cache-lock';
import { deployedSynapseVersion } from '../../support/synapse-venv';
import { toolCache } from '../../support/tool-cache';

/**
 * Synapse's own lock file (what its image ships) pins txredisapi 1.4.11; PyPI's newest (1.6.0)
 * changed RedisFactory's base class, and Synapse's Redis replication then crashes at start
 * ("'super' object has no attribute 'startedConnecting'"). Pinned here as the image does.
 */
export const TXREDISAPI_VERSION = '1.4.11';

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Returns the venv's python, creating the venv first if needed (about a minute; psycopg2 builds against libpq-dev). */
export function ensureSynapseServerVenv(): string {
  const version = deployedSynapseVersion();
  const venv = cachedInPlace(toolCache(`synapse-${version}-postgres-redis-oidc-txredisapi-${TXREDISAPI_VERSION}`), (directory) => {
    // (postgresql-common ships a /usr/bin/pg_config wrapper too, which cannot build anything: check the header.)
    if (!fs.existsSync('/usr/include/postgresql/libpq-fe.h'))
      throw new Error("psycopg2 builds from source against libpq: install Debian's libpq-dev (apt-get install libpq-dev)");
    const python = path.join(directory, 'bin', 'python');
    run('python3', ['-m', 'venv', directory]);
    run(python, [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `matrix-synapse[postgres,redis,oidc]==${version}`,
      `txredisapi==${TXREDISAPI_VERSION}`,
    ]);
    run(python, ['-c', 'import authlib, psycopg2, txredisapi, synapse.app.homeserver, synapse.handlers.oidc']);
  });
  return path.join(venv, 'bin', 'python');
}
