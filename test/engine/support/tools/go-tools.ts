/**
 * The engine and the control plane, each built from its Go module through a tools module
 * under test/tools/engine-* (whose `tool` directive names the main package and which repeats
 * the upstream `replace` directives a module consumer must carry). go.mod/go.sum are complete:
 * builds run with -mod=readonly. Keyed by the tools module, the package, the link flags and Go.
 */
import * as path from 'node:path';
import { projectRoot } from '../../../../config/project-root';
import { goBuild } from '../../../support/go-build';
import { buildKey, cachedEngineBinary, filesDigest } from './build';

export const TOFU_VERSION = '1.10.10';
export const KUBERNETES_VERSION = 'v1.37.2';
export const KWOK_VERSION = 'v0.8.0';

interface ToolSpec {
  /** Directory of the tools module, relative to test/tools. */
  readonly module: string;
  /** Package path of the main package, named by the module's `tool` directive. */
  readonly mainPackage: string;
  readonly ldflags?: string;
}

/** Kubernetes' release build stamps its version this way (hack/lib/version.sh); unstamped it calls itself v0.0.0-master. */
const KUBERNETES_LDFLAGS = `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37`;

const TOOLS = {
  // A release build marks itself with dev=no; without it the binary calls itself 1.10.10-dev.
  tofu: {
    module: 'engine-tofu',
    mainPackage: 'github.com/opentofu/opentofu/cmd/tofu',
    ldflags: '-X github.com/opentofu/opentofu/version.dev=no',
  },
  etcd: { module: 'engine-etcd', mainPackage: 'go.etcd.io/etcd/server/v3' },
  'kube-apiserver': { module: 'engine-kube-apiserver', mainPackage: 'k8s.io/kubernetes/cmd/kube-apiserver', ldflags: KUBERNETES_LDFLAGS },
  'kube-controller-manager': {
    module: 'engine-kube-apiserver',
    mainPackage: 'k8s.io/kubernetes/cmd/kube-controller-manager',
    ldflags: KUBERNETES_LDFLAGS,
  },
  'kube-scheduler': { module: 'engine-kube-apiserver', mainPackage: 'k8s.io/kubernetes/cmd/kube-scheduler', ldflags: KUBERNETES_LDFLAGS },
  // kwok's version (0.8.0) is a constant in its source; no stamping needed.
  kwok: { module: 'engine-kwok', mainPackage: 'sigs.k8s.io/kwok/cmd/kwok' },
} as const satisfies Record<string, ToolSpec>;

export type EngineTool = keyof typeof TOOLS;
export const ENGINE_TOOLS = Object.keys(TOOLS) as EngineTool[];

/** Builds (once per machine) and returns the cached binary of an engine tool. */
export function ensureEngineTool(tool: EngineTool): string {
  const spec: ToolSpec = TOOLS[tool];
  const moduleDirectory = path.join(projectRoot(), 'test', 'tools', spec.module);
  const key = buildKey([filesDigest(moduleDirectory, ['go.mod', 'go.sum']), spec.mainPackage, spec.ldflags ?? '']);
  return cachedEngineBinary(tool, key, (output) =>
    goBuild({
      cwd: moduleDirectory,
      mainPackage: spec.mainPackage,
      output,
      mode: 'readonly',
      ...(spec.ldflags ? { ldflags: spec.ldflags } : {}),
    }),
  );
}
