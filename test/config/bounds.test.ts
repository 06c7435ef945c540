/**
 * Breadth and placement limits: no schema-valid config may weaken a control by being too
 * wide (near-internet allowlists), too high (alerts that never fire), in the wrong place
 * (shared or reserved namespaces, an unlisted mirror), spelled twice (server names with and
 * without their default port) or too long for a name derived from it. Each refusal names the
 * field path; the values just inside each bound are accepted.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { appCommandOf } from '../../config/app-command';
import { ConfigError } from '../../config/load-config';
import { projectRoot } from '../../config/project-root';
import { parseDeploymentConfig } from '../../model/load-config';
import { DEPLOYMENT_NAME_MAX, HOMESERVER_NAME_MAX } from '../../model/name-limits';
import { composeDeployment } from '../../stacks/compose-deployment';
import { withoutTokenCreationStacks } from '../../stacks/token-creation-stacks';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { isObject, type JsonValue } from '../../tfjson/terraform-json';
import { defaultConfigObject, fleetConfigObject, setPath, toYaml, type Mutable } from './config-fixtures';

function issuesOf(config: Mutable): { path: string; message: string }[] {
  try {
    parseDeploymentConfig(toYaml(config), 'bounds.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

type Mutation = (config: Mutable) => void;
const s3 =
  (cidrs: string[]): Mutation =>
  (c) =>
    setPath(c, 'homeservers[0].media', {
      s3: { endpoint: 'https://s3.example.org', bucket: 'media', cidrs, protection: { versioning: 'enabled', objectLockDays: 30 } },
    });
const external =
  (cidrs: string[]): Mutation =>
  (c) => {
    setPath(c, 'homeservers[0].directory.mode', 'external');
    setPath(c, 'homeservers[0].directory.external', { host: 'ldap.example.org', cidrs });
  };
const federation =
  (egressCidrs?: string[], peers: string[] = ['matrix.partner.example.net']): Mutation =>
  (c) =>
    setPath(c, 'homeservers[0].federation', { enabled: true, peers, ...(egressCidrs ? { egressCidrs } : {}) });
const smtp =
  (notifFrom: string): Mutation =>
  (c) =>
    setPath(c, 'homeservers[0].synapse.smtp', { host: 'smtp.agency.example.org', port: 587, username: 'matrix', notifFrom });
const set =
  (field: string, value: unknown): Mutation =>
  (c) =>
    setPath(c, field, value);
const ranges = (count: number) => Array.from({ length: count }, (_, index) => `198.51.${index}.0/24`);

type Refused = readonly [description: string, mutate: Mutation, path: string, message: RegExp];
type Accepted = readonly [description: string, mutate: Mutation];

const REFUSED: readonly Refused[] = [
  // Allowlists of outside services: one organisation's block at most.
  [
    'S3 egress to half the internet',
    s3(['0.0.0.0/1']),
    'homeservers[0].media.s3.cidrs[0]',
    /\/1 is wider than an allowlist of named services may be: at most \/16 for IPv4/,
  ],
  ['S3 egress to a /15', s3(['198.50.0.0/15']), 'homeservers[0].media.s3.cidrs[0]', /at most \/16 for IPv4/],
  ['S3 egress to an IPv6 /31', s3(['2001:db8::/31']), 'homeservers[0].media.s3.cidrs[0]', /at most \/32 for IPv6/],
  ['S3 egress list of 65 ranges', s3(ranges(65)), 'homeservers[0].media.s3.cidrs', /has 65 entries: at most 64/],
  ['external directory at a /3', external(['32.0.0.0/3']), 'homeservers[0].directory.external.cidrs[0]', /at most \/16/],
  ['explicit federation egress to a /2', federation(['64.0.0.0/2']), 'homeservers[0].federation.egressCidrs[0]', /at most \/16/],
  ['explicit federation egress to a /8', federation(['11.0.0.0/8']), 'homeservers[0].federation.egressCidrs[0]', /at most \/16/],
  ['API server endpoints as a /12', set('kubernetes.apiServer.cidrs', ['192.160.0.0/12']), 'kubernetes.apiServer.cidrs[0]', /at most \/16/],
  // Gateway ingress: public (any-address) or client networks.
  [
    'gateway ingress from half the internet',
    set('homeservers[0].gateway.ingressCidrs', ['0.0.0.0/1', '128.0.0.0/1']),
    'homeservers[0].gateway.ingressCidrs[1]',
    /\/1 is wider than a list of client networks .*give 0\.0\.0\.0\/0 or ::\/0 for a public homeserver.*at most \/8/,
  ],
  [
    'gateway ingress from an IPv6 /12',
    set('homeservers[0].gateway.ingressCidrs', ['2000::/12']),
    'homeservers[0].gateway.ingressCidrs[0]',
    /at most \/16 for IPv6/,
  ],
  // Alerts that would never fire.
  [
    'media egress alert at 51G an hour',
    set('monitoring.alerts.mediaEgressPerHour', '51G'),
    'monitoring.alerts.mediaEgressPerHour',
    /at most 50G/,
  ],
  [
    'media egress alert at 1024G an hour',
    set('monitoring.alerts.mediaEgressPerHour', '1024G'),
    'monitoring.alerts.mediaEgressPerHour',
    /at most 50G/,
  ],
  [
    'directory searches alert at 601 a minute',
    set('monitoring.alerts.userDirectorySearchesPerMinute', 601),
    'monitoring.alerts.userDirectorySearchesPerMinute',
    /less than or equal to 600/,
  ],
  [
    'profile lookups alert at 3001 a minute',
    set('monitoring.alerts.profileLookupsPerMinute', 3001),
    'monitoring.alerts.profileLookupsPerMinute',
    /less than or equal to 3000/,
  ],
  [
    'refused logins alert at 301 a minute',
    set('monitoring.alerts.rejectedLoginsPerMinute', 301),
    'monitoring.alerts.rejectedLoginsPerMinute',
    /less than or equal to 300/,
  ],
  // Placement.
  [
    'a mirror outside the registry allowlist',
    set('images.mirrorPrefix', 'mirror.evil.example/proxy'),
    'images.mirrorPrefix',
    /registry "mirror\.evil\.example" is not in images\.allowedRegistries/,
  ],
  ['Prometheus in the default namespace', set('monitoring.namespace', 'default'), 'monitoring.namespace', /must not be "default"/],
  [
    'Prometheus in kube-system',
    set('monitoring.namespace', 'kube-system'),
    'monitoring.namespace',
    /must not be kube-system \(a namespace of Kubernetes itself,/,
  ],
  ['Prometheus in kube-public', set('monitoring.namespace', 'kube-public'), 'monitoring.namespace', /must not be kube-public/],
  [
    'Prometheus in the cluster DNS namespace',
    (c) => {
      setPath(c, 'kubernetes.dns.namespace', 'dns');
      setPath(c, 'monitoring.namespace', 'dns');
    },
    'monitoring.namespace',
    /must differ from kubernetes\.dns\.namespace/,
  ],
  ['cluster DNS in the default namespace', set('kubernetes.dns.namespace', 'default'), 'kubernetes.dns.namespace', /must not be "default"/],
  [
    'cluster DNS in a compartment of this deployment',
    set('kubernetes.dns.namespace', 'agency-homeserver'),
    'kubernetes.dns.namespace',
    /"agency-homeserver" is a namespace of this deployment/,
  ],
  [
    'cluster DNS in a platform namespace',
    set('kubernetes.dns.namespace', 'matrix-openbao'),
    'kubernetes.dns.namespace',
    /is a namespace of this deployment/,
  ],
  // Reserved names.
  [
    'deployment named kube',
    set('deployment.name', 'kube'),
    'deployment.name',
    /must not start with "kube": its namespaces \(kube-\.\.\.\) would carry the reserved prefix "kube-"/,
  ],
  ['deployment named kube-matrix', set('deployment.name', 'kube-matrix'), 'deployment.name', /reserved prefix "kube-"/],
  ['deployment named openshift', set('deployment.name', 'openshift'), 'deployment.name', /reserved prefix "openshift-"/],
  ['deployment named default', set('deployment.name', 'default'), 'deployment.name', /"default" is reserved/],
  ['homeserver named kube', set('homeservers[0].name', 'kube'), 'homeservers[0].name', /reserved prefix "kube-"/],
  [
    'homeserver named openshift-agency',
    set('homeservers[0].name', 'openshift-agency'),
    'homeservers[0].name',
    /reserved prefix "openshift-"/,
  ],
  // Derived names that would not fit.
  [
    `homeserver name of ${HOMESERVER_NAME_MAX + 1} characters`,
    set('homeservers[0].name', 'a'.repeat(HOMESERVER_NAME_MAX + 1)),
    'homeservers[0].name',
    new RegExp(`must be at most ${HOMESERVER_NAME_MAX} characters: the common name of the postgres-tls certificate`),
  ],
  [
    `deployment name of ${DEPLOYMENT_NAME_MAX + 1} characters`,
    set('deployment.name', 'd'.repeat(DEPLOYMENT_NAME_MAX + 1)),
    'deployment.name',
    new RegExp(`must be at most ${DEPLOYMENT_NAME_MAX} characters: the common name of the OpenBao certificate`),
  ],
  [
    'deployment name far too long (the name furthest over its limit is named)',
    set('deployment.name', 'd'.repeat(60)),
    'deployment.name',
    /the common name of the OpenBao certificate "openbao\.d{60}-openbao\.svc" would be 80 characters \(at most 64\)/,
  ],
  [
    'server name longer than a certificate common name',
    set('homeservers[0].serverName', `${'m'.repeat(60)}.example.org`),
    'homeservers[0].serverName',
    /the common name of the gateway certificate \(the host part\) "m{60}\.example\.org" would be 72 characters \(at most 64\)/,
  ],
  [
    'pg state schema names PostgreSQL would cut',
    set('state', { backend: 'pg', pg: { schemaPrefix: 'p'.repeat(40) } }),
    'state.pg.schemaPrefix',
    /state schema of stack matrix-secret-generation "p{40}_matrix_secret_generation" would be 65 characters \(at most 63\): PostgreSQL would cut it/,
  ],
  // Duplicates behind a default port.
  [
    'server names differing only by :443',
    (c) => setPath(c, 'homeservers[1].serverName', 'matrix.ministry.example.org:443'),
    'homeservers[1].serverName',
    /duplicate server name "matrix\.ministry\.example\.org"/,
  ],
  [
    'peers differing only by :8448',
    federation(undefined, ['matrix.partner.example.net', 'matrix.partner.example.net:8448']),
    'homeservers[0].federation.peers[1]',
    /duplicate peer/,
  ],
  [
    'peers differing only by :443',
    federation(undefined, ['matrix.partner.example.net:443', 'matrix.partner.example.net']),
    'homeservers[0].federation.peers[1]',
    /duplicate peer/,
  ],
  // DNs: one spelling.
  [
    'DN with a trailing space in a value',
    set('homeservers[0].directory.usersDn', 'ou=people ,dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.usersDn',
    /value "people " must not have leading, trailing or doubled spaces/,
  ],
  [
    'DN with a space after a comma',
    set('homeservers[0].directory.usersDn', 'ou=people, dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.usersDn',
    /attribute type " dc" must be one of/,
  ],
  [
    'DN with a doubled space',
    set('homeservers[0].directory.admissionGroup', 'cn=matrix  users,ou=groups,dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.admissionGroup',
    /doubled spaces/,
  ],
  [
    'DN with an empty value',
    set('homeservers[0].directory.baseDn', 'dc=,dc=org'),
    'homeservers[0].directory.baseDn',
    /value "" must be letters/,
  ],
  [
    'DN with an OID attribute type',
    set('homeservers[0].directory.baseDn', '0.9.2342.19200300.100.1.25=agency,dc=org'),
    'homeservers[0].directory.baseDn',
    /attribute type "0\.9\.2342\.19200300\.100\.1\.25" must be one of dc, o, ou, cn, uid, c, l, st/,
  ],
  [
    'DN with a multi-valued RDN',
    set('homeservers[0].directory.bindDn', 'cn=reader+uid=x,ou=services,dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.bindDn',
    /must be letters, digits/,
  ],
  [
    'bind DN that cannot name an account',
    set('homeservers[0].directory.bindDn', 'ou=services,dc=agency,dc=example,dc=org'),
    'homeservers[0].directory.bindDn',
    /must start with cn= or uid=/,
  ],
  // Free text in mail headers.
  [
    'sender display name with a quote',
    smtp('Agency "Matrix" <matrix@agency.example.org>'),
    'homeservers[0].synapse.smtp.notifFrom',
    /display name must be letters/,
  ],
  [
    'sender display name with a comma (a second address for parseaddr)',
    smtp('Agency, Matrix <matrix@agency.example.org>'),
    'homeservers[0].synapse.smtp.notifFrom',
    /display name must be letters/,
  ],
  [
    'sender display name with Python % formatting',
    smtp('%(app)s <matrix@agency.example.org>'),
    'homeservers[0].synapse.smtp.notifFrom',
    /display name must be letters/,
  ],
  [
    'sender display name longer than 64 characters',
    smtp(`${'A'.repeat(65)} <matrix@agency.example.org>`),
    'homeservers[0].synapse.smtp.notifFrom',
    /at most 64 characters/,
  ],
  [
    'sender local part with braces',
    smtp('Agency <{{.password}}@agency.example.org>'),
    'homeservers[0].synapse.smtp.notifFrom',
    /local part must be/,
  ],
  [
    'sender domain in uppercase',
    smtp('Agency <matrix@Agency.example.org>'),
    'homeservers[0].synapse.smtp.notifFrom',
    /domain must be lowercase/,
  ],
];

const ACCEPTED: readonly Accepted[] = [
  ['S3 egress to a /16 and an IPv6 /32', s3(['198.51.0.0/16', '2001:db8::/32'])],
  ['S3 egress list of 64 ranges', s3(ranges(64))],
  ['federation egress left to the default (anywhere but the carve-outs)', federation()],
  ['federation egress to the any-address, spelled out', federation(['0.0.0.0/0', '::/0'])],
  ['a public gateway', set('homeservers[0].gateway.ingressCidrs', ['0.0.0.0/0', '::/0'])],
  ['a gateway for client networks up to a /8', set('homeservers[0].gateway.ingressCidrs', ['11.0.0.0/8', '2001::/16'])],
  [
    'alerts at their bounds',
    set('monitoring.alerts', {
      mediaEgressPerHour: '50G',
      userDirectorySearchesPerMinute: 600,
      profileLookupsPerMinute: 3000,
      rejectedLoginsPerMinute: 300,
    }),
  ],
  [
    'a mirror listed among the allowed registries',
    (c) => {
      setPath(c, 'images.allowedRegistries', ['ghcr.io', 'docker.io', 'quay.io', 'mirror.example.org']);
      setPath(c, 'images.mirrorPrefix', 'mirror.example.org/proxy');
    },
  ],
  [
    'Prometheus in a namespace of its own (the chart name is fine), DNS in kube-system',
    set('monitoring.namespace', 'kube-prometheus-stack'),
  ],
  ["Prometheus in OpenShift's user-workload monitoring namespace", set('monitoring.namespace', 'openshift-user-workload-monitoring')],
  ['a deployment named kubeflow (no reserved prefix)', set('deployment.name', 'kubeflow')],
  [`a homeserver name of ${HOMESERVER_NAME_MAX} characters`, set('homeservers[0].name', 'a'.repeat(HOMESERVER_NAME_MAX))],
  [`a deployment name of ${DEPLOYMENT_NAME_MAX} characters`, set('deployment.name', 'd'.repeat(DEPLOYMENT_NAME_MAX))],
  ['a server name of 64 characters', set('homeservers[0].serverName', `${'m'.repeat(52)}.example.org`)],
  [
    'DNs with inner spaces and uppercase attribute types',
    (c) => {
      setPath(c, 'homeservers[0].directory.usersDn', 'OU=people and staff,DC=agency,DC=example,DC=org');
      setPath(c, 'homeservers[0].directory.baseDn', 'DC=agency,DC=example,DC=org');
    },
  ],
  ['a sender with an accented display name', smtp("Ministère de l'Intérieur <noreply@agency.example.org>")],
  ['a sender without a display name', smtp('<noreply@agency.example.org>')],
];

it('derives the name bounds the README and the schema state', () => {
  expect({ homeserver: HOMESERVER_NAME_MAX, deployment: DEPLOYMENT_NAME_MAX }).toEqual({ homeserver: 37, deployment: 44 });
});

describe('refused, with the field path', () => {
  it.each(REFUSED)('%s', (_description, mutate, field, message) => {
    const config = defaultConfigObject();
    if (field.startsWith('homeservers[1]')) Object.assign(config, fleetConfigObject());
    mutate(config);
    expect(issuesOf(config)).toContainEqual({ path: field, message: expect.stringMatching(message) });
  });
});

describe('accepted just inside each bound', () => {
  it.each(ACCEPTED)('%s', (_description, mutate) => {
    const config = defaultConfigObject();
    mutate(config);
    expect(issuesOf(config)).toEqual([]);
  });

  it('writes DN attribute types lowercase, so every rendering and comparison sees one spelling', () => {
    const config = defaultConfigObject();
    setPath(config, 'homeservers[0].directory.usersDn', 'OU=people and staff,DC=agency,DC=example,DC=org');
    expect(parseDeploymentConfig(toYaml(config)).homeservers[0]?.directory.usersDn).toBe('ou=people and staff,dc=agency,dc=example,dc=org');
  });
});

it('the app lists every problem with its field path, exits 2 and writes nothing', () => {
  const root = projectRoot();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bounds-'));
  const file = path.join(directory, 'wide.yaml');
  const config = defaultConfigObject();
  // Cross-field problems, all reported together (the schema's own are listed before them when there are any).
  for (const mutate of [
    s3(['0.0.0.0/1']),
    set('images.mirrorPrefix', 'mirror.evil.example'),
    set('monitoring.namespace', 'default'),
    set('kubernetes.dns.namespace', 'agency-media'),
  ])
    mutate(config);
  fs.writeFileSync(file, toYaml(config));
  const result = spawnSync('sh', ['-c', `${appCommandOf(root) ?? ''} "$@"`, 'sh', file], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: path.join(directory, 'cdktf.out') },
  });
  expect(result.status).toBe(2);
  for (const field of ['homeservers[0].media.s3.cidrs[0]', 'images.mirrorPrefix', 'monitoring.namespace', 'kubernetes.dns.namespace'])
    expect(result.stderr).toContain(`  - ${field}: `);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(fs.readdirSync(directory)).toEqual(['wide.yaml']);
});

/** Every name-like string of a synthesized stack, with the limit Kubernetes, X.509 or PostgreSQL puts on it. */
function overlongNames(value: JsonValue, where = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => overlongNames(item, `${where}[${index}]`));
  if (!isObject(value)) return [];
  const problems: string[] = [];
  const check = (text: unknown, limit: number, what: string) => {
    if (typeof text === 'string' && text.length > limit)
      problems.push(`${where} ${what} "${text}" is ${text.length} characters (limit ${limit})`);
  };
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'labels' || key === 'match_labels' || key === 'matchLabels') && isObject(child))
      for (const label of Object.values(child)) check(label, 63, 'label value');
    if (key === 'commonName') check(child, 64, 'certificate common name');
    if (key === 'dnsNames' && Array.isArray(child))
      for (const name of child) for (const label of String(name).split('.')) check(label, 63, 'DNS label');
    if (key === 'schema_name') check(child, 63, 'PostgreSQL schema');
    if (key === 'name' && where.endsWith('metadata')) check(child, 253, 'object name');
    problems.push(...overlongNames(child, `${where}.${key}`));
  }
  return problems;
}

