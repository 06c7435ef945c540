/**
 * kube-score (github.com/zegl/kube-score), an independent static scanner of Kubernetes
 * workloads: probes, resources, security contexts, disruption budgets, anti-affinity, network
 * policy coverage, Service targets. Built from its Go module at a pinned release and cached
 * beside the other Go tools (go-build.ts); the build is refused unless the binary records
 * exactly that module version and its checksum-database hash.
 */
import { spawnSync } from 'node:child_process';
import { goModuleOf, installGoModuleTool } from './go-build';

export const KUBE_SCORE_MODULE = 'github.com/zegl/kube-score';
/** The newest release the Go module proxy serves. */
export const KUBE_SCORE_VERSION = 'v1.20.0';
/** The module's go.sum hash at that version (what `go mod download -json` reports as Sum). */
export const KUBE_SCORE_MODULE_SUM = 'h1:J1VqK86SunV4Gg8emPTmwUVxe0rmXnAs5K9ZUbGMKR8=';

/** Throws unless `binary` was built from the pinned kube-score module. */
export function verifyKubeScore(binary: string): void {
  const built = goModuleOf(binary);
  const expected = { path: KUBE_SCORE_MODULE, version: KUBE_SCORE_VERSION, sum: KUBE_SCORE_MODULE_SUM };
  if (JSON.stringify(built) !== JSON.stringify(expected))
    throw new Error(`${binary} is not kube-score ${KUBE_SCORE_VERSION}: its build information says ${JSON.stringify(built)}`);
}

export function ensureKubeScore(): string {
  return installGoModuleTool(`${KUBE_SCORE_MODULE}/cmd/kube-score`, KUBE_SCORE_VERSION, 'kube-score', { verify: verifyKubeScore });
}

/** kube-score's grades (scorecard.Grade): at most 1 is critical, at most 5 a warning. */
export const KUBE_SCORE_GRADES = { critical: 1, warning: 5, almostOk: 7, ok: 10 } as const;

/** One check on one object, as `score --output-format json` (v2) writes it. */
export interface KubeScoreCheck {
  readonly check: { readonly id: string; readonly name: string; readonly target_type: string; readonly optional: boolean };
  readonly grade: number;
  readonly skipped: boolean;
  readonly comments: readonly { readonly path: string; readonly summary: string; readonly description: string }[] | null;
}

export interface KubeScoreObject {
  /** `name/apiVersion/Kind` as kube-score names it. */
  readonly object_name: string;
  readonly type_meta: { readonly apiVersion?: string; readonly kind?: string };
  readonly object_meta: { readonly name?: string; readonly namespace?: string };
  readonly checks: readonly KubeScoreCheck[] | null;
}

export interface KubeScoreOptions {
  /** `vN.NN`: checks for deprecated API versions are judged against it. */
  readonly kubernetesVersion: string;
  /** Checks kube-score leaves off by default, to run too (e.g. `container-seccomp-profile`). */
  readonly optionalChecks?: readonly string[];
}

/**
 * Scores the objects of multi-document YAML files. Objects cannot exempt themselves: the
 * `kube-score/ignore` annotations are disabled, so every exception lives in the test's table.
 */
export function kubeScore(files: readonly string[], options: KubeScoreOptions): KubeScoreObject[] {
  const result = spawnSync(
    ensureKubeScore(),
    [
      'score',
      '--output-format',
      'json',
      '--kubernetes-version',
      options.kubernetesVersion,
      '--disable-ignore-checks-annotations',
      '--disable-optional-checks-annotations',
      ...(options.optionalChecks ?? []).flatMap((check) => ['--enable-optional-test', check]),
      ...files,
    ],
    { encoding: 'utf8', timeout: 5 * 60_000, maxBuffer: 256 * 1024 * 1024 },
  );
  // Exit status 1 only says that some check is critical; the JSON says which.
  if ((result.status !== 0 && result.status !== 1) || !result.stdout.trimStart().startsWith('['))
    throw new Error(`kube-score failed (exit ${result.status}): ${result.stderr}${result.error?.message ?? ''}`);
  return JSON.parse(result.stdout) as KubeScoreObject[];
}
