/**
 * The homeserver's database for the backup drills: the Cluster's instances on loopback
 * (postgres-instance.ts), archiving to a real S3-compatible object store (versitygw) with the
 * real barman-cloud tools, configured from the rendered ObjectStore configuration exactly as
 * the Barman Cloud plugin would run them (barman-cloud.ts).
 *
 * The tools' venv lives in the tool cache, which the server's account cannot traverse; inside
 * the namespace it is bind-mounted into the run directory and run as `python -m <module>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { DeploymentConfig, HomeserverSettings } from '../../../config/deployment-config';
import { SECRET_NAMES } from '../../../model/secrets';
import { barmanObjectStoreConfiguration, POSTGRES_CLUSTER_NAME } from '../../../render/postgres-backup';
import { waitFor, type Sandbox } from '../../support/sandbox';
import type { TestCa } from '../../support/test-ca';
import { startObjectStore, type ObjectStore } from '../../support/versitygw';
import {
  BARMAN_CLOUD_MODULES,
  barmanCloudArguments,
  barmanCloudEnvironment,
  type BarmanCloudCommand,
  type ObjectStoreConfiguration,
  type SecretKeyReference,
} from './barman-cloud';
import type { DatabaseContext } from './homeserver';
import { initPrimary, type InstanceSpec, type RunningInstance } from './postgres-instance';

/** Addresses of the drill's pods and of the object store (beside the homeserver's, 127.0.10.0/24). */
export const DRILL_ADDRESSES = { primary: '127.0.10.3', standby: '127.0.10.8', objectStore: '127.0.10.7' } as const;

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Synapse's database host and port, from its homeserver.yaml as shipped. */
export function synapseDatabaseHost(context: Pick<DatabaseContext, 'pods'>): string {
  const shipped = context.pods.get('synapse')?.files['/config/homeserver.yaml']?.[0];
  const parsed = parse(shipped ?? '') as { database?: { args?: { host?: unknown } } } | null;
  const host = parsed?.database?.args?.host;
  if (typeof host !== 'string') throw new Error("no database host in Synapse's homeserver.yaml");
  return host;
}

export interface DrillDatabase {
  readonly sandbox: Sandbox;
  readonly directory: string;
  readonly ca: TestCa;
  readonly configuration: ObjectStoreConfiguration;
  /** The name Synapse connects to (the -rw Service). */
  readonly serviceName: string;
  readonly objectStore: ObjectStore;
  /** The primary at boot. */
  readonly primary: RunningInstance;
  /** An instance of the Cluster: its name, pod address and own directory. */
  spec(name: string, address: string, directoryName: string): InstanceSpec;
  /** Runs one barman-cloud command inside the namespace as the server's account, with the plugin's environment. */
  barman(command: BarmanCloudCommand, timeoutMs: number): Promise<{ status: number; output: string }>;
}

/**
 * The boot's database step for the drills: the object store, the bucket, the tools mounted,
 * and the first primary with WAL archiving on. `venv` is the barman-cloud venv (built before
 * the boot's deadline starts).
 */
export async function bootDrillDatabase(
  context: DatabaseContext,
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  venv: string,
): Promise<DrillDatabase> {
  const { sandbox, ca } = context;
  const directory = path.join(context.directory, 'database');
  fs.mkdirSync(directory, { recursive: true });
  const configuration = barmanObjectStoreConfiguration(config, homeserver);
  const serviceName = synapseDatabaseHost(context);
  const storeName = new URL(configuration.endpointURL).hostname;
  sandbox.setHosts({ ...sandbox.hosts(), [serviceName]: DRILL_ADDRESSES.primary, [storeName]: DRILL_ADDRESSES.objectStore });

  const objectStore = startObjectStore(sandbox, {
    directory: path.join(directory, 'object-store'),
    address: DRILL_ADDRESSES.objectStore,
    dnsName: storeName,
    ca,
  });
  await waitFor(
    'the object store',
    context.deadline,
    () => sandbox.acceptsTcp(DRILL_ADDRESSES.objectStore, 443),
    () => sandbox.assertRunning(objectStore.process),
  );

  const tools = path.join(directory, 'barman-cloud');
  fs.mkdirSync(tools);
  const mounted = await sandbox.exec('mount', ['--bind', venv, tools]);
  if (mounted.status !== 0) throw new Error(`mounting the barman-cloud venv failed: ${mounted.output}`);
  const python = path.join(tools, 'bin', 'python');
  // The Secret the site provides, under the names and keys the configuration refers to.
  const { accessKeyId, secretAccessKey, region } = configuration.s3Credentials;
  const secrets = new Map<string, Record<string, string>>();
  const provide = (reference: SecretKeyReference, value: string) =>
    secrets.set(reference.name, { ...secrets.get(reference.name), [reference.key]: value });
  provide(accessKeyId, objectStore.keys.accessKeyId);
  provide(secretAccessKey, objectStore.keys.secretAccessKey);
  if (region) provide(region, 'us-east-1');
  const secretValue = (reference: SecretKeyReference) => {
    const value = secrets.get(reference.name)?.[reference.key];
    if (value === undefined) throw new Error(`no value for ${reference.name}/${reference.key}`);
    return value;
  };
  const env = {
    ...barmanCloudEnvironment(configuration, secretValue, path.join(directory, 'ca.crt')),
    HOME: directory,
  };
  fs.copyFileSync(ca.certificate, path.join(directory, 'ca.crt'));
  const commandLine = (command: BarmanCloudCommand) => [
    python,
    '-m',
    BARMAN_CLOUD_MODULES[command.tool],
    ...barmanCloudArguments(configuration, POSTGRES_CLUSTER_NAME, command),
  ];
  const barman = (command: BarmanCloudCommand, timeoutMs: number) => {
    const [program = '', ...args] = commandLine(command);
    return sandbox.exec(program, args, timeoutMs, env, true);
  };
  // The site creates the bucket; the plugin only writes into it.
  const bucket = /^s3:\/\/([^/]+)\//.exec(configuration.destinationPath)?.[1] ?? '';
  const created = await sandbox.exec(
    python,
    [
      '-c',
      'import os, sys, boto3\nboto3.client("s3", endpoint_url=sys.argv[1], verify=os.environ["AWS_CA_BUNDLE"]).create_bucket(Bucket=sys.argv[2])',
      configuration.endpointURL,
      bucket,
    ],
    30_000,
    env,
    true,
  );
  if (created.status !== 0) throw new Error(`creating the bucket failed: ${created.output}`);

  // PostgreSQL replaces %p and %f before /bin/sh reads the line (inside the quotes too).
  const shellLine = (command: BarmanCloudCommand) => commandLine(command).map(shellQuote).join(' ');
  const archiveCommand = shellLine({ tool: 'wal-archive', walPath: '%p' });
  const restoreCommand = shellLine({ tool: 'wal-restore', walName: '%f', destination: '%p' });
  const spec = (name: string, address: string, directoryName: string): InstanceSpec => ({
    name,
    address,
    root: path.join(directory, directoryName),
    serviceName,
    ca,
    archiveCommand,
    restoreCommand,
    env,
  });
  const password = context.volumes.get(SECRET_NAMES.database)?.password ?? '';
  const primary = await initPrimary(
    sandbox,
    spec(`${POSTGRES_CLUSTER_NAME}-1`, DRILL_ADDRESSES.primary, 'postgres-1'),
    password,
    context.deadline,
  );
  // The operator's managed roles and Database objects (the identity provider's), as on every Cluster.
  for (const statement of context.managedStatements) primary.psql(statement);
  return { sandbox, directory, ca, configuration, serviceName, objectStore, primary, spec, barman };
}
