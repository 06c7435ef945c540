/**
 * One PostgreSQL instance of the homeserver's Cluster on loopback, set up the way CloudNativePG's
 * instance manager sets up its pods, with this project's rendered `postgresql.parameters` and
 * `pg_hba` rules on top (render/postgres.ts). This stands in for the operator, which does not run
 * here: its fixed settings (TLS files, archiving, replication, hot standby, WAL level) and its
 * fixed pg_hba rules (local peer access, certificate authentication of `streaming_replica`,
 * the catch-all SCRAM rule after the project's rules) are written by this module.
 *
 * Differences from a pod, all forced by loopback: every instance binds its own pod address
 * instead of `*` (the pods share one network namespace), and the server runs as `nobody`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pgHbaRules, postgresParameters, POSTGRES_DATABASE, POSTGRES_ROLE } from '../../../render/postgres';
import { asServerUser, giveToServer, postgresBinDirectory, runAsServer } from '../../support/postgres';
import { stopProcess, waitFor, type Sandbox, type SandboxProcess } from '../../support/sandbox';
import { issueClientCertificate, issueServerCertificate, type TestCa } from '../../support/test-ca';

/** The operator's replication user (certificate authentication only). */
export const REPLICATION_USER = 'streaming_replica';
export const POSTGRES_PORT = 5432;

export interface InstanceSpec {
  /** The pod's name (CloudNativePG: <cluster>-<n>), also its application_name as a standby. */
  readonly name: string;
  readonly address: string;
  /** The instance's own directory (data, socket, certificates). */
  readonly root: string;
  /** The name clients verify (the -rw Service): on the server certificate of every instance. */
  readonly serviceName: string;
  readonly ca: TestCa;
  /** archive_command and restore_command (the barman-cloud tools), with %p and %f. */
  readonly archiveCommand: string;
  readonly restoreCommand: string;
  /** Environment of the server and so of its archive and restore commands (the object store's keys). */
  readonly env: Readonly<Record<string, string>>;
}

export type InstanceRole =
  | { readonly kind: 'primary'; readonly synchronousStandbys: readonly string[] }
  | { readonly kind: 'standby' }
  | { readonly kind: 'recovery' };

export interface InstancePaths {
  readonly data: string;
  readonly socket: string;
  readonly tls: string;
}

export function instancePaths(spec: InstanceSpec): InstancePaths {
  return { data: path.join(spec.root, 'data'), socket: path.join(spec.root, 'run'), tls: path.join(spec.root, 'tls') };
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The replication connection a standby opens to the primary, through the -rw Service name, verified both ways. */
export function primaryConninfo(spec: InstanceSpec): string {
  const { tls } = instancePaths(spec);
  return [
    `host=${spec.serviceName}`,
    `port=${POSTGRES_PORT}`,
    `user=${REPLICATION_USER}`,
    'sslmode=verify-full',
    `sslrootcert=${tls}/ca.crt`,
    `sslcert=${tls}/${REPLICATION_USER}.crt`,
    `sslkey=${tls}/${REPLICATION_USER}.key`,
    `application_name=${spec.name}`,
  ].join(' ');
}

/** postgresql.conf additions: the operator's fixed settings, then the project's parameters, then the role's. */
export function instanceSettings(spec: InstanceSpec, role: InstanceRole): Record<string, string> {
  return {
    ...operatorSettings(spec),
    ...postgresParameters(),
    ...(role.kind === 'primary' && role.synchronousStandbys.length > 0
      ? { synchronous_standby_names: `ANY 1 (${role.synchronousStandbys.map((name) => `"${name}"`).join(', ')})` }
      : { synchronous_standby_names: '' }),
    ...(role.kind === 'standby' ? { primary_conninfo: primaryConninfo(spec) } : {}),
  };
}

/** The settings the operator owns (a Cluster may not set them): listening, TLS files, WAL, replication, archiving. */
export function operatorSettings(spec: InstanceSpec): Record<string, string> {
  const { socket, tls } = instancePaths(spec);
  return {
    listen_addresses: spec.address,
    port: String(POSTGRES_PORT),
    unix_socket_directories: socket,
    ssl: 'on',
    ssl_cert_file: `${tls}/server.crt`,
    ssl_key_file: `${tls}/server.key`,
    ssl_ca_file: `${tls}/ca.crt`,
    wal_level: 'logical',
    wal_log_hints: 'on',
    hot_standby: 'on',
    max_wal_senders: '10',
    max_replication_slots: '32',
    wal_keep_size: '512MB',
    restart_after_crash: 'off',
    archive_mode: 'on',
    archive_command: spec.archiveCommand,
    restore_command: spec.restoreCommand,
    recovery_target_timeline: 'latest',
    synchronous_standby_names: '',
    primary_conninfo: '',
  };
}

/** pg_hba.conf: the operator's fixed rules, the project's rules, the operator's catch-all. */
export function instanceHba(): string {
  return [
    'local all all peer map=local',
    `hostssl postgres ${REPLICATION_USER} all cert`,
    `hostssl replication ${REPLICATION_USER} all cert`,
    ...pgHbaRules(),
    'host all all all scram-sha-256',
    '',
  ].join('\n');
}

/** Writes the instance's configuration into its data directory (the operator rewrites it at every start). */
export function writeConfiguration(spec: InstanceSpec, role: InstanceRole): void {
  const { data } = instancePaths(spec);
  const settings = instanceSettings(spec, role);
  fs.writeFileSync(
    path.join(data, 'custom.conf'),
    Object.entries(settings)
      .map(([key, value]) => `${key} = ${quote(value)}\n`)
      .join(''),
  );
  const main = path.join(data, 'postgresql.conf');
  if (!fs.readFileSync(main, 'utf8').includes("include 'custom.conf'")) fs.appendFileSync(main, "\ninclude 'custom.conf'\n");
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), instanceHba());
  // Local peer access: the server's OS account (nobody here) is the superuser postgres.
  fs.writeFileSync(path.join(data, 'pg_ident.conf'), 'local nobody postgres\n');
  for (const signal of ['standby.signal', 'recovery.signal']) fs.rmSync(path.join(data, signal), { force: true });
  if (role.kind !== 'primary') fs.writeFileSync(path.join(data, `${role.kind === 'standby' ? 'standby' : 'recovery'}.signal`), '');
  giveToServer(data);
}

