/**
 * The default deployment and the 3-homeserver fleet synthesized end to end (config file ->
 * cdktf.out; the run's shared syntheses) and the acceptance properties of the written Terraform JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PLATFORM_PODS } from '../../model/platform';
import { REPORT_FILES } from '../../policies/reports';
import type { Rule } from '../../policies/rule';
import { OUTPUT_MARKER } from '../../stacks/output-directory';
import { describeOutcome } from '../../stacks/synthesis-request';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { podSpecs } from '../../tfjson/pod-specs';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { block, blocks, metadataOf, namespaceOf, resources, stringMap, type SynthesizedStack } from '../../tfjson/terraform-json';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis } from '../support/shared-synthesis';

interface Manifest {
  stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }>;
}

interface Synthesized {
  readonly outdir: string;
  readonly stacks: SynthesizedStack[];
  readonly manifest: Manifest;
}

function readOutput(outdir: string): Synthesized {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  return { outdir, stacks: readSynthesizedStacks(outdir), manifest };
}

function synthTo(configPath: string): Synthesized {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'cdktf.out');
  const outcome = synthesizeDeployment({ configPath, outdir });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome, null, 2));
  return readOutput(outdir);
}

const defaultDeployment = readOutput(sharedSynthesis('default'));
const fleet = readOutput(sharedSynthesis('fleet'));

const platformStacks = (deployment: string) => ['platform', 'secret-store', 'secret-generation'].map((stack) => `${deployment}-${stack}`);

describe.each([
  [
    'default deployment',
    defaultDeployment,
    [
      ...platformStacks('matrix'),
      'agency-directory',
      'agency-identity',
      'agency-homeserver',
      'agency-media',
      'agency-client',
      'agency-calls',
      'agency-gateway',
    ],
  ],
  [
    '3-homeserver fleet',
    fleet,
    [
      ...platformStacks('fleet'),
      // Only the ministry runs a web client.
      ...['ministry', 'agency', 'region'].flatMap((hs) =>
        ['directory', 'identity', 'homeserver', 'media', ...(hs === 'ministry' ? ['client'] : []), 'gateway'].map((c) => `${hs}-${c}`),
      ),
    ],
  ],
])('%s', (_name, synthesized, expectedStacks) => {
  it('writes one cdk.tf.json per stack (3 platform stacks + 5 compartments per homeserver, one more each for a web client and calls)', () => {
    expect(Object.keys(synthesized.manifest.stacks).sort()).toEqual([...expectedStacks].sort());
    for (const stack of expectedStacks) expect(fs.existsSync(path.join(synthesized.outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
  });

  it('audits clean and writes the audit report', () => {
    const audit = JSON.parse(fs.readFileSync(path.join(synthesized.outdir, 'audit', 'audit.json'), 'utf8')) as { findings: unknown[] };
    expect(audit.findings).toEqual([]);
    expect(fs.readFileSync(path.join(synthesized.outdir, 'audit', 'audit.md'), 'utf8')).toMatch(
      /^\*\*PASS\*\*: \d+ stacks, \d+ rules, 0 errors/m,
    );
    expect(fs.readdirSync(path.join(synthesized.outdir, 'audit')).sort()).toEqual([...REPORT_FILES, 'secrets.md', OUTPUT_MARKER].sort());
  });

  it('orders stacks: platform -> secret store -> secret generation, then directory -> identity -> homeserver -> media -> client -> calls -> gateway per homeserver', () => {
    const [platform, secretStore, generation] = expectedStacks;
    for (const [name, stack] of Object.entries(synthesized.manifest.stacks)) {
      const [homeserver] = name.split('-');
      const compartment = name.slice((homeserver ?? '').length + 1);
      // Each compartment after the one before it in the list; the first after secret generation.
      const own = expectedStacks.filter((candidate) => candidate.startsWith(`${homeserver}-`));
      const before = own[own.indexOf(name) - 1];
      const expected = {
        platform: [],
        'secret-store': [platform],
        'secret-generation': [secretStore],
      }[compartment] ?? [before ?? generation];
      expect({ name, dependencies: stack.dependencies }).toEqual({ name, dependencies: expected });
    }
  });

  it('gives every stack its own state and pins the provider by full address and exact version', () => {
    const backends = synthesized.stacks.map((stack) => JSON.stringify(stack.json.terraform?.backend));
    expect(new Set(backends).size).toBe(synthesized.stacks.length);
    const kubernetes = { source: 'registry.opentofu.org/hashicorp/kubernetes', version: '2.38.0' };
    const helm = { source: 'registry.opentofu.org/hashicorp/helm', version: '3.1.1' };
    for (const stack of synthesized.stacks) {
      const installsCharts = resources(stack, 'helm_release').length > 0;
      expect(stack.json.terraform?.required_providers).toEqual(installsCharts ? { kubernetes, helm } : { kubernetes });
    }
  });

  it('labels every namespace PSA restricted (pinned) and denies both directions by default', () => {
    const namespaces = synthesized.stacks.flatMap((stack) =>
      resources(stack, 'kubernetes_namespace_v1').map((namespace) => ({ stack, namespace })),
    );
    // One per compartment stack, five in the platform stack (OpenBao, External Secrets, cert-manager, secret generation, PostgreSQL operator).
    expect(namespaces).toHaveLength(expectedStacks.length - 3 + 5);
    for (const { stack, namespace } of namespaces) {
      const labels = stringMap(metadataOf(namespace).labels);
      for (const mode of ['enforce', 'audit', 'warn']) {
        expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
        expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.33');
      }
      const denyAll = resources(stack, 'kubernetes_network_policy_v1').filter((policy) => {
        const spec = block(policy.body.spec);
        return (
          namespaceOf(policy, stack) === metadataOf(namespace).name &&
          Object.keys(stringMap(block(spec?.pod_selector)?.match_labels)).length === 0 &&
          blocks(spec?.ingress).length === 0 &&
          blocks(spec?.egress).length === 0
        );
      });
      expect(denyAll.map((policy) => block(policy.body.spec)?.policy_types)).toEqual([['Ingress', 'Egress']]);
    }
  });

  it('writes the explicit hardening fields on every pod spec', () => {
    const pods = synthesized.stacks.flatMap(podSpecs);
    expect(pods.length).toBeGreaterThan(0);
    for (const { podSpec, containers } of pods) {
      expect(podSpec).toMatchObject({ automount_service_account_token: false, host_network: false, host_pid: false, host_ipc: false });
      expect(block(podSpec.security_context)).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
      for (const container of containers) {
        expect(block(container.security_context)).toMatchObject({
          allow_privilege_escalation: false,
          privileged: false,
          read_only_root_filesystem: true,
          run_as_non_root: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(String(container.image)).toMatch(/@sha256:[0-9a-f]{64}$/);
      }
    }
  });

  it("exposes only the gateway outside the cluster, and the SFU's media ports", () => {
    for (const stack of synthesized.stacks) {
      for (const service of resources(stack, 'kubernetes_service_v1')) {
        const type = block(service.body.spec)?.type;
        if (stack.name.endsWith('-gateway')) expect(['LoadBalancer', 'NodePort']).toContain(type);
        else if (stack.name.endsWith('-calls') && metadataOf(service).name === 'livekit-media') {
          expect(type).toBe('LoadBalancer');
          // The quota admits the load balancer and a node port for each of its ports (the API server counts them so).
          const quota = resources(stack, 'kubernetes_resource_quota_v1')[0];
          expect(block(quota?.body.spec)?.hard).toMatchObject({ 'services.loadbalancers': '1', 'services.nodeports': '3' });
          expect(blocks(block(service.body.spec)?.port).map((port) => `${String(port.port)}/${String(port.protocol)}`)).toEqual([
            '7882/UDP',
            '7881/TCP',
            '3478/UDP',
          ]);
        } else expect(type).toBe('ClusterIP');
      }
    }
  });
});

describe('fleet specifics', () => {
  it('uses the pg backend without a connection string, one schema per stack', () => {
    const backends = fleet.stacks.map((stack) => (stack.json.terraform?.backend as { pg: Record<string, unknown> }).pg);
    for (const backend of backends) expect(Object.keys(backend)).toEqual(['schema_name']);
    expect(backends.map((backend) => backend.schema_name)).toContain('matrix_fleet_ministry_homeserver');
  });

  it('pulls every image through the configured mirror', () => {
    for (const { containers } of fleet.stacks.flatMap(podSpecs)) {
      for (const container of containers)
        expect(String(container.image)).toMatch(/^registry\.internal\.example\/mirror\/(ghcr|docker|quay)\.io\//);
    }
  });

  it('opens federation egress only from the Synapse processes that federate, and only where federation is on', () => {
    const egressToOutside = fleet.stacks.flatMap((stack) =>
      resources(stack, 'kubernetes_network_policy_v1')
        .filter((policy) =>
          blocks(block(policy.body.spec)?.egress).some((rule) => blocks(rule.to).some((peer) => peer.ip_block !== undefined)),
        )
        .map((policy) => `${stack.name}/${String(metadataOf(policy).name)}`),
    );
    expect(egressToOutside.sort()).toEqual(
      ['ministry', 'agency', 'region']
        .flatMap((hs) =>
          ['federation', 'https'].flatMap((port) => [
            `${hs}-homeserver/egress-synapse-to-outside-${port}`,
            `${hs}-homeserver/egress-federation-sender-to-outside-${port}`,
            // Federation readers fetch missing events and keys from the peers whose requests they handle.
            `${hs}-homeserver/egress-federation-readers-to-outside-${port}`,
            `${hs}-media/egress-media-repository-to-outside-${port}`,
          ]),
        )
        // region keeps its media in sovereign object storage, reached over HTTPS at the declared address only.
        .concat(['region-media/egress-media-repository-to-outside-s3'])
        // Each database reaches the API server (its instance manager) and the declared backup store.
        .concat(
          ['ministry', 'agency', 'region'].flatMap((hs) => [
            `${hs}-homeserver/egress-postgres-to-outside-apiserver`,
            `${hs}-homeserver/egress-postgres-to-outside-backup`,
            // The directory's backup job (every fleet member runs its directory in the cluster).
            `${hs}-directory/egress-directory-backup-to-outside-backup`,
          ]),
        )
        // The media volumes' backup jobs (region's media is in S3: its bucket keeps versions instead).
        .concat(['ministry', 'agency'].map((hs) => `${hs}-media/egress-media-backup-to-outside-backup`))
        // The platform's operators reach the API server, and only it.
        .concat(PLATFORM_PODS.filter((pod) => pod.callsApiServer).map((pod) => `fleet-platform/egress-${pod.name}-to-outside-apiserver`))
        // The secret store's backup job reaches the declared backup store.
        .concat(['fleet-platform/egress-secret-store-backup-to-outside-backup'])
        .sort(),
    );
    // Elsewhere only the backup jobs reach an address outside the cluster (the declared backup store), and call media its participants.
    expect(
      defaultDeployment.stacks
        .filter((stack) => !['-gateway', '-platform', '-homeserver'].some((suffix) => stack.name.endsWith(suffix)))
        .flatMap((stack) =>
          resources(stack, 'kubernetes_network_policy_v1')
            .filter((policy) => JSON.stringify(policy.body).includes('ip_block'))
            .map((policy) => `${stack.name}/${String(metadataOf(policy).name)}`),
        )
        .sort(),
    ).toEqual([
      'agency-calls/egress-livekit-to-outside-relay',
      'agency-calls/ingress-outside-to-livekit-rtc-tcp',
      'agency-calls/ingress-outside-to-livekit-rtc-udp',
      'agency-calls/ingress-outside-to-livekit-turn-udp',
      'agency-directory/egress-directory-backup-to-outside-backup',
      'agency-media/egress-media-backup-to-outside-backup',
    ]);
  });
});

describe('failures write nothing', () => {
  it('a policy violation fails synthesis with every finding (rule, stack, address, fix) and leaves no output', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-policy-'));
    const outdir = path.join(root, 'cdktf.out');
    // A stand-in control that every namespace violates: the failure path, not a real rule, is under test.
    const noNamespaces: Rule = {
      id: 'TST-01',
      title: 'no namespaces',
      level: 'error',
      lesson: 'test: every namespace fails',
      references: { nsaCisa: 'test' },
      fix: 'remove the namespace',
      check: (stack) =>
        resources(stack, 'kubernetes_namespace_v1').map((namespace) => ({ address: namespace.address, message: 'namespace present' })),
    };
    const outcome = synthesizeDeployment({ configPath: DEFAULT_CONFIG_FILE, outdir, rules: [noNamespaces] });
    expect(outcome).toMatchObject({ ok: false, reason: 'policy' });
    if (outcome.ok || outcome.reason !== 'policy') throw new Error('unreachable');
    expect(outcome.audit.errors).toHaveLength(12);
    const described = describeOutcome(outcome, { configPath: DEFAULT_CONFIG_FILE, outdir });
    expect(described).toMatch(/^policy audit failed with 12 error\(s\):\n/);
    expect(described).toMatch(
      /\n {2}- TST-01 \[agency-gateway\] kubernetes_namespace_v1\.compartment_namespace_[0-9A-F]+: namespace present\. Fix: remove the namespace\n/,
    );
    expect(described).toMatch(/nothing was written\.$/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('an invalid config returns the field-path error and leaves an existing output untouched', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bad-'));
    const outdir = path.join(root, 'cdktf.out');
    const bad = path.join(root, 'bad.yaml');
    fs.writeFileSync(
      bad,
      fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8').replace('serverName: matrix.agency.example.org', 'serverName: Matrix.Agency'),
    );
    const outcome = synthesizeDeployment({ configPath: bad, outdir });
    expect(outcome).toMatchObject({ ok: false, reason: 'config' });
    expect(!outcome.ok && outcome.reason === 'config' && outcome.error.message).toMatch(/homeservers\[0\]\.serverName: must be lowercase/);
    expect(fs.readdirSync(root)).toEqual(['bad.yaml']);
  });
});

describe('external directory', () => {
  it('drops the directory stack, orders the identity provider after the platform, and egresses to the directory on 636 only', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-external-'));
    const file = path.join(root, 'external.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(DEFAULT_CONFIG_FILE, 'utf8')
        .replace(
          '    directory:\n',
          '    directory:\n      mode: external\n      external: { host: ldap.agency.example.org, cidrs: [198.51.100.10/32] }\n',
        ),
    );
    const synthesized = synthTo(file);
    expect(Object.keys(synthesized.manifest.stacks).sort()).toEqual([
      'agency-calls',
      'agency-client',
      'agency-gateway',
      'agency-homeserver',
      'agency-identity',
      'agency-media',
      'matrix-platform',
      'matrix-secret-generation',
      'matrix-secret-store',
    ]);
    expect(synthesized.manifest.stacks['agency-identity']?.dependencies).toEqual(['matrix-secret-generation']);
    const identityStack = synthesized.stacks.find((stack) => stack.name === 'agency-identity')!;
    const ldapEgress = resources(identityStack, 'kubernetes_network_policy_v1').find(
      (policy) => metadataOf(policy).name === 'egress-keycloak-to-outside-ldaps',
    );
    expect(block(ldapEgress?.body.spec)?.egress).toEqual([
      { to: [{ ip_block: { cidr: '198.51.100.10/32', except: [] } }], ports: [{ port: '636', protocol: 'TCP' }] },
    ]);
  });
});
