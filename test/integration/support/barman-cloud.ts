/**
 * The barman-cloud tools the Barman Cloud plugin's sidecar runs (`barman[cloud]` from PyPI, the
 * version its image ships), in a venv cached once per machine, and the translation of the
 * rendered ObjectStore configuration into their command lines, as the plugin makes it: compression
 * and `-e` encryption, the endpoint, cloud provider `aws-s3`, then the destination and the
 * server name (the Cluster's name).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { barmanObjectStoreConfiguration } from '../../../render/postgres-backup';
import { cachedInPlace } from '../../support/cache-lock';
import { toolCache } from '../../support/tool-cache';

export const BARMAN_VERSION = '3.19.1';

/** The ObjectStore's `spec.configuration`, as the renderer returns it. */
export type ObjectStoreConfiguration = ReturnType<typeof barmanObjectStoreConfiguration>;
/** A key of a Secret in the homeserver namespace, as the configuration names it. */
export type SecretKeyReference = ObjectStoreConfiguration['s3Credentials']['accessKeyId'];

/** What the plugin runs, by its command's name. */
export type BarmanCloudCommand =
  | { readonly tool: 'wal-archive'; readonly walPath: string }
  | { readonly tool: 'wal-restore'; readonly walName: string; readonly destination: string }
  | {
      readonly tool: 'backup';
      readonly host: string;
      readonly user: string;
      readonly backupName: string;
      /** The Backup's `onlineConfiguration.immediateCheckpoint` (an on-demand backup before a risky change; scheduled ones spread it). */
      readonly immediateCheckpoint: boolean;
    }
  | { readonly tool: 'restore'; readonly backupId: string; readonly recoveryDirectory: string };

/** The module of each `barman-cloud-*` console script (run as `python -m`, so the venv can be mounted anywhere). */
export const BARMAN_CLOUD_MODULES: Readonly<Record<BarmanCloudCommand['tool'], string>> = {
  'wal-archive': 'barman.clients.cloud_walarchive',
  'wal-restore': 'barman.clients.cloud_walrestore',
  backup: 'barman.clients.cloud_backup',
  restore: 'barman.clients.cloud_restore',
};

/**
 * The arguments of one barman-cloud command for `configuration`, the server name being the
 * Cluster's name. Archiving and backups compress and ask the store to encrypt; restores read
 * what the objects say.
 */
export function barmanCloudArguments(configuration: ObjectStoreConfiguration, serverName: string, command: BarmanCloudCommand): string[] {
  const writing =
    command.tool === 'wal-archive'
      ? [
          `--${configuration.wal.compression}`,
          '-e',
          configuration.wal.encryption,
          ...(configuration.wal.archiveAdditionalCommandArgs ?? []),
        ]
      : command.tool === 'backup'
        ? [
            `--${configuration.data.compression}`,
            '-e',
            configuration.data.encryption,
            ...(configuration.data.jobs === undefined ? [] : ['--jobs', String(configuration.data.jobs)]),
            ...(configuration.data.additionalCommandArgs ?? []),
          ]
        : [];
  const connection =
    command.tool === 'backup'
      ? [
          '--host',
          command.host,
          '--user',
          command.user,
          '--name',
          command.backupName,
          ...(command.immediateCheckpoint ? ['--immediate-checkpoint'] : []),
        ]
      : [];
  const store = ['--endpoint-url', configuration.endpointURL, '--cloud-provider', 'aws-s3', configuration.destinationPath, serverName];
  const operands =
    command.tool === 'wal-archive'
      ? [command.walPath]
      : command.tool === 'wal-restore'
        ? [command.walName, command.destination]
        : command.tool === 'restore'
          ? [command.backupId, command.recoveryDirectory]
          : [];
  return [...writing, ...connection, ...store, ...operands];
}

/**
 * The environment the plugin gives the tools: the access keys (and region) read from the
 * Secret keys the configuration names, and the CA bundle the endpoint's certificate chains to.
 */
export function barmanCloudEnvironment(
  configuration: ObjectStoreConfiguration,
  secretValue: (reference: SecretKeyReference) => string,
  caBundle: string,
): Record<string, string> {
  const { accessKeyId, secretAccessKey, region } = configuration.s3Credentials;
  return {
    AWS_ACCESS_KEY_ID: secretValue(accessKeyId),
    AWS_SECRET_ACCESS_KEY: secretValue(secretAccessKey),
    ...(region ? { AWS_DEFAULT_REGION: secretValue(region) } : {}),
    AWS_CA_BUNDLE: caBundle,
  };
}

/**
 * Debian's Python: PostgreSQL runs the archive and restore commands as its own unprivileged
 * account, which must reach the interpreter (a Python installed under root's home would not do).
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** The venv directory with barman[cloud] (boto3, and psycopg2 built against libpq-dev); about a minute, once per machine. */
export function ensureBarmanCloudVenv(): string {
  if (!fs.existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} is missing: install Debian's python3 and python3-venv`);
  return cachedInPlace(toolCache(`barman-cloud-${BARMAN_VERSION}-debian-python`), (directory) => {
    const run = (command: string, args: readonly string[]) => {
      const result = spawnSync(command, [...args], { encoding: 'utf8', timeout: 20 * 60_000 });
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
    };
    const python = path.join(directory, 'bin', 'python');
    run(SYSTEM_PYTHON, ['-m', 'venv', directory]);
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `barman[cloud]==${BARMAN_VERSION}`]);
    run(python, ['-c', `import boto3, psycopg2, ${Object.values(BARMAN_CLOUD_MODULES).join(', ')}`]);
  });
}