/** The server certificate (the Service name), the CA, and the replication user's client certificate. */
export function issueInstanceCertificates(spec: InstanceSpec): void {
  const { tls } = instancePaths(spec);
  fs.mkdirSync(tls, { recursive: true });
  const server = issueServerCertificate(spec.ca, spec.serviceName, tls);
  fs.renameSync(server.certificate, path.join(tls, 'server.crt'));
  fs.renameSync(server.key, path.join(tls, 'server.key'));
  fs.copyFileSync(spec.ca.certificate, path.join(tls, 'ca.crt'));
  issueClientCertificate(spec.ca, REPLICATION_USER, tls);
  for (const file of fs.readdirSync(tls)) fs.chmodSync(path.join(tls, file), file.endsWith('.key') ? 0o600 : 0o644);
}

export interface RunningInstance {
  readonly spec: InstanceSpec;
  readonly process: SandboxProcess;
  /** Runs SQL as the superuser over the local socket (peer), in `database` (default postgres); the output, unaligned, tuples only. */
  psql(sql: string, database?: string): string;
}

/** Starts the server inside the namespace as nobody and waits until it accepts connections (a standby: read-only ones). */
export async function startInstance(sandbox: Sandbox, spec: InstanceSpec, deadline: number): Promise<RunningInstance> {
  const bin = postgresBinDirectory();
  const { data, socket } = instancePaths(spec);
  fs.mkdirSync(socket, { recursive: true });
  giveToServer(spec.root);
  const process = sandbox.start(spec.name, path.join(bin, 'postgres'), ['-D', data], {
    env: { ...spec.env, HOME: spec.root },
    asNobody: true,
  });
  // The SQL goes through stdin: a password in it never shows in a process list.
  const psql = (sql: string, database = 'postgres'): string => {
    const [program, args] = asServerUser('psql', [
      '-h',
      socket,
      '-p',
      String(POSTGRES_PORT),
      '-U',
      'postgres',
      '-d',
      database,
      '-XAtq',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      '-',
    ]);
    const result = spawnSync(program, args, { input: sql, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${spec.name}: psql failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  await waitFor(
    `PostgreSQL ${spec.name}`,
    deadline,
    async () => runAsServer(path.join(bin, 'pg_isready'), ['-h', socket, '-p', String(POSTGRES_PORT)]).status === 0,
    () => sandbox.assertRunning(process),
  );
  return { spec, process, psql };
}

/** A new primary as the Cluster's `bootstrap.initdb` makes it: C collation, the synapse role and database, the replication user. */
export async function initPrimary(sandbox: Sandbox, spec: InstanceSpec, password: string, deadline: number): Promise<RunningInstance> {
  const { data } = instancePaths(spec);
  fs.mkdirSync(spec.root, { recursive: true });
  giveToServer(spec.root);
  const init = runAsServer(path.join(postgresBinDirectory(), 'initdb'), [
    '-D',
    data,
    '--username=postgres',
    '--encoding=UTF8',
    '--locale=C',
    '--auth-local=peer',
    '--auth-host=scram-sha-256',
  ]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  issueInstanceCertificates(spec);
  writeConfiguration(spec, { kind: 'primary', synchronousStandbys: [] });
  const instance = await startInstance(sandbox, spec, deadline);
  instance.psql(`CREATE ROLE ${POSTGRES_ROLE} LOGIN PASSWORD ${quote(password)}`);
  instance.psql(
    `CREATE DATABASE ${POSTGRES_DATABASE} OWNER ${POSTGRES_ROLE} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
  );
  instance.psql(`CREATE ROLE ${REPLICATION_USER} LOGIN REPLICATION`);
  return instance;
}

/**
 * Stops an instance: a fast shutdown (clients disconnected, the last WAL segment archived), or
 * with graceMs 0 a crash of the whole process group (SIGKILL).
 */
export function stopInstance(instance: RunningInstance, graceMs: number): Promise<void> {
  if (graceMs > 0) {
    const seconds = String(Math.ceil(graceMs / 1000));
    runAsServer(path.join(postgresBinDirectory(), 'pg_ctl'), [
      'stop',
      '-m',
      'fast',
      '-w',
      '-t',
      seconds,
      '-D',
      instancePaths(instance.spec).data,
    ]);
  }
  return stopProcess(instance.process.child, graceMs);
}
