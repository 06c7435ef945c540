/**
 * The engine and its providers, before any cluster: OpenTofu built from its Go module; the
 * providers built from their release sources and offered as a filesystem mirror that is the
 * CLI configuration's only source (`direct { exclude = ["*\/*\/*"] }`), so init can never reach
 * a registry: it installs exactly the pinned providers from the mirror, and with an empty
 * mirror it fails closed, naming each provider, asking nobody else.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { ensureEngineTool, ensureProviderMirror, PINNED_PROVIDERS, providerMirror, runTofu, TOFU_VERSION } from './support/engine-tools';

interface StackJson {
  terraform: { required_providers: Record<string, { source: string; version: string }>; backend: Record<string, unknown> };
}

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tofu-'));
afterAll(() => {
  fs.rmSync(workspace, { recursive: true, force: true });
});
const outdir = path.join(workspace, 'deployment', 'cdktf.out');
fs.mkdirSync(path.dirname(outdir), { recursive: true });
// A suite that throws while it is collected runs no afterAll: clean up before throwing.
try {
  const outcome = synthesizeDeployment({ configPath: DEFAULT_CONFIG_FILE, outdir });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome, null, 2));
} catch (error) {
  fs.rmSync(workspace, { recursive: true, force: true });
  throw error;
}
const stackNames = fs.readdirSync(path.join(outdir, 'stacks')).sort();
const stackDirectory = (stack: string) => path.join(outdir, 'stacks', stack);
const stackJson = (stack: string) => JSON.parse(fs.readFileSync(path.join(stackDirectory(stack), 'cdk.tf.json'), 'utf8')) as StackJson;

let tofu: string;

beforeAll(() => {
  tofu = ensureEngineTool('tofu');
}, 60 * 60_000);

it(`builds OpenTofu ${TOFU_VERSION} from its Go module`, () => {
  const result = runTofu(tofu, workspace, ['version', '-json'], providerMirror(path.join(workspace, 'version')));
  expect(result.stderr).toBe('');
  const version = JSON.parse(result.stdout) as { terraform_version: string; platform: string };
  expect(version.terraform_version).toBe(TOFU_VERSION);
  expect(version.platform).toMatch(/^linux_/);
});

describe.each(stackNames)('stack %s', (stack) => {
  it('pins every provider by full source address and exact version', () => {
    const { required_providers: required } = stackJson(stack).terraform;
    for (const { source, version } of Object.values(required)) {
      expect(Object.keys(PINNED_PROVIDERS)).toContain(source);
      expect(version).toBe(PINNED_PROVIDERS[source as keyof typeof PINNED_PROVIDERS].version);
    }
  });

  it('with an empty mirror, tofu init fails closed on every pinned provider and asks no registry', () => {
    const empty = providerMirror(path.join(workspace, `empty-${stack}`));
    const result = runTofu(tofu, stackDirectory(stack), ['init', '-input=false', '-no-color', '-backend=false'], empty);
    expect(result.status).toBe(1);
    const stderr = result.stderr.replace(/\s+/g, ' ');
    const pinned = Object.values(stackJson(stack).terraform.required_providers).map(({ source }) => source);
    for (const address of pinned)
      expect(stderr).toContain(`provider ${address} was not found in any of the search locations - ${empty.directory}`);
    expect(stderr.match(/Error: /g)?.length).toBe(pinned.length);
  });

  it('with the built mirror, tofu init installs exactly the pinned providers, and `tofu providers` lists them by full address', () => {
    const mirror = providerMirror(path.join(workspace, `mirror-${stack}`), ensureProviderMirror());
    const init = runTofu(tofu, stackDirectory(stack), ['init', '-input=false', '-no-color'], mirror);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const listed = runTofu(tofu, stackDirectory(stack), ['providers', '-no-color'], mirror);
    const found = [...listed.stdout.matchAll(/provider\[([^\]]+)\] (\S+)/g)].map(([, address, version]) => `${address} ${version}`).sort();
    const pinned = Object.values(stackJson(stack).terraform.required_providers)
      .map(({ source, version }) => `${source} ${version}`)
      .sort();
    expect(found).toEqual(pinned);
    const lock = fs.readFileSync(path.join(stackDirectory(stack), '.terraform.lock.hcl'), 'utf8');
    for (const { source, version } of Object.values(stackJson(stack).terraform.required_providers))
      expect(lock).toContain(`provider "${source}" {\n  version     = "${version}"`);
  });
});
