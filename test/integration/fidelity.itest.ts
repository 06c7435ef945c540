/**
 * What the integration tier runs is what the deployment ships. Checked without booting:
 *  - its deployment config is config/default.yaml with only the documented changes, and the
 *    real loader accepts it;
 *  - every file, command, argument and environment value of every workload differs from the
 *    shipped one only by the loopback mapping (mount paths, Synapse's and HAProxy's wildcard
 *    listen addresses, Keycloak's image directory), which `fromLoopback` undoes exactly; a TLS
 *    front's (its own container) only by its own mounts and its wildcard listen address;
 *  - slapd's config differs from the shipped (Bitnami layout) one only by the Debian layout;
 *  - each Synapse process starts with only the Secrets its own pod mounts (the real loader,
 *    nothing else provided).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { TLS_FRONT, TLS_FRONT_COMMAND } from '../../constructs/hardened-pod-template';
import { loadDeploymentConfig } from '../../model/load-config';
import { DEBIAN_LAYOUT, OPENLDAP_PATHS, renderSlapdConfig, type OpenLdapPaths } from '../../render/openldap';
import { workloadsOf } from '../../workloads/catalogue';
import { defaultConfigObject, setPath } from '../config/config-fixtures';
import { tempDirectory } from '../support/slapd';
import { bootstrapLdif, materialize, PROFILE_FILE, secretVolumes } from './support/homeserver';
import {
  fromLoopback,
  loopbackMapping,
  mountPathsOf,
  podNamesOf,
  POD_ADDRESSES,
  tlsFrontMapping,
  toLoopback,
  type PodName,
} from './support/loopback';
import { ensureSynapseServerVenv } from './support/synapse-server-venv';

jest.setTimeout(20 * 60_000);

/** The profile's documented changes (see the header of homeserver-profile.yaml). */
const PROFILE_CHANGES: Readonly<Record<string, string>> = {
  'homeservers[0].synapse.maxUploadSize': '1M',
  'homeservers[0].synapse.tokens.sessionLifetime': '1h',
  'homeservers[0].synapse.tokens.refreshTokenLifetime': '30m',
  'homeservers[0].synapse.tokens.refreshableAccessTokenLifetime': '10s',
  'homeservers[0].synapse.tokens.nonrefreshableAccessTokenLifetime': '75s',
};

const config = loadDeploymentConfig(PROFILE_FILE);
const homeserver = config.homeservers[0]!;
const workloads = workloadsOf(config, homeserver);
const ROOT = '/nonexistent/pod-root';
/** Stands in for the cached Keycloak distribution (these checks run nothing). */
const KEYCLOAK_IMAGE_HOME = '/nonexistent/keycloak-distribution';

describe('the integration profile', () => {
  it('is config/default.yaml with only the documented changes, and the real loader accepts it', () => {
    const expected = defaultConfigObject();
    for (const [field, value] of Object.entries(PROFILE_CHANGES)) setPath(expected, field, value);
    expect(parse(fs.readFileSync(PROFILE_FILE, 'utf8'))).toEqual(expected);
    expect(homeserver.synapse.tokens.nonrefreshableAccessTokenLifetime).toBe('75s');
  });

  it('deploys the same workloads as the default config, with the same images, ports and mounts', () => {
    const shipped = workloadsOf(loadDeploymentConfig(), loadDeploymentConfig().homeservers[0]!);
    const shape = (list: typeof workloads) =>
      list.map((workload) => ({
        name: workload.name,
        image: workload.image,
        ports: workload.ports,
        mounts: mountPathsOf(workload),
        command: workload.command,
        args: workload.args,
      }));
    expect(shape(workloads)).toEqual(shape(shipped));
  });
});

