/**
 * Engine proof (issue 9), part one: the real OpenTofu, built from its Go module, reads every
 * synthesized stack of the default deployment. What runs here without the providers:
 *   - `tofu init` loads the configuration (the engine's own parser and decoder, not ours),
 *     initializes the `local` backend and resolves the pinned providers by full source address;
 *   - provider installation is confined to a filesystem mirror through a CLI configuration
 *     (`direct { exclude = ["*\/*\/*"] }`): with the mirror empty, init fails closed on the
 *     mirror, naming every pinned provider, and never asks a registry;
 *   - `tofu providers` lists exactly the pinned providers (full addresses, exact versions).
 * `tofu validate` needs the provider schemas, so it needs the provider binaries in the mirror.
 * They cannot be built here (the module proxy refuses every version of the provider modules
 * at the commits of their release tags, see the README), so validate runs only when
 * ENGINE_PROVIDER_MIRROR names a filesystem mirror that holds kubernetes 2.38.0 and helm 3.1.1;
 * otherwise those tests are skipped and say why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { ensureTofu, goModuleServed, PINNED_PROVIDERS, providerMirror, runTofu, TOFU_VERSION, type ProviderMirror } from './support/engine-tools';

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

const externalMirror = process.env.ENGINE_PROVIDER_MIRROR;
const withProviders = externalMirror !== undefined && externalMirror !== '';
const itWithProviders = withProviders ? it : it.skip;
const itWithoutProviders = withProviders ? it.skip : it;

let tofu: string;
let mirror: ProviderMirror;
const init = new Map<string, ReturnType<typeof runTofu>>();

beforeAll(() => {
  tofu = ensureTofu();
  mirror = providerMirror(workspace, withProviders ? path.resolve(externalMirror) : undefined);
  if (!withProviders) {
    const answers = Object.values(PINNED_PROVIDERS).map(({ module, tag }) => `${module}@${tag}: ${goModuleServed(module, tag).detail}`);
    console.warn(`tofu validate skipped: no provider binaries (set ENGINE_PROVIDER_MIRROR to a filesystem mirror holding them).\n${answers.join('\n')}`);
  }
  for (const stack of stackNames) init.set(stack, runTofu(tofu, stackDirectory(stack), ['init', '-input=false', '-no-color'], mirror));
});

it(`builds OpenTofu ${TOFU_VERSION} from its Go module`, () => {
  const result = runTofu(tofu, workspace, ['version', '-json'], mirror);
  expect(result.stderr).toBe('');
  const version = JSON.parse(result.stdout) as { terraform_version: string; platform: string };
  expect(version.terraform_version).toBe(TOFU_VERSION);
  expect(version.platform).toMatch(/^linux_/);
});

it('synthesizes the 7 stacks of the default deployment', () => {
  expect(stackNames).toEqual(['agency-directory', 'agency-gateway', 'agency-homeserver', 'agency-media', 'matrix-platform', 'matrix-secret-generation', 'matrix-secret-store']);
});

describe.each(stackNames)('stack %s', (stack) => {
  it('pins every provider by full source address and exact version, on a local backend', () => {
    const { required_providers: required, backend } = stackJson(stack).terraform;
    for (const { source, version } of Object.values(required)) {
      expect(Object.keys(PINNED_PROVIDERS)).toContain(source);
      expect(version).toBe(PINNED_PROVIDERS[source as keyof typeof PINNED_PROVIDERS].version);
    }
    expect(Object.keys(backend)).toEqual(['local']);
  });

  it('tofu init loads the configuration and initializes the local backend', () => {
    const result = init.get(stack);
    expect(result?.stdout).toContain('Successfully configured the backend "local"!');
    const backendState = JSON.parse(fs.readFileSync(path.join(stackDirectory(stack), '.terraform', 'terraform.tfstate'), 'utf8')) as { backend: { type: string } };
    expect(backendState.backend.type).toBe('local');
  });

  it('tofu providers lists exactly the pinned providers, by full address', () => {
    const result = runTofu(tofu, stackDirectory(stack), ['providers', '-no-color'], mirror);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const listed = [...result.stdout.matchAll(/provider\[([^\]]+)\] (\S+)/g)].map(([, address, version]) => `${address} ${version}`).sort();
    const pinned = Object.values(stackJson(stack).terraform.required_providers).map(({ source, version }) => `${source} ${version}`).sort();
    expect(listed).toEqual(pinned);
  });

  itWithoutProviders('tofu init installs providers only from the filesystem mirror and fails closed without them', () => {
    const result = init.get(stack);
    expect(result?.status).toBe(1);
    const stderr = (result?.stderr ?? '').replace(/\s+/g, ' ');
    const pinned = Object.values(stackJson(stack).terraform.required_providers).map(({ source }) => source);
    for (const address of pinned) expect(stderr).toContain(`provider ${address} was not found in any of the search locations - ${mirror.directory}`);
    // One error per pinned provider, and no other: no registry was asked, nothing else failed.
    expect(stderr.match(/Error: /g)?.length).toBe(pinned.length);
    expect(stderr.match(/Failed to query available provider packages/g)?.length).toBe(pinned.length);
  });

  itWithProviders('tofu init installs the pinned providers from the mirror and tofu validate passes', () => {
    expect(init.get(stack)?.status).toBe(0);
    const result = runTofu(tofu, stackDirectory(stack), ['validate', '-json', '-no-color'], mirror);
    const report = JSON.parse(result.stdout) as { valid: boolean; error_count: number; diagnostics: unknown[] };
    expect(report.diagnostics).toEqual([]);
    expect(report.valid).toBe(true);
  });
});
