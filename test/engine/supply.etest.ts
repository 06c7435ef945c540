/**
 * Every binary the engine proof runs, built once per machine in the order the proof needs them
 * most (providers, the rest of the control plane and kwok, then the operators): each one starts
 * and tells its version (or its usage), and `go version -m` shows the upstream module and the
 * version it was built from. Sources from outside the module proxy build as `(devel)` modules;
 * their version is the one stamped at link time, which the binary reports (with -trimpath, Go
 * does not record the link flags).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BARMAN_CLOUD_MODULE,
  BARMAN_CLOUD_VERSION,
  CERT_MANAGER_VERSION,
  CLOUDNATIVE_PG_VERSION,
  ensureBarmanCloud,
  ensureCloudnativePg,
  ensureCertManagerBinary,
  ensureEngineSupply,
  ensureEngineTool,
  ensureExternalSecrets,
  ensureOpenBao,
  ensureProviderBinary,
  ensureProviderMirror,
  ensureTrustManager,
  KUBERNETES_VERSION,
  KWOK_VERSION,
  mirrorPath,
  OPENBAO_VERSION,
  PINNED_PROVIDERS,
  TOFU_VERSION,
  TRUST_MANAGER_VERSION,
  type CertManagerComponent,
  type ProviderAddress,
} from './support/engine-tools';

function run(binary: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(binary, [...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: path.dirname(binary) },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `go version -m`: the main module, dependencies and build settings recorded in the binary. */
function buildInfo(binary: string): string {
  const result = spawnSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const line = (...fields: string[]) =>
  new RegExp(`^\\s+${fields.map((field) => field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}(\\s|$)`, 'm');

describe.each(Object.keys(PINNED_PROVIDERS) as ProviderAddress[])('provider %s', (address) => {
  const provider = PINNED_PROVIDERS[address];
  it(`builds ${provider.version} from its release-tag source into the filesystem mirror`, () => {
    const binary = ensureProviderBinary(address);
    const info = buildInfo(binary);
    expect(info).toMatch(line('mod', provider.module, '(devel)'));
    expect(info).toMatch(line('build', 'CGO_ENABLED=0'));
    // A plugin refuses to run outside OpenTofu and says so.
    expect(run(binary, []).output).toContain('This binary is a plugin');
    const mirrored = path.join(ensureProviderMirror(), mirrorPath(address));
    expect(mirrored).toMatch(
      new RegExp(`/${address}/${provider.version}/linux_(amd64|arm64)/terraform-provider-${provider.type}_v${provider.version}$`),
    );
    expect(fs.readFileSync(mirrored).equals(fs.readFileSync(binary))).toBe(true);
  });
});

describe.each([
  ['kube-controller-manager', 'k8s.io/kubernetes', KUBERNETES_VERSION, ['--version'], `Kubernetes ${KUBERNETES_VERSION}`],
  ['kube-scheduler', 'k8s.io/kubernetes', KUBERNETES_VERSION, ['--version'], `Kubernetes ${KUBERNETES_VERSION}`],
  ['kwok', 'sigs.k8s.io/kwok', KWOK_VERSION, ['--version'], `kwok version ${KWOK_VERSION}`],
  ['etcd', 'go.etcd.io/etcd/server/v3', 'v3.6.16', ['--version'], 'etcd Version: 3.6.16'],
  ['kube-apiserver', 'k8s.io/kubernetes', KUBERNETES_VERSION, ['--version'], `Kubernetes ${KUBERNETES_VERSION}`],
  ['tofu', 'github.com/opentofu/opentofu', `v${TOFU_VERSION}`, ['version'], `OpenTofu v${TOFU_VERSION}\n`],
] as const)('%s', (tool, module, version, args, banner) => {
  it(`builds from ${module}@${version} and says ${banner.trim()}`, () => {
    const binary = ensureEngineTool(tool);
    // The main package lives in the upstream module: Go records it as the main module, with its version and checksum.
    expect(buildInfo(binary)).toMatch(line('mod', module, version));
    const result = run(binary, args);
    expect(result.status).toBe(0);
    expect(result.output).toContain(banner);
  });
});

describe.each(['controller', 'webhook', 'cainjector'] as CertManagerComponent[])('cert-manager %s', (component) => {
  it(`builds our main inside the cert-manager ${CERT_MANAGER_VERSION} module, stamped with its version, and refuses unknown flags`, () => {
    const binary = ensureCertManagerBinary(component);
    const info = buildInfo(binary);
    expect(info).toMatch(line('path', 'github.com/cert-manager/cert-manager/zz-engine-proof/' + component));
    expect(info).toMatch(line('mod', 'github.com/cert-manager/cert-manager', '(devel)'));
    expect(run(binary, ['--version'])).toEqual({
      status: 0,
      output: `cert-manager-${component} ${CERT_MANAGER_VERSION} (24e33194fb39488eff2bbf10c6dc640f407cad44)\n`,
    });
    const help = run(binary, ['--help']);
    expect(help.status).toBe(0);
    expect(help.output).toContain('--kubeconfig');
    const unknown = run(binary, ['--no-such-flag']);
    expect(unknown.status).toBe(2);
    expect(unknown.output).toContain('unknown flag: --no-such-flag');
  });
});

it(`trust-manager builds from its ${TRUST_MANAGER_VERSION} module and starts`, () => {
  const binary = ensureTrustManager();
  const info = buildInfo(binary);
  expect(info).toMatch(line('path', 'github.com/cert-manager/trust-manager/cmd/trust-manager'));
  expect(info).toMatch(line('mod', 'github.com/cert-manager/trust-manager', TRUST_MANAGER_VERSION));
  const help = run(binary, ['--help']);
  expect(help.status).toBe(0);
  expect(help.output).toContain('--trust-namespace');
});

it('External Secrets builds from its 2.9.0 source with only the vault provider and the Password generator', () => {
  const binary = ensureExternalSecrets();
  const info = buildInfo(binary);
  expect(info).toMatch(line('mod', 'github.com/external-secrets/external-secrets', '(devel)'));
  expect(info).toMatch(line('build', '-tags=vault'));
  expect(info).toMatch(line('dep', 'github.com/hashicorp/vault/api'));
  expect(info).toMatch(line('dep', 'github.com/external-secrets/external-secrets/generators/v1/password'));
  // No other provider or generator (the vault provider's own AWS, GCP and Kubernetes auth helpers stay: it links them itself).
  const linked = [...info.matchAll(/^\s+dep\s+github\.com\/external-secrets\/external-secrets\/(providers|generators)\/v1\/(\S+)/gm)].map(
    ([, kind, name]) => `${kind}/${name}`,
  );
  expect(linked.sort()).toEqual(['generators/password', 'providers/aws', 'providers/gcp', 'providers/kubernetes', 'providers/vault']);
  expect(info).not.toContain('github.com/Azure/azure-sdk-for-go');
  const help = run(binary, ['--help']);
  expect(help.status).toBe(0);
  expect(help.output).toMatch(/^\s+certcontroller\s/m);
  expect(help.output).toMatch(/^\s+webhook\s/m);
});

it(`OpenBao builds from its ${OPENBAO_VERSION} source (KMS wrappers from their sources) and says its version`, () => {
  const binary = ensureOpenBao();
  const info = buildInfo(binary);
  expect(info).toMatch(line('mod', 'github.com/openbao/openbao', '(devel)'));
  for (const wrapper of ['alicloudkms', 'awskms', 'azurekeyvault', 'gcpckms', 'ocikms']) {
    expect(info).toMatch(
      new RegExp(
        `^\\s+dep\\s+github\\.com/openbao/go-kms-wrapping/wrappers/${wrapper}/v2\\s+v2\\.\\d+\\.\\d+\\n\\s+=>\\s+\\.\\./go-kms-wrapping-wrappers/${wrapper}\\s`,
        'm',
      ),
    );
  }
  const version = run(binary, ['version']);
  expect(version.status).toBe(0);
  expect(version.output).toMatch(
    new RegExp(`^OpenBao v${OPENBAO_VERSION.replace(/\./g, '\\.')} \\(dd9c19c37a878cf4a81b18efb8d6f0599c7da923\\)`),
  );
});

it('ensureEngineSupply hands over every path in one call', () => {
  const supply = ensureEngineSupply();
  const paths = [supply.providerMirror, supply.charts, ...Object.values(supply.tools), ...Object.values(supply.operators)];
  // The provider mirror and the charts, the 6 tools, and the 8 operator binaries (cert-manager's three,
  // trust-manager, External Secrets, OpenBao, CloudNativePG and its barman-cloud plugin).
  expect(paths).toHaveLength(2 + 6 + 8);
  for (const entry of paths) expect(fs.existsSync(entry)).toBe(true);
  expect(fs.readdirSync(supply.charts)).toContain('index.yaml');
});

it(`CloudNativePG builds from its ${CLOUDNATIVE_PG_VERSION} source and says its version`, () => {
  const binary = ensureCloudnativePg();
  const info = buildInfo(binary);
  expect(info).toMatch(line('mod', 'github.com/cloudnative-pg/cloudnative-pg', '(devel)'));
  const version = run(binary, ['version']);
  expect(version.status).toBe(0);
  expect(version.output).toContain(`Build: {Version:${CLOUDNATIVE_PG_VERSION} Commit:4b5e244`);
  // The operator is the `controller` subcommand (the chart's first argument).
  expect(run(binary, ['--help']).output).toMatch(/^\s+controller\s/m);
});

it(`the barman-cloud plugin builds from its ${BARMAN_CLOUD_VERSION} module and starts`, () => {
  const binary = ensureBarmanCloud();
  const info = buildInfo(binary);
  expect(info).toMatch(line('path', `${BARMAN_CLOUD_MODULE}/cmd/manager`));
  expect(info).toMatch(line('mod', BARMAN_CLOUD_MODULE, BARMAN_CLOUD_VERSION));
  // The chart runs `operator`; the sidecar image (not run here: its pods are simulated) runs `instance`.
  const help = run(binary, ['--help']);
  expect(help.status).toBe(0);
  expect(help.output).toMatch(/^\s+operator\s/m);
  expect(help.output).toMatch(/^\s+instance\s/m);
});