describe('every workload runs its shipped files, changed only by the loopback mapping', () => {
  const cases = workloads.flatMap((workload) => {
    // A pool's files are the same for each pod: its first pod stands for all.
    const [podName = workload.name] = podNamesOf(workload);
    const mapping = loopbackMapping(workload, `${ROOT}/${workload.name}`, config.images.effective.synapse, KEYCLOAK_IMAGE_HOME, podName);
    const texts: [string, string][] = [
      ...(workload.configFiles ?? []).flatMap((files) =>
        Object.entries(files.files).map(([name, text]) => [`${files.mountPath}/${name}`, text] as [string, string]),
      ),
      ['command', (workload.command ?? []).join('\n')],
      ['args', (workload.args ?? []).join('\n')],
      [
        'env',
        Object.entries(workload.env ?? {})
          .map(([key, value]) => `${key}=${value}`)
          .join('\n'),
      ],
      ['init steps', (workload.initSteps ?? []).map((step) => step.command.join(' ')).join('\n')],
    ];
    // A TLS front is a container of its own, with its own mounts and command.
    const front = workload.tlsFront
      ? (() => {
          const frontMapping = tlsFrontMapping(workload, `${ROOT}/${workload.name}`, podName);
          const frontTexts: [string, string][] = [
            [`tls-front ${TLS_FRONT.configDirectory}/haproxy.cfg`, workload.tlsFront.configFile],
            ['tls-front command', TLS_FRONT_COMMAND.join('\n')],
          ];
          return frontTexts.map(([what, text]) => ({ label: `${workload.name}: ${what}`, workload, podName, mapping: frontMapping, text }));
        })()
      : [];
    return [
      ...texts
        .filter(([, text]) => text !== '')
        .map(([what, text]) => ({ label: `${workload.name}: ${what}`, workload, podName, mapping, text })),
      ...front,
    ];
  });

  it.each(cases.map((entry) => [entry.label, entry] as const))('%s', (_label, { podName, mapping, text }) => {
    const address = POD_ADDRESSES[podName as PodName];
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(`"${address}"`);
    const loopback = toLoopback(text, mapping);
    expect(fromLoopback(loopback, mapping)).toBe(text);
    // Only lines naming one of the pod's mount paths, or one of its literal replacements (wildcard listen address, image directory), change.
    const shippedLines = text.split('\n');
    const loopbackLines = loopback.split('\n');
    expect(loopbackLines).toHaveLength(shippedLines.length);
    shippedLines.forEach((line, index) => {
      if (loopbackLines[index] === line) return;
      const namesMount = mapping.mountPaths.some((mountPath) => line.includes(mountPath));
      expect({ line, explained: namesMount || mapping.listen.some(([from]) => line.includes(from)) }).toEqual({
        line,
        explained: true,
      });
    });
  });

  it('keeps every Service name, port and TLS name: the gateway verifies the backends as deployed', () => {
    const gateway = cases.find((entry) => entry.label === 'haproxy: /config/haproxy.cfg')!;
    const loopback = toLoopback(gateway.text, gateway.mapping);
    expect(loopback).toContain(
      `server synapse synapse.agency-homeserver.svc:8008 ssl verify required ca-file ${ROOT}/haproxy/trust/ca.crt verifyhost synapse.agency-homeserver.svc sni str(synapse.agency-homeserver.svc) check check-ssl check-sni synapse.agency-homeserver.svc inter 10s resolvers cluster init-addr last,libc,none`,
    );
    const synapse = cases.find((entry) => entry.label === 'synapse: /config/homeserver.yaml')!;
    const homeserverYaml = toLoopback(synapse.text, synapse.mapping);
    for (const kept of [
      'host: "postgres-rw.agency-homeserver.svc"',
      'sslmode: "verify-full"',
      'host: "redis.agency-homeserver.svc"',
      'token_endpoint: "https://keycloak.agency-identity.svc:8443/auth/realms/matrix/protocol/openid-connect/token"',
      'host: "media-repository.agency-media.svc"',
    ])
      expect(homeserverYaml).toContain(kept);
    // Keycloak dials the database and the directory by their Service names, TLS verified as deployed.
    const keycloakConf = cases.find((entry) => entry.label === 'keycloak: /config/server/keycloak.conf')!;
    expect(toLoopback(keycloakConf.text, keycloakConf.mapping)).toContain(
      `db-url=jdbc:postgresql://postgres-rw.agency-homeserver.svc:5432/keycloak?sslmode=verify-full&sslrootcert=${ROOT}/keycloak/trust/ca.crt`,
    );
  });

  it('renders slapd for Debian differing from the shipped (Bitnami) config only in the layout', () => {
    const [directory] = workloads.filter((workload) => workload.name === 'openldap');
    const shipped = directory?.configFiles?.[0]?.files['slapd-config.ldif'] ?? '';
    const root = `${ROOT}/openldap`;
    const paths = Object.fromEntries(
      Object.entries(OPENLDAP_PATHS).map(([key, value]) => [key, `${root}${value}`]),
    ) as unknown as OpenLdapPaths;
    const debian = renderSlapdConfig(homeserver.directory, DEBIAN_LAYOUT, paths).split(root).join('');
    const shippedLines = shipped.split('\n');
    const debianLines = debian.split('\n');
    expect(debianLines).toHaveLength(shippedLines.length);
    const differing = shippedLines.filter((line, index) => debianLines[index] !== line);
    expect(differing.map((line) => line.split(/[: ]/)[0])).toEqual(['olcTLSCipherSuite', 'olcModulePath', 'include', 'include', 'include']);
  });
});