it('every name derived from names at their bounds fits: namespaces, labels, certificate names, DNS labels, state schemas', () => {
  const raw = fleetConfigObject();
  setPath(raw, 'deployment.name', 'd'.repeat(DEPLOYMENT_NAME_MAX));
  ['h', 'i', 'j'].forEach((letter, index) => {
    setPath(raw, `homeservers[${index}].name`, letter.repeat(HOMESERVER_NAME_MAX));
    setPath(raw, `homeservers[${index}].serverName`, `${letter.repeat(52)}.example.org`);
    // Every optional compartment too, so its derived names are judged at the bound as well.
    setPath(raw, `homeservers[${index}].client`, { hostname: `${letter.repeat(52)}.chat.example.org` });
    setPath(raw, `homeservers[${index}].calls`, {
      hostname: `${letter.repeat(52)}.rtc.example.org`,
      media: { publicAddress: `203.0.113.${10 + index}`, ingressCidrs: ['0.0.0.0/0'] },
    });
  });
  setPath(raw, 'homeservers[2].federation.peers', ['h'.repeat(52) + '.example.org', 'i'.repeat(52) + '.example.org']);
  setPath(raw, 'state', { backend: 'local', local: { directory: 'state' } });
  const config = parseDeploymentConfig(toYaml(raw));
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bounds-synth-')), 'cdktf.out');
  // Without cdktf's token creation stacks, as the app synthesizes.
  withoutTokenCreationStacks(() => {
    const app = new App({ outdir, skipValidation: true });
    composeDeployment(app, config, {}, []);
    app.synth();
  });
  const stacks = readSynthesizedStacks(outdir);
  // The platform's three, and seven compartments for each of the three homeservers.
  expect(stacks.length).toBe(24);
  for (const stack of stacks)
    expect({ stack: stack.name, overlong: overlongNames(stack.json as JsonValue) }).toEqual({ stack: stack.name, overlong: [] });
  for (const namespace of stacks.flatMap((stack) =>
    Object.values(
      (stack.json as { resource?: { kubernetes_namespace_v1?: Record<string, { metadata: { name: string } }> } }).resource
        ?.kubernetes_namespace_v1 ?? {},
    ),
  )) {
    expect(namespace.metadata.name.length).toBeLessThanOrEqual(63);
  }
});
