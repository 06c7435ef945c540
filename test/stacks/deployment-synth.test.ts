/**
 * Synthesizes the default deployment and the 3-homeserver fleet end to end (config file ->
 * cdktf.out) and checks the acceptance properties on the written Terraform JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSynthesizedStacks } from '../../policies/audit';
import { block, blocks, metadataOf, podSpecs, resources, stringMap, type SynthesizedStack } from '../../policies/terraform-json';
import { synthesizeDeployment, type SynthesisOutcome } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';

interface Manifest {
  stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }>;
}

function synthTo(configPath: string): { outdir: string; outcome: SynthesisOutcome; stacks: SynthesizedStack[]; manifest: Manifest } {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'cdktf.out');
  const outcome = synthesizeDeployment({ configPath, outdir });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome, null, 2));
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  return { outdir, outcome, stacks: readSynthesizedStacks(outdir), manifest };
}

const defaultDeployment = synthTo(DEFAULT_CONFIG_FILE);
const fleet = synthTo(FLEET_CONFIG_FILE);

describe.each([
  ['default deployment', defaultDeployment, ['matrix-platform', 'agency-directory', 'agency-homeserver', 'agency-media', 'agency-gateway']],
  [
    '3-homeserver fleet',
    fleet,
    ['fleet-platform', ...['ministry', 'agency', 'region'].flatMap((hs) => ['directory', 'homeserver', 'media', 'gateway'].map((c) => `${hs}-${c}`))],
  ],
])('%s', (_name, synthesized, expectedStacks) => {
  it('writes one cdk.tf.json per stack (platform + 4 compartments per homeserver)', () => {
    expect(Object.keys(synthesized.manifest.stacks).sort()).toEqual([...expectedStacks].sort());
    for (const stack of expectedStacks) expect(fs.existsSync(path.join(synthesized.outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
  });

  it('audits clean and writes the audit report', () => {
    if (!synthesized.outcome.ok) throw new Error('unreachable');
    expect(synthesized.outcome.audit.findings).toEqual([]);
    expect(fs.readFileSync(path.join(synthesized.outdir, 'audit', 'audit.md'), 'utf8')).toMatch(/errors: 0/);
  });

  it('orders stacks: platform, then directory -> homeserver -> media -> gateway per homeserver', () => {
    for (const [name, stack] of Object.entries(synthesized.manifest.stacks)) {
      const [homeserver, compartment] = name.split('-');
      const expected = { platform: [], directory: [expectedStacks[0]], homeserver: [`${homeserver}-directory`], media: [`${homeserver}-homeserver`], gateway: [`${homeserver}-media`] }[compartment ?? ''];
      expect(stack.dependencies).toEqual(expected);
    }
  });

  it('gives every stack its own state and pins the provider by full address and exact version', () => {
    const backends = synthesized.stacks.map((stack) => JSON.stringify(stack.json.terraform?.backend));
    expect(new Set(backends).size).toBe(synthesized.stacks.length);
    for (const stack of synthesized.stacks) {
      expect(stack.json.terraform?.required_providers).toEqual({ kubernetes: { source: 'registry.opentofu.org/hashicorp/kubernetes', version: '2.38.0' } });
    }
  });

  it('labels every namespace PSA restricted (pinned) and denies both directions by default', () => {
    for (const stack of synthesized.stacks) {
      const namespaces = resources(stack, 'kubernetes_namespace_v1');
      expect(namespaces).toHaveLength(1);
      const labels = stringMap(metadataOf(namespaces[0]!).labels);
      for (const mode of ['enforce', 'audit', 'warn']) {
        expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
        expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.33');
      }
      const denyAll = resources(stack, 'kubernetes_network_policy_v1').filter((policy) => {
        const spec = block(policy.body.spec);
        return Object.keys(stringMap(block(spec?.pod_selector)?.match_labels)).length === 0 && blocks(spec?.ingress).length === 0 && blocks(spec?.egress).length === 0;
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

  it('exposes only the gateway outside the cluster', () => {
    for (const stack of synthesized.stacks) {
      for (const service of resources(stack, 'kubernetes_service_v1')) {
        const type = block(service.body.spec)?.type;
        if (stack.name.endsWith('-gateway')) expect(['LoadBalancer', 'NodePort']).toContain(type);
        else expect(type).toBe('ClusterIP');
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
      for (const container of containers) expect(String(container.image)).toMatch(/^registry\.internal\.example\/mirror\/(ghcr|docker)\.io\//);
    }
  });

  it('opens federation egress only from the Synapse processes that federate, and only where federation is on', () => {
    const egressToOutside = fleet.stacks.flatMap((stack) =>
      resources(stack, 'kubernetes_network_policy_v1')
        .filter((policy) => blocks(block(policy.body.spec)?.egress).some((rule) => blocks(rule.to).some((peer) => peer.ip_block !== undefined)))
        .map((policy) => `${stack.name}/${String(metadataOf(policy).name)}`),
    );
    expect(egressToOutside.sort()).toEqual(
      ['ministry', 'agency', 'region']
        .flatMap((hs) =>
          ['federation', 'https'].flatMap((port) => [
            `${hs}-homeserver/egress-synapse-to-outside-${port}`,
            `${hs}-homeserver/egress-federation-sender-to-outside-${port}`,
            `${hs}-media/egress-media-repository-to-outside-${port}`,
          ]),
        )
        .sort(),
    );
    expect(defaultDeployment.stacks.some((stack) => JSON.stringify(stack.json).includes('ip_block') && !stack.name.endsWith('-gateway'))).toBe(false);
  });
});

describe('failures write nothing', () => {
  it('an invalid config returns the field-path error and leaves an existing output untouched', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bad-'));
    const outdir = path.join(root, 'cdktf.out');
    const bad = path.join(root, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8').replace('serverName: matrix.agency.example.org', 'serverName: Matrix.Agency'));
    const outcome = synthesizeDeployment({ configPath: bad, outdir });
    expect(outcome).toMatchObject({ ok: false, reason: 'config' });
    expect(outcome.ok === false && outcome.reason === 'config' && outcome.error.message).toMatch(/homeservers\[0\]\.serverName: must be lowercase/);
    expect(fs.readdirSync(root)).toEqual(['bad.yaml']);
  });
});

describe('external directory', () => {
  it('drops the directory stack, orders homeserver after platform, and egresses to the directory on 636 only', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-external-'));
    const file = path.join(root, 'external.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8').replace('    directory:\n', '    directory:\n      mode: external\n      external: { host: ldap.agency.example.org, cidrs: [198.51.100.10/32] }\n'),
    );
    const synthesized = synthTo(file);
    expect(Object.keys(synthesized.manifest.stacks).sort()).toEqual(['agency-gateway', 'agency-homeserver', 'agency-media', 'matrix-platform']);
    expect(synthesized.manifest.stacks['agency-homeserver']?.dependencies).toEqual(['matrix-platform']);
    const homeserverStack = synthesized.stacks.find((stack) => stack.name === 'agency-homeserver')!;
    const ldapEgress = resources(homeserverStack, 'kubernetes_network_policy_v1').find((policy) => metadataOf(policy).name === 'egress-synapse-to-outside-ldaps');
    expect(block(ldapEgress?.body.spec)?.egress).toEqual([{ to: [{ ip_block: { cidr: '198.51.100.10/32', except: [] } }], ports: [{ port: '636', protocol: 'TCP' }] }]);
  });
});
