/**
 * Boots the homeserver as this project deploys it, on loopback, with the real software:
 * OpenLDAP (slapd), PostgreSQL, Redis and HAProxy from Debian's packages, Synapse (main
 * process + media-repository worker) from PyPI at the deployed image's version, and Keycloak
 * (the identity provider every login goes through) from Maven Central at the image's version.
 *
 * Every file a server reads is taken from the workload catalogue (`workloadsOf`: the exact
 * ConfigMap contents, commands, arguments and environment the cluster receives) and put on
 * loopback by `toLoopback` (mount paths, wildcard listen addresses, image paths: see loopback.ts). Secrets
 * are the files External Secrets would write (ESO's own template engine over generated
 * values); certificates are issued by a test CA for the names cert-manager would put in them.
 * The one rendering that cannot be the shipped bytes is slapd's: the image is Bitnami's build,
 * here it is Debian's, so the config is rendered with the same renderer for Debian's layout.
 *
 * Calls: livekit-server and lk-jwt-service at the images' versions (built from source, see
 * test/support/livekit.ts and lk-jwt-service.ts) with the rendered livekit.yaml and environment,
 * each behind its TLS front (Debian's HAProxy with the rendered front config: a container of
 * its own, so its mounts are mapped on their own). The media load balancer's public address is
 * put on the namespace's loopback, where the SFU's media ports (bound to every address) answer.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeploymentConfig, HomeserverSettings } from '../../../config/deployment-config';
import { TLS_FRONT, TLS_FRONT_COMMAND } from '../../../constructs/hardened-pod-template';
import { LIVEKIT_HEALTH_PATH, LIVEKIT_LOOPBACK_PORT, RTC_AUTH_HEALTH_PATH, RTC_AUTH_LOOPBACK_PORT } from '../../../model/calls';
import { CERTIFICATE_SECRETS, homeserverCertificates } from '../../../model/certificates';
import { hostOf } from '../../../model/dns-names';
import { KEYCLOAK_PATH, REALM_NAME } from '../../../model/identity';
import { loadDeploymentConfig } from '../../../model/load-config';
import { SECRET_NAMES } from '../../../model/secrets';
import { POSTGRES_SERVICE_PORT, type WorkloadSpec } from '../../../model/workload-spec';
import {
  DEBIAN_LAYOUT,
  OPENLDAP_PATHS,
  renderSlapdConfig,
  slapdCommand,
  slapdInitCommands,
  type OpenLdapPaths,
} from '../../../render/openldap';
import { workloadsOf } from '../../../workloads/catalogue';
import { homeserverSecretDeclarations } from '../../../workloads/secrets';
import {
  bootstrapPsqlArguments,
  initdbArguments,
  instanceArguments,
  OPERATOR_SUPERUSER,
  operatorPgHba,
  operatorPgIdent,
} from '../../support/cnpg-instance';
import { deliveredFiles, valuesFor } from '../../support/delivered-secrets';
import { esoTemplateBinary } from '../../support/eso-template';
import { requireHaproxy } from '../../support/haproxy';
import { findJava, KEYCLOAK_VERSION, keycloakDistribution } from '../../support/keycloak';
import { livekitProbeBinary, livekitServerBinary, probeHealth, runProbe } from '../../support/livekit';
import { lkJwtServiceBinary } from '../../support/lk-jwt-service';
import { giveToServer, postgresBinDirectory, runAsServer, serverUserName } from '../../support/postgres';
import { Sandbox, stopProcess, tail, waitFor, type SandboxProcess } from '../../support/sandbox';
import { hashPassword, requireOpenLdapTools, run, runInitSteps, tempDirectory } from '../../support/slapd';
import { issueServerCertificate, testCa, type TestCa } from '../../support/test-ca';
import { managedObjectStatements } from './cnpg-managed';
import {
  clientAddress,
  DIRECT_CLIENT_ADDRESS,
  hostsTable,
  loopbackMapping,
  NAMESERVER_ADDRESS,
  POD_ADDRESSES,
  podNamesOf,
  POOL_SERVICE_ADDRESSES,
  serviceNames,
  toLoopback,
  tlsFrontMapping,
  poolServiceNames,
  type PoolName,
  type LoopbackMapping,
  type PodName,
} from './loopback';
import { call, type Endpoint } from './matrix-client';
import { ensureSynapseServerVenv } from './synapse-server-venv';

export const PROFILE_FILE = path.join(__dirname, '..', 'homeserver-profile.yaml');
const BRIDGE_SCRIPT = path.join(__dirname, 'loopback_bridge.py');
/** Client identities available to the probes (one loopback address each). */
const CLIENT_COUNT = 48;

export interface DirectoryUser {
  readonly uid: string;
  readonly mail: string;
  /** Member of the admission group (memberOf set in the bootstrap LDIF, as slapadd bypasses the overlay). */
  readonly member: boolean;
  readonly password: string;
}

/** A directory entry with a fresh random password (a member of the admission group or not). */
export function directoryUser(uid: string, mail: string, member: boolean): DirectoryUser {
  return { uid, mail, member, password: randomBytes(18).toString('base64url') };
}