describe('each Synapse process starts with only the Secrets its own pod mounts', () => {
  const LOAD = [
    'import sys',
    'from synapse.config._base import ConfigError',
    'from synapse.config.homeserver import HomeServerConfig',
    'try:',
    '    HomeServerConfig.load_config("check", sys.argv[1:])',
    '    print("ok")',
    'except ConfigError as error:',
    '    print("ConfigError: %s %s" % (".".join(error.path or []), error.msg))',
  ].join('\n');
  let python = '';
  let root = '';
  let volumes: ReadonlyMap<string, Record<string, string>> = new Map();
  let caPem = '';
  beforeAll(() => {
    python = ensureSynapseServerVenv();
    root = tempDirectory('matrix-itest-mounts-');
    ({ volumes, caPem } = secretVolumes(homeserver, bootstrapLdif(homeserver, []), path.join(root, 'ca')));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each(
    workloads
      .filter((workload) => workload.image === config.images.effective.synapse)
      .map((workload) => [workload.name, workload] as const),
  )('%s', (name, workload) => {
    const podRoot = path.join(root, name);
    const [podName = name] = podNamesOf(workload);
    const mapping = loopbackMapping(workload, podRoot, config.images.effective.synapse, undefined, podName);
    const pod = materialize(workload, podRoot, mapping, volumes, caPem);
    // A pool pod's worker name file, written by its own init step as the pod starts.
    for (const step of (workload.initSteps ?? []).filter((candidate) => candidate.name === 'worker-name')) {
      const [, ...stepArgs] = step.command.map((arg) => toLoopback(arg, pod.mapping));
      const written = spawnSync(python, stepArgs, { cwd: podRoot, encoding: 'utf8', env: { ...process.env, HOSTNAME: podName } });
      expect({ step: step.name, status: written.status, stderr: written.stderr }).toEqual({ step: step.name, status: 0, stderr: '' });
    }
    const args = (workload.command ?? []).slice(3).map((arg) => toLoopback(arg, pod.mapping));
    const result = spawnSync(python, ['-c', LOAD, ...args], { cwd: podRoot, encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).not.toMatch(/Traceback/);
    // A failure here means the pod, as deployed, exits at start (see applyPendingFixes in support/homeserver.ts).
    expect({ process: name, mounts: (workload.secretMounts ?? []).map((mount) => mount.secretName), result: result.stdout.trim() }).toEqual(
      { process: name, mounts: expect.any(Array), result: 'ok' },
    );
  });
});
