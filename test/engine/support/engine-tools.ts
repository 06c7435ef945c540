/**
 * The real engine for the engine proof, in one place: OpenTofu, the control plane (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler) and kwok (a simulated node) built
 * from their Go modules; the pinned Terraform providers as a filesystem mirror; the
 * operators' binaries (cert-manager, trust-manager, External Secrets, OpenBao, CloudNativePG and
 * its barman-cloud plugin); their Helm
 * charts packaged into a chart repository directory. Everything is built once per machine,
 * cached outside the repository under the cache lock (parallel jest workers build once), and
 * keyed by sources, build flags and Go version. The builders live in ./tools/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureChartPackages } from './tools/charts';
import { ENGINE_TOOLS, ensureEngineTool, type EngineTool } from './tools/go-tools';
import { ensureOperatorBinaries, type OperatorBinaries } from './tools/operators';
import { ensureProviderMirror } from './tools/providers';

export { ENGINE_TOOLS, ensureEngineTool, KUBERNETES_VERSION, KWOK_VERSION, TOFU_VERSION, type EngineTool } from './tools/go-tools';
export {
  ensureProviderBinary,
  ensureProviderMirror,
  mirrorPath,
  PINNED_PROVIDERS,
  tofuPlatform,
  type ProviderAddress,
} from './tools/providers';
export { ENGINE_SOURCES_VARIABLE, engineSourcesDirectory, SOURCE_ARCHIVES } from './tools/sources';
export { CHART_PACKAGES, chartPackageFile, ensureChartPackages, PACKAGED_CHARTS, type PackagedChart } from './tools/charts';
export {
  CERT_MANAGER_VERSION,
  certManagerCrdFiles,
  ensureCertManagerBinaries,
  ensureCertManagerBinary,
  type CertManagerBinaries,
  type CertManagerComponent,
} from './tools/cert-manager';
export {
  BARMAN_CLOUD_MODULE,
  BARMAN_CLOUD_VERSION,
  CLOUDNATIVE_PG_VERSION,
  ensureBarmanCloud,
  ensureCloudnativePg,
  ensureExternalSecrets,
  ensureOpenBao,
  ensureOperatorBinaries,
  ensureTrustManager,
  EXTERNAL_SECRETS_TAGS,
  EXTERNAL_SECRETS_VERSION,
  OPENBAO_VERSION,
  TRUST_MANAGER_VERSION,
  type OperatorBinaries,
} from './tools/operators';

export interface EngineSupply {
  readonly providerMirror: string;
  readonly tools: Readonly<Record<EngineTool, string>>;
  readonly operators: OperatorBinaries;
  readonly charts: string;
}

/**
 * Everything the engine proof runs, built (once per machine) most useful first: the provider
 * mirror, the rest of the control plane and kwok, then the operators and their charts.
 */
export function ensureEngineSupply(): EngineSupply {
  const order: readonly EngineTool[] = ['kube-controller-manager', 'kube-scheduler', 'kwok', 'etcd', 'kube-apiserver', 'tofu'];
  if (ENGINE_TOOLS.some((tool) => !order.includes(tool)))
    throw new Error('ensureEngineSupply: an engine tool is missing from the build order');
  const providerMirror = ensureProviderMirror();
  const tools = Object.fromEntries(order.map((tool) => [tool, ensureEngineTool(tool)])) as Record<EngineTool, string>;
  const operators = ensureOperatorBinaries();
  return { providerMirror, tools, operators, charts: ensureChartPackages() };
}

/**
 * A filesystem provider mirror (`<hostname>/<namespace>/<type>/<version>/<os>_<arch>/`, the
 * unpacked layout) plus the CLI configuration that makes it OpenTofu's only provider source:
 * `direct { exclude = ["*\/*\/*"] }` forbids every registry, so init can never reach out.
 */
export interface ProviderMirror {
  readonly directory: string;
  readonly cliConfigFile: string;
}

/** An empty mirror under `root`, or `existing` (ensureProviderMirror()'s, or an operator's holding the pinned providers). */
export function providerMirror(root: string, existing?: string): ProviderMirror {
  const directory = existing ?? path.join(root, 'provider-mirror');
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(directory, { recursive: true });
  const cliConfigFile = path.join(root, 'tofu.tfrc');
  fs.writeFileSync(
    cliConfigFile,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(directory)}`,
      '    include = ["registry.opentofu.org/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["*/*/*"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return { directory, cliConfigFile };
}

export interface TofuResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs tofu in `cwd` with the mirror's CLI configuration only (no ~/.terraformrc, no checkpoint calls). */
export function runTofu(
  tofu: string,
  cwd: string,
  args: readonly string[],
  mirror: ProviderMirror,
  extraEnv: NodeJS.ProcessEnv = {},
): TofuResult {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: cwd,
    TF_CLI_CONFIG_FILE: mirror.cliConfigFile,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    ...extraEnv,
  };
  const result = spawnSync(tofu, [...args], { cwd, env, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
