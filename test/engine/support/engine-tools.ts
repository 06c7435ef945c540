/**
 * The real engine for the engine proof (issue 9): OpenTofu and the control-plane binaries,
 * each built from its Go module through a tools module under test/tools/engine-* (the tools
 * module repeats the upstream `replace` directives a module consumer must carry), cached
 * outside the repository and keyed by the tools module's go.mod/go.sum and link flags, so
 * only the first run on a machine pays for a build.
 *
 * go-build.ts builds a tools module's own main package; here the main package lives in the
 * dependency (`tool` directive), hence this small builder beside it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';
import { cachedArtifact } from '../../support/cache-lock';
import { goBuild, goVersion, keepBuild, toolCacheRoot } from '../../support/go-build';

export const TOFU_VERSION = '1.10.10';

/** The providers the synthesized stacks pin (terraform.required_providers), by full source address. */
export const PINNED_PROVIDERS = {
  'registry.opentofu.org/hashicorp/kubernetes': { version: '2.38.0', module: 'github.com/hashicorp/terraform-provider-kubernetes', tag: 'v2.38.0' },
  'registry.opentofu.org/hashicorp/helm': { version: '3.1.1', module: 'github.com/hashicorp/terraform-provider-helm', tag: 'v3.1.1' },
} as const;

interface ToolSpec {
  /** Directory of the tools module, relative to test/tools. */
  readonly module: string;
  /** Package path of the main package, named by the module's `tool` directive. */
  readonly mainPackage: string;
  readonly name: string;
  readonly ldflags?: string;
}

// engine-kube-apiserver also names kube-controller-manager (for Deployments to become Pods once
// apply can run); nothing starts it yet, so it is not built here.
const TOOLS: Record<'tofu' | 'etcd' | 'kube-apiserver', ToolSpec> = {
  // A release build marks itself with dev=no; without it the binary calls itself 1.10.10-dev.
  tofu: { module: 'engine-tofu', mainPackage: 'github.com/opentofu/opentofu/cmd/tofu', name: 'tofu', ldflags: '-X github.com/opentofu/opentofu/version.dev=no' },
  etcd: { module: 'engine-etcd', mainPackage: 'go.etcd.io/etcd/server/v3', name: 'etcd' },
  'kube-apiserver': {
    module: 'engine-kube-apiserver',
    mainPackage: 'k8s.io/kubernetes/cmd/kube-apiserver',
    name: 'kube-apiserver',
    ldflags: '-X k8s.io/component-base/version.gitVersion=v1.37.2 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37',
  },
};

export type EngineTool = keyof typeof TOOLS;

function cacheKey(spec: ToolSpec, moduleDirectory: string): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(file).update('\0').update(fs.readFileSync(path.join(moduleDirectory, file))).update('\0');
  hash.update(spec.mainPackage).update('\0').update(spec.ldflags ?? '').update('\0').update(goVersion());
  return hash.digest('hex').slice(0, 16);
}

/** Builds (once per machine) and returns the cached binary of an engine tool. */
export function ensureEngineTool(tool: EngineTool): string {
  const spec = TOOLS[tool];
  const moduleDirectory = path.join(projectRoot(), 'test', 'tools', spec.module);
  const binary = path.join(toolCacheRoot(), 'bin', `${spec.name}-${cacheKey(spec, moduleDirectory)}`);
  // -mod=readonly: the committed go.mod/go.sum are complete; a build never rewrites them.
  cachedArtifact(binary, (staging) => goBuild({ cwd: moduleDirectory, mainPackage: spec.mainPackage, output: staging, mode: 'readonly', ...(spec.ldflags ? { ldflags: spec.ldflags } : {}) }));
  keepBuild(binary, spec.name);
  return binary;
}

export function ensureTofu(): string {
  return ensureEngineTool('tofu');
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

/** An empty mirror under `root`, or `existing` (an operator's mirror holding the pinned providers). */
export function providerMirror(root: string, existing?: string): ProviderMirror {
  const directory = existing ?? path.join(root, 'provider-mirror');
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
export function runTofu(tofu: string, cwd: string, args: readonly string[], mirror: ProviderMirror, extraEnv: NodeJS.ProcessEnv = {}): TofuResult {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: cwd, TF_CLI_CONFIG_FILE: mirror.cliConfigFile, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...extraEnv };
  const result = spawnSync(tofu, [...args], { cwd, env, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether the module proxy serves `module@version`, with its answer (the error text when it does not). */
export function goModuleServed(modulePath: string, version: string): { served: boolean; detail: string } {
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const result = spawnSync('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { cwd: os.tmpdir(), env, encoding: 'utf8', timeout: 2 * 60_000 });
  const info = JSON.parse(result.stdout || '{}') as { Dir?: string; Error?: string };
  return { served: result.status === 0 && !!info.Dir, detail: info.Error ?? info.Dir ?? result.stderr };
}