/** A pod on loopback: its root directory, mapping, and the files as the cluster ships them and as written here. */
export interface LoopbackPod {
  readonly workload: WorkloadSpec;
  readonly root: string;
  readonly mapping: LoopbackMapping;
  /** Config files: mount path + name -> [shipped text, text written on loopback]. */
  readonly files: Readonly<Record<string, readonly [shipped: string, loopback: string]>>;
  /** The workload's TLS front (its own container): its mapping and its haproxy.cfg, shipped and on loopback. */
  readonly front?: { readonly mapping: LoopbackMapping; readonly config: readonly [shipped: string, loopback: string] };
}

/** The bootstrap LDIF (the ldap-bootstrap Secret's `ldif` value): organisation, people, admission group. */
export function bootstrapLdif(homeserver: HomeserverSettings, users: readonly DirectoryUser[]): string {
  const { baseDn, usersDn, admissionGroup, bindDn } = homeserver.directory;
  const rdnValue = (dn: string) => /^[^=]+=([^,]+)/.exec(dn)?.[1] ?? '';
  const parentOf = (dn: string) => dn.slice(dn.indexOf(',') + 1);
  const units = [...new Set([usersDn, parentOf(admissionGroup), parentOf(bindDn)])];
  const entry = (lines: string[]) => `${lines.join('\n')}\n`;
  return [
    entry([`dn: ${baseDn}`, 'objectClass: dcObject', 'objectClass: organization', `o: ${rdnValue(baseDn)}`, `dc: ${rdnValue(baseDn)}`]),
    ...units.map((dn) => entry([`dn: ${dn}`, 'objectClass: organizationalUnit', `ou: ${rdnValue(dn)}`])),
    ...users.map((user) =>
      entry([
        `dn: uid=${user.uid},${usersDn}`,
        'objectClass: inetOrgPerson',
        `uid: ${user.uid}`,
        `cn: ${user.uid}`,
        `sn: ${user.uid}`,
        `mail: ${user.mail}`,
        `userPassword: ${hashPassword(user.password)}`,
        ...(user.member ? [`memberOf: ${admissionGroup}`] : []),
      ]),
    ),
    entry([
      `dn: ${admissionGroup}`,
      'objectClass: groupOfNames',
      `cn: ${rdnValue(admissionGroup)}`,
      ...users.filter((user) => user.member).map((user) => `member: uid=${user.uid},${usersDn}`),
    ]),
  ].join('\n');
}

/** Every Secret the pods mount, as files: External Secrets' output for declared secrets, cert-manager's for certificates. */
export function secretVolumes(
  homeserver: HomeserverSettings,
  ldif: string,
  directory: string,
): { volumes: Map<string, Record<string, string>>; ca: TestCa; caPem: string; values: Map<string, Record<string, string>> } {
  const volumes = new Map<string, Record<string, string>>();
  const values = new Map<string, Record<string, string>>();
  for (const declaration of homeserverSecretDeclarations(homeserver)) {
    const generated = valuesFor(declaration, declaration.name === SECRET_NAMES.ldapBootstrap ? { ldif } : {});
    values.set(declaration.name, generated);
    volumes.set(declaration.name, deliveredFiles(declaration, generated));
  }
  fs.mkdirSync(directory, { recursive: true });
  const ca = testCa(directory, 'internal-ca');
  const caPem = fs.readFileSync(ca.certificate, 'utf8');
  // Server certificates for the names their clients dial; the replication client certificate is the operator's business.
  for (const certificate of homeserverCertificates(homeserver).filter((candidate) => candidate.usages.includes('server auth'))) {
    if (certificate.dnsNames.length === 0) throw new Error(`${certificate.secretName}: no DNS name`);
    const issued = issueServerCertificate(ca, certificate.dnsNames, directory, {
      alsoClient: certificate.usages.includes('client auth'),
    });
    const crt = fs.readFileSync(issued.certificate, 'utf8');
    const key = fs.readFileSync(issued.key, 'utf8');
    volumes.set(certificate.secretName, {
      'tls.crt': crt,
      'tls.key': key,
      'ca.crt': caPem,
      ...(certificate.combinedPem ? { 'tls-combined.pem': crt + key } : {}),
    });
  }
  return { volumes, ca, caPem, values };
}

function write(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** Lays a workload's volumes out under its pod root: config (mapped), secrets (as delivered), trust bundle, writable paths. */
export function materialize(
  workload: WorkloadSpec,
  root: string,
  mapping: LoopbackMapping,
  volumes: ReadonlyMap<string, Record<string, string>>,
  caPem: string,
  podName: string = workload.name,
): LoopbackPod {
  const files: Record<string, readonly [string, string]> = {};
  for (const configFiles of workload.configFiles ?? []) {
    for (const [name, shipped] of Object.entries(configFiles.files)) {
      const loopback = toLoopback(shipped, mapping);
      files[`${configFiles.mountPath}/${name}`] = [shipped, loopback];
      write(path.join(root, configFiles.mountPath, name), loopback);
    }
  }
  for (const mount of workload.secretMounts ?? []) {
    const secret = volumes.get(mount.secretName);
    if (!secret) throw new Error(`${workload.name} mounts ${mount.secretName}, which nothing delivers`);
    // A Secret volume's files are read-only to others (defaultMode 0400 where a key is held).
    for (const [name, content] of Object.entries(secret))
      write(path.join(root, mount.mountPath, name), content, /key|pem/.test(name) ? 0o600 : 0o644);
  }
  if (workload.trustBundle) write(path.join(root, workload.trustBundle.mountPath, 'ca.crt'), caPem);
  for (const writable of [...workload.writablePaths, ...(workload.storage ? [workload.storage] : [])])
    fs.mkdirSync(path.join(root, writable.mountPath), { recursive: true });
  return { workload, root, mapping, files, ...(workload.tlsFront ? { front: materializeFront(workload, root, volumes, podName) } : {}) };
}

/** The TLS front's two volumes, as the pod template mounts them: its haproxy.cfg (mapped) and the workload's certificate. */
function materializeFront(
  workload: WorkloadSpec,
  root: string,
  volumes: ReadonlyMap<string, Record<string, string>>,
  podName: string,
): NonNullable<LoopbackPod['front']> {
  const front = workload.tlsFront;
  if (!front) throw new Error(`${workload.name} has no TLS front`);
  const mapping = tlsFrontMapping(workload, root, podName);
  const config = toLoopback(front.configFile, mapping);
  write(path.join(root, TLS_FRONT.configDirectory, 'haproxy.cfg'), config);
  const certificate = volumes.get(front.certificateSecret);
  if (!certificate) throw new Error(`${workload.name}'s TLS front mounts ${front.certificateSecret}, which nothing delivers`);
  for (const [name, content] of Object.entries(certificate))
    write(path.join(root, TLS_FRONT.certificateDirectory, name), content, /key|pem/.test(name) ? 0o600 : 0o644);
  return { mapping, config: [front.configFile, config] };
}

/**
 * Known defects of the shipped files that would stop the boot, worked around here so the other
 * probes still run, each reported as a deviation (and failed by fidelity.itest.ts) until fixed.
 * Each applies only while the defect is present in the shipped files.
 *
 * Media worker + LDAP module: homeserver.yaml (shared by every Synapse process) loads the LDAP
 * auth module, which reads `bind_password_file` when the process starts; the media pod does not
 * mount the ldap-bind Secret (rightly: it handles no logins), so the worker exits with "Failed to
 * parse config for module 'ldap_auth_provider.LdapAuthProviderModule'". The fix belongs in the
 * media worker's own worker.yaml (`modules: []`, which Synapse's top-level merge applies).
 */
export function applyPendingFixes(pods: ReadonlyMap<string, LoopbackPod>): string[] {
  const deviations: string[] = [];
  const media = pods.get('media-repository');
  const workerFile = '/config/worker.yaml';
  const shipped = media?.files[workerFile]?.[0];
  const loadsLdapModule = /ldap_auth_provider/.test(media?.files['/config/homeserver.yaml']?.[0] ?? '');
  if (media && shipped !== undefined && loadsLdapModule && !/^modules:/m.test(shipped)) {
    fs.appendFileSync(path.join(media.root, workerFile), 'modules: []\n');
    deviations.push(
      `media-repository ${workerFile}: appended "modules: []" (the shipped worker loads the LDAP module, whose bind password file its pod does not mount)`,
    );
  }
  return deviations;
}

export interface Homeserver {
  readonly config: DeploymentConfig;
  readonly homeserver: HomeserverSettings;
  readonly directory: string;
  readonly pods: ReadonlyMap<string, LoopbackPod>;
  /** The secret values as OpenBao would hold them (to compare with what servers read). */
  readonly secretValues: ReadonlyMap<string, Record<string, string>>;
  /** Where the loopback files knowingly differ from the shipped ones (pending fixes); empty when none. */
  readonly deviations: readonly string[];
  readonly bootMs: number;
  /**
   * A new client identity (own loopback address) reaching the gateway's public Service port, by `servername` (TLS name
   * and Host: the server name unless given, e.g. the calls name).
   */
  gatewayClient(label: string, servername?: string): Endpoint;
  /** The internal CA's certificate (PEM file): what the pods trust. */
  readonly caFile: string;
  /** How long the calls pods took from start to ready, and how much of that the boot waited for (ms; 0 without calls). */
  readonly callsBoot: { readonly startedToReadyMs: number; readonly waitedMs: number };
  /** Straight to a Synapse process's or Keycloak's TLS listener, bypassing the gateway (the "second lock" checks, the back channel). */
  direct(pod: DirectPod): Endpoint;
  /** A server's log so far (logs/<name>.log: openldap, postgres, redis, synapse, media-repository, haproxy, network). */
  log(name: string): string;
  /** The namespace the servers run in (to start more servers or move a Service name). */
  readonly sandbox: Sandbox;
  /** Stops every Synapse process and starts them again (as a rollout would), waiting until each is healthy. */
  restartSynapse(deadlineMs: number): Promise<void>;
  /** Stops one Synapse pod: SIGTERM (a rollout) or SIGKILL (a lost node). */
  stopSynapse(name: SynapsePod, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts one Synapse pod again, waiting until it is healthy. */
  startSynapse(name: SynapsePod, deadlineMs: number): Promise<void>;
  /** Runs a command inside the namespace (e.g. ldapwhoami against the Service name). */
  exec(command: string, args: readonly string[], env?: Readonly<Record<string, string>>): Promise<{ status: number; output: string }>;
  /** Stops every process; removes the run directory unless `keep` (then prints where the logs are). */
  stop(keep: boolean): Promise<void>;
}

/** The pods a test can reach bypassing the gateway, and the port of each (an event persister's only HTTP listener is replication). */
const DIRECT_PORTS = {
  synapse: 8008,
  'media-repository': 8008,
  keycloak: 8443,
  'event-persister-1': 9093,
  'sync-workers-0': 8008,
  'sync-workers-1': 8008,
  'client-readers-0': 8008,
  'client-readers-1': 8008,
} as const;
export type DirectPod = keyof typeof DIRECT_PORTS;
/** The Synapse pods the boot starts, in this order once the main process is up. */
export const SYNAPSE_PODS = [
  'synapse',
  'event-persister-1',
  'sync-workers-0',
  'sync-workers-1',
  'client-readers-0',
  'client-readers-1',
  'media-repository',
] as const;
export type SynapsePod = (typeof SYNAPSE_PODS)[number];

/** Keycloak's version in the deployed image's tag, which the loopback distribution must match. */
function imageKeycloakVersion(image: string): string | undefined {
  return /:v?([0-9]+\.[0-9]+\.[0-9]+)(?:@.*)?$/.exec(image)?.[1];
}

const PROGRAMS: Readonly<Record<string, string>> = {
  haproxy: '/usr/sbin/haproxy',
  'redis-server': '/usr/bin/redis-server',
  install: '/usr/bin/install',
};

/** What a replacement for the catalogue's PostgreSQL gets to bring the database up. */
export interface DatabaseContext {
  readonly sandbox: Sandbox;
  readonly directory: string;
  /** Epoch ms by which the database must accept Synapse's connections. */
  readonly deadline: number;
  /** The internal CA standing in for cert-manager's (to issue the database's certificates). */
  readonly ca: TestCa;
  /** Every Secret as delivered (the database password: SECRET_NAMES.database). */
  readonly volumes: ReadonlyMap<string, Record<string, string>>;
  /** The pods as laid out (Synapse's database settings are in its homeserver.yaml). */
  readonly pods: ReadonlyMap<string, LoopbackPod>;
  /**
   * What the operator runs beyond the bootstrap (the Cluster's managed roles and the Database
   * objects: the identity provider's role and database), to run as the superuser once the
   * primary is up.
   */
  readonly managedStatements: readonly string[];
}

/**
 * Runs a pod's init steps in order, outside the namespace (as Synapse's are), without blocking
 * the boot: each step's output goes to `logFile`; rejects with the log's tail when one fails.
 */
function runInitStepsAsync(
  loopbackPod: LoopbackPod,
  env: Readonly<Record<string, string>>,
  logFile: string,
  resolve: (command: readonly string[]) => [string, string[]],
): Promise<void> {
  return (async () => {
    for (const step of loopbackPod.workload.initSteps ?? []) {
      const [program, args] = resolve(step.command);
      const out = fs.openSync(logFile, 'a');
      const child = spawn(program, args, { cwd: loopbackPod.root, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      const status = await new Promise<string>((done) => {
        child.once('error', (error) => done(error.message));
        child.once('exit', (code, signal) => done(signal ?? String(code)));
      });
      if (status !== '0')
        throw new Error(`${loopbackPod.workload.name} init step ${step.name} failed (${status}); log ${logFile}:\n${tail(logFile, 40)}`);
    }
  })();
}

export async function bootHomeserver(options: {
  users: readonly DirectoryUser[];
  bootDeadlineMs: number;
  profile?: string;
  /**
   * Brings the database up instead of the catalogue's PostgreSQL workload: the synapse role
   * (with the delivered password) and database, served over TLS at the name Synapse connects to.
   */
  database?: (context: DatabaseContext) => Promise<void>;
}): Promise<Homeserver> {
  // Tools first (cold: venv build, ESO's template engine); the boot deadline starts after them.
  const python = ensureSynapseServerVenv();
  // Keycloak: the image's distribution (downloaded and checked once per machine) and a Java >= 21.
  const keycloakImageHome = keycloakDistribution();
  const java = findJava();
  esoTemplateBinary();
  requireOpenLdapTools();
  requireHaproxy();
  const postgresBin = postgresBinDirectory();
  // The calls pods' programs (built once per machine) and the probe the boot checks them with.
  const callsPrograms: Record<string, string> = {};
  if (loadDeploymentConfig(options.profile ?? PROFILE_FILE).homeservers[0]?.calls) {
    callsPrograms['/livekit-server'] = livekitServerBinary();
    callsPrograms['/lk-jwt-service'] = lkJwtServiceBinary();
    livekitProbeBinary();
  }
  const programs: Record<string, string> = { ...PROGRAMS, ...callsPrograms, python };

  const started = Date.now();
  const deadline = started + options.bootDeadlineMs;
  const config = loadDeploymentConfig(options.profile ?? PROFILE_FILE);
  const homeserver = config.homeservers[0];
  if (!homeserver || homeserver.directory.mode !== 'in-cluster' || homeserver.federation.enabled)
    throw new Error('the integration profile must have one homeserver, an in-cluster directory and federation off');
  const keycloakImage = config.images.effective.keycloak;
  if (imageKeycloakVersion(keycloakImage) !== KEYCLOAK_VERSION)
    throw new Error(
      `images.keycloak is ${keycloakImage}; the integration tier runs Keycloak ${KEYCLOAK_VERSION} (test/support/keycloak.ts): update both together`,
    );
  const directory = tempDirectory('matrix-itest-');
  fs.chmodSync(directory, 0o755);
  const sandbox = await Sandbox.create(directory, hostsTable(homeserver), NAMESERVER_ADDRESS);
  const stop = async (keep: boolean) => {
    await sandbox.stop();
    if (keep) {
      const report = sandbox
        .logFiles()
        .map((file) => `--- ${file} (last lines)\n${tail(file, 25)}`)
        .join('\n');
      process.stderr.write(`\nintegration tier: run directory KEPT at ${directory} (every server's log under logs/)\n${report}\n`);
    } else {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  };

  try {
    const ldif = bootstrapLdif(homeserver, options.users);
    const { volumes, ca: internalCa, caPem, values } = secretVolumes(homeserver, ldif, path.join(directory, 'ca'));
    fs.mkdirSync(path.join(directory, 'sockets'));
    const names = serviceNames(homeserver);
    const workloads = workloadsOf(config, homeserver);
    const pods = new Map<string, LoopbackPod>();
    for (const workload of workloads) {
      for (const podName of podNamesOf(workload)) {
        const root = path.join(directory, 'pods', podName);
        const mapping = loopbackMapping(workload, root, config.images.effective.synapse, keycloakImageHome, podName);
        pods.set(podName, materialize(workload, root, mapping, volumes, caPem, podName));
      }
    }
    const deviations = applyPendingFixes(pods);
    for (const deviation of deviations) process.stderr.write(`integration tier: DEVIATION from the shipped files: ${deviation}\n`);
    const pod = (name: PodName) => {
      const found = pods.get(name);
      if (!found) throw new Error(`no ${name} workload in the catalogue`);
      return found;
    };
    const mapped = (loopbackPod: LoopbackPod, args: readonly string[]) => args.map((arg) => toLoopback(arg, loopbackPod.mapping));
    const resolveProgram = ([program, ...args]: readonly string[]): [string, string[]] => [programs[program ?? ''] ?? program ?? '', args];
    /** The workload's environment, mapped like its files. */
    const podEnv = (loopbackPod: LoopbackPod): Record<string, string> =>
      Object.fromEntries(
        Object.entries(loopbackPod.workload.env ?? {}).map(([key, value]) => [key, toLoopback(value, loopbackPod.mapping)]),
      );

    // The cluster's network: client sockets, Service port translation, DNS.
    const clientSockets = Array.from({ length: CLIENT_COUNT }, (_, index) => ({
      socket: path.join(directory, 'sockets', `client-${index}.sock`),
      source: clientAddress(index),
      target: [POD_ADDRESSES.haproxy, 443],
    }));
    const directSockets = (Object.keys(DIRECT_PORTS) as DirectPod[]).map((name) => ({
      socket: path.join(directory, 'sockets', `direct-${name}.sock`),
      source: DIRECT_CLIENT_ADDRESS,
      target: [POD_ADDRESSES[name], DIRECT_PORTS[name]],
    }));
    const services = [
      ...workloads.flatMap((workload) =>
        workload.ports
          .filter((port) => port.servicePort !== undefined && port.servicePort !== port.containerPort)
          .map((port) => ({
            listen: [POD_ADDRESSES[workload.name as PodName], port.servicePort],
            targets: [[POD_ADDRESSES[workload.name as PodName], port.containerPort]],
          })),
      ),
      // A pool's Service: every pod behind one address, as kube-proxy spreads connections over the ready endpoints.
      ...workloads
        .filter((workload) => workload.name in POOL_SERVICE_ADDRESSES)
        .flatMap((workload) =>
          workload.ports
            .filter((port) => port.servicePort !== undefined)
            .map((port) => ({
              listen: [POOL_SERVICE_ADDRESSES[workload.name as PoolName], port.servicePort],
              targets: podNamesOf(workload).map((podName) => [POD_ADDRESSES[podName], port.containerPort]),
            })),
        ),
    ];
    const bridge = sandbox.start('network', 'python3', [
      BRIDGE_SCRIPT,
      JSON.stringify({
        clients: [...clientSockets, ...directSockets],
        services,
        dns: { listen: [NAMESERVER_ADDRESS, 53], hosts: hostsTable(homeserver) },
      }),
    ]);
    await waitFor(
      'the loopback network',
      deadline,
      async () => fs.readFileSync(bridge.logFile, 'utf8').includes('ready'),
      () => sandbox.assertRunning(bridge),
    );

    // Identity provider, first step: its init step (copy the image's distribution into the writable home, `kc.sh build`)
    // takes the longest of all, needs nothing else running, and runs while the rest boots.
    const keycloakPod = pod('keycloak');
    const keycloakEnv = { ...podEnv(keycloakPod), JAVA_HOME: java.javaHome, KC_HTTP_HOST: POD_ADDRESSES.keycloak };
    const keycloakInit = runInitStepsAsync(keycloakPod, keycloakEnv, path.join(directory, 'logs', 'keycloak-init.log'), (step) =>
      resolveProgram(mapped(keycloakPod, step)),
    );
    // A rejection is awaited below; until then it must not count as unhandled.
    keycloakInit.catch(() => undefined);

    // Directory: the Bitnami image's layout is not Debian's, so render the same config for Debian's slapd.
    const ldap = pod('openldap');
    const ldapPaths = Object.fromEntries(
      Object.entries(OPENLDAP_PATHS).map(([key, value]) => [key, `${ldap.root}${value}`]),
    ) as unknown as OpenLdapPaths;
    write(path.join(ldapPaths.configDirectory, 'slapd-config.ldif'), renderSlapdConfig(homeserver.directory, DEBIAN_LAYOUT, ldapPaths));
    fs.mkdirSync(ldapPaths.runtimeConfigDirectory, { recursive: true });
    runInitSteps(slapdInitCommands(DEBIAN_LAYOUT, homeserver.directory, ldapPaths));
    const [slapdProgram, ...slapdArgs] = slapdCommand(DEBIAN_LAYOUT, ldapPaths);
    const slapd = sandbox.start('openldap', slapdProgram ?? '', slapdArgs);

    // PostgreSQL: as the operator's instance manager lays an instance out (test/support/cnpg-instance.ts states what it
    // adds itself), with the Cluster's rendered parameters and pg_hba, the postgres-tls Secret and the bootstrap Secret.
    const operatorDatabase = async () => {
      const pgRoot = path.join(directory, 'pods', 'postgres');
      const pgPaths = {
        tls: path.join(pgRoot, 'controller', 'certificates'),
        config: path.join(pgRoot, 'config'),
        socket: path.join(pgRoot, 'run'),
        listen: POD_ADDRESSES.postgres,
        port: POSTGRES_SERVICE_PORT.containerPort,
      };
      const serverTls = volumes.get(CERTIFICATE_SECRETS.postgres);
      if (!serverTls) throw new Error('no postgres-tls certificate was issued');
      for (const [name, content] of Object.entries(serverTls))
        write(path.join(pgPaths.tls, name), content, name.endsWith('.key') ? 0o600 : 0o644);
      write(path.join(pgPaths.config, 'pg_hba.conf'), operatorPgHba());
      write(path.join(pgPaths.config, 'pg_ident.conf'), operatorPgIdent(serverUserName()));
      fs.mkdirSync(pgPaths.socket, { recursive: true });
      const pgData = path.join(pgRoot, 'var', 'lib', 'postgresql', 'data', 'pgdata');
      fs.mkdirSync(path.dirname(pgData), { recursive: true });
      giveToServer(pgRoot);
      fs.chmodSync(path.join(directory, 'pods'), 0o755);
      const initdb = runAsServer(path.join(postgresBin, 'initdb'), initdbArguments(pgData));
      if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr}`);
      const postgres = sandbox.start('postgres', path.join(postgresBin, 'postgres'), ['-D', pgData, ...instanceArguments(pgPaths)], {
        env: { PGDATA: pgData },
        asNobody: true,
      });
      const pgSocketDirectory = pgPaths.socket;
      await waitFor(
        'PostgreSQL',
        deadline,
        async () => run(path.join(postgresBin, 'pg_isready'), ['-h', pgSocketDirectory, '-p', String(pgPaths.port)]).status === 0,
        () => sandbox.assertRunning(postgres),
      );
      // The bootstrap: the owner role with the delivered password, and its database (peer, as the server's user).
      const password = volumes.get(SECRET_NAMES.database)?.password ?? '';
      const created = runAsServer('psql', bootstrapPsqlArguments(pgSocketDirectory, pgPaths.port, password));
      if (created.status !== 0) throw new Error(`database bootstrap failed: ${created.stderr}`);
      // Then the operator's reconcilers: the managed roles and the Database objects (the identity provider's).
      for (const statement of managedStatements) {
        const reconciled = runAsServer('psql', [
          '-h',
          pgSocketDirectory,
          '-p',
          String(pgPaths.port),
          '-U',
          OPERATOR_SUPERUSER,
          '-d',
          'postgres',
          '-XAtq',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          statement,
        ]);
        if (reconciled.status !== 0) throw new Error(`managed database object failed: ${reconciled.stderr}`);
      }
    };
    const managedStatements = managedObjectStatements(config, homeserver, volumes);

    // Calls: the SFU, the authorisation service and their TLS fronts depend on nothing here, so they start now and
    // are waited for only before the gateway. The rendered commands and environment, mapped like every pod's.
    const callsStarted = Date.now();
    let callsReadyAt = callsStarted;
    const callsReady = homeserver.calls ? startCalls(homeserver.calls.media.publicAddress) : Promise.resolve();
    callsReady.catch(() => undefined);
    async function startCalls(publicAddress: string): Promise<void> {
      // The address the media load balancer publishes, on the namespace's loopback: LiveKit announces it (node_ip) and
      // its TURN server relays from it, and clients reach the media ports there.
      const added = await sandbox.exec('/bin/ip', ['address', 'add', `${publicAddress}/32`, 'dev', 'lo']);
      if (added.status !== 0) throw new Error(`could not add the media address ${publicAddress}: ${added.output}`);
      const checks: Promise<void>[] = [];
      for (const [name, loopbackPort, healthPath] of [
        ['livekit', LIVEKIT_LOOPBACK_PORT, LIVEKIT_HEALTH_PATH],
        ['rtc-auth', RTC_AUTH_LOOPBACK_PORT, RTC_AUTH_HEALTH_PATH],
      ] as const) {
        const callsPod = pod(name);
        const { front } = callsPod;
        const frontPort = callsPod.workload.tlsFront?.port.containerPort;
        if (!front || frontPort === undefined) throw new Error(`${name} has no TLS front`);
        // The image sets no SSL_CERT_FILE: the test runner's own bundle must not decide what the program trusts (SSL_CERT_DIR does).
        const program = sandbox.start(name, ...resolveProgram(mapped(callsPod, callsPod.workload.command ?? [])), {
          env: { SSL_CERT_FILE: '', ...podEnv(callsPod) },
          cwd: callsPod.root,
        });
        const frontProcess = sandbox.start(
          `${name}-tls-front`,
          ...resolveProgram(TLS_FRONT_COMMAND.map((arg) => toLoopback(arg, front.mapping))),
        );
        const frontHealth = `https://${names[name] ?? ''}:${frontPort}${healthPath}`;
        checks.push(
          waitFor(
            `${name} (on loopback)`,
            deadline,
            () => probeHealth(sandbox, `http://127.0.0.1:${loopbackPort}${healthPath}`),
            () => sandbox.assertRunning(program),
          ),
          waitFor(
            `${name}'s TLS front (its Service name, the internal CA)`,
            deadline,
            async () => (await runProbe(sandbox, ['health', '--url', frontHealth, '--ca', internalCa.certificate], {}, 5_000)).status === 0,
            () => {
              sandbox.assertRunning(program);
              sandbox.assertRunning(frontProcess);
            },
          ),
        );
      }
      await Promise.all(checks);
      callsReadyAt = Date.now();
    }

    // Redis: the rendered command as is.
    const redisPod = pod('redis');
    const redis = sandbox.start('redis', ...resolveProgram(mapped(redisPod, redisPod.workload.command ?? [])), { env: podEnv(redisPod) });

    fs.chmodSync(path.join(directory, 'pods'), 0o755);
    await (options.database
      ? options.database({ sandbox, directory, deadline, ca: internalCa, volumes, pods, managedStatements })
      : operatorDatabase());
    await waitFor(
      'Redis',
      deadline,
      () => sandbox.acceptsTcp(POD_ADDRESSES.redis, 6379),
      () => sandbox.assertRunning(redis),
    );
    await waitFor(
      'OpenLDAP (through its Service port)',
      deadline,
      () => sandbox.acceptsTcp(POD_ADDRESSES.openldap, 636),
      () => sandbox.assertRunning(slapd),
    );

    const ca = Buffer.from(caPem);
    const direct = (name: DirectPod): Endpoint => ({
      label: `direct to ${name}`,
      socketPath: path.join(directory, 'sockets', `direct-${name}.sock`),
      address: DIRECT_CLIENT_ADDRESS,
      // A pool's pods answer with the pool's certificate name (its Service's).
      servername: names[name] ?? poolServiceNames(homeserver)[name.replace(/-[0-9]+$/, '') as PoolName],
      ca,
    });

    // Identity provider, second step: the rendered start command once its build is done and its database exists.
    await keycloakInit;
    const keycloak = sandbox.start('keycloak', ...resolveProgram(mapped(keycloakPod, keycloakPod.workload.command ?? [])), {
      env: keycloakEnv,
      cwd: keycloakPod.root,
    });
    const keycloakReady = waitFor(
      'Keycloak (the realm discovery document on its Service name)',
      deadline,
      async () =>
        (
          await call(direct('keycloak'), 'GET', `${KEYCLOAK_PATH}/realms/${REALM_NAME}/.well-known/openid-configuration`, {
            timeoutMs: 3_000,
          })
        ).status === 200,
      () => sandbox.assertRunning(keycloak),
    );
    keycloakReady.catch(() => undefined);
    const healthy = (name: SynapsePod) => async () => (await call(direct(name), 'GET', '/health', { timeoutMs: 3_000 })).status === 200;

    // Synapse: init steps (the 0600 pgpass copy; a pool pod's worker name), then the rendered command, with the
    // host name Kubernetes gives a pod (its name); the workers only once main has prepared the database.
    const startSynapse = (name: SynapsePod): SandboxProcess => {
      const synapsePod = pod(name);
      const env = { ...podEnv(synapsePod), HOSTNAME: name };
      for (const step of synapsePod.workload.initSteps ?? []) {
        const [program, args] = resolveProgram(mapped(synapsePod, step.command));
        const result = run(program, args, { env });
        if (result.status !== 0) throw new Error(`${name} init step ${step.name} failed: ${result.stderr}`);
      }
      return sandbox.start(name, ...resolveProgram(mapped(synapsePod, synapsePod.workload.command ?? [])), { cwd: synapsePod.root, env });
    };
    const running = new Map<SynapsePod, SandboxProcess>();
    const startAndWait = async (name: SynapsePod, until: number) => {
      const started = startSynapse(name);
      running.set(name, started);
      await waitFor(`Synapse ${name}`, until, healthy(name), () => sandbox.assertRunning(started));
    };
    await startAndWait('synapse', deadline);
    await Promise.all(SYNAPSE_PODS.filter((name) => name !== 'synapse').map((name) => startAndWait(name, deadline)));

    await keycloakReady;
    const callsWaitStarted = Date.now();
    await callsReady;
    const callsBoot = homeserver.calls
      ? { startedToReadyMs: callsReadyAt - callsStarted, waitedMs: Date.now() - callsWaitStarted }
      : { startedToReadyMs: 0, waitedMs: 0 };

    // The gateway, last: its health checks then find every backend up.
    const gatewayPod = pod('haproxy');
    const haproxy = sandbox.start('haproxy', ...resolveProgram(mapped(gatewayPod, gatewayPod.workload.command ?? [])), {
      env: podEnv(gatewayPod),
    });
    let nextClient = 0;
    const gatewayClient = (label: string, servername = hostOf(homeserver.serverName)): Endpoint => {
      const index = nextClient++;
      const socket = clientSockets[index];
      if (!socket) throw new Error(`more than ${CLIENT_COUNT} client identities requested`);
      return {
        label,
        socketPath: socket.socket,
        address: socket.source,
        servername,
        ca,
      };
    };
    const probe = gatewayClient('boot: gateway readiness');
    const callsProbe = homeserver.calls ? gatewayClient('boot: gateway readiness (calls)', homeserver.calls.hostname) : undefined;
    await waitFor(
      'the gateway (client API, media and call routes)',
      deadline,
      async () =>
        (await call(probe, 'GET', '/_matrix/client/versions', { timeoutMs: 3_000 })).status === 200 &&
        (await call(probe, 'GET', '/_matrix/client/v1/media/config', { timeoutMs: 3_000 })).status === 401 &&
        // The call backends are up once the programs answer through them: the service's 405 to a GET, LiveKit's JSON refusal.
        (!callsProbe ||
          ((await call(callsProbe, 'GET', '/get_token', { timeoutMs: 3_000 })).status === 405 &&
            (await call(callsProbe, 'POST', '/twirp/livekit.RoomService/CreateRoom', { json: {}, timeoutMs: 3_000 })).json !== undefined)),
      () => sandbox.assertRunning(haproxy),
    );
    const stopSynapse = async (name: SynapsePod, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
      const process = running.get(name);
      if (!process) return;
      if (signal === 'SIGKILL') process.child.kill('SIGKILL');
      await stopProcess(process.child, 10_000);
      running.delete(name);
    };
    const restartSynapse = async (deadlineMs: number) => {
      const until = Date.now() + deadlineMs;
      for (const name of [...SYNAPSE_PODS].reverse()) await stopSynapse(name);
      await startAndWait('synapse', until);
      await Promise.all(SYNAPSE_PODS.filter((name) => name !== 'synapse').map((name) => startAndWait(name, until)));
    };
    const log = (name: string) => fs.readFileSync(path.join(directory, 'logs', `${name}.log`), 'utf8');
    const exec = (command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) =>
      sandbox.exec(command, args, 10_000, env);
    return {
      config,
      homeserver,
      directory,
      pods,
      secretValues: values,
      deviations,
      bootMs: Date.now() - started,
      gatewayClient,
      caFile: internalCa.certificate,
      callsBoot,
      direct,
      sandbox,
      restartSynapse,
      stopSynapse,
      startSynapse: (name: SynapsePod, deadlineMs: number) => startAndWait(name, Date.now() + deadlineMs),
      log,
      exec,
      stop,
    };
  } catch (error) {
    await stop(true);
    throw error;
  }
}
