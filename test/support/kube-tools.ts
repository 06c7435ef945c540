/**
 * Kubernetes checks for tests, done by the real upstream code instead of our reading of it:
 * helm renders third-party charts, and `test/tools/kube-check` (Go, built from the Kubernetes
 * modules) runs Pod Security admission and CustomResourceDefinition validation. Everything
 * comes from the Go module proxy (no chart repository, no GitHub) and is cached beside the
 * other Go tools (see go-build.ts), so only the first run on a machine pays for the builds.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { cachedArtifact } from './cache-lock';
import { buildGoProgram, downloadGoModule, installGoModuleTool, toolCacheRoot } from './go-build';

export interface KubeMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Any Kubernetes object; the fields past the header stay `unknown` for the test to narrow. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export const HELM_VERSION = 'v3.22.0';

/** helm, built from its Go module (no prebuilt binary can be fetched here). */
export function ensureHelm(): string {
  return installGoModuleTool('helm.sh/helm/v3/cmd/helm', HELM_VERSION, 'helm');
}

export interface ChartSource {
  /** Go module holding the chart's source, at an exact version. */
  readonly module: string;
  readonly version: string;
  /** The chart, inside the module. */
  readonly chart: string;
  /** Untemplated CustomResourceDefinitions (`*.yaml`), inside the module. */
  readonly crds: string;
  /** What the release process writes into the in-repository Chart.yaml (it holds a placeholder there). */
  readonly chartVersion: string;
  readonly appVersion: string;
  /**
   * Subcharts declared by the chart but not vendored in the module; helm refuses to render a
   * chart with missing dependencies even when they are disabled, so they are dropped, and
   * enabling one in values is an error (see helmTemplate).
   */
  readonly unvendoredDependencies: readonly string[];
}

export const CHART_SOURCES = {
  'cert-manager': {
    module: 'github.com/cert-manager/cert-manager',
    version: 'v1.21.2',
    chart: 'deploy/charts/cert-manager',
    // The chart's templates/crd-*.yaml are templated; these are the same CRDs, plain.
    crds: 'deploy/crds',
    chartVersion: 'v1.21.2',
    appVersion: 'v1.21.2',
    unvendoredDependencies: [],
  },
  'trust-manager': {
    module: 'github.com/cert-manager/trust-manager',
    version: 'v0.22.1',
    chart: 'deploy/charts/trust-manager',
    crds: 'deploy/crds',
    chartVersion: 'v0.22.1',
    appVersion: 'v0.22.1',
    unvendoredDependencies: [],
  },
  'external-secrets': {
    // The deployment pins ESO 2.10.0, but v1.3.2 is the newest release the Go module proxy
    // serves, so ESO's chart and CRDs (external-secrets.io/v1) are checked against 1.3.2 as the
    // nearest available release; fields added after it would show up as unknown.
    module: 'github.com/external-secrets/external-secrets',
    version: 'v1.3.2',
    chart: 'deploy/charts/external-secrets',
    crds: 'config/crds/bases',
    // The tagged Chart.yaml still says 1.3.1; the image tag defaults to appVersion.
    chartVersion: '1.3.2',
    appVersion: 'v1.3.2',
    unvendoredDependencies: ['bitwarden-sdk-server'],
  },
} as const satisfies Record<string, ChartSource>;

export type ChartName = keyof typeof CHART_SOURCES;

/** Bump when the way a chart is prepared below changes, so cached copies are redone. */
const CHART_PREPARATION = 1;

const moduleDirectories = new Map<string, string>();

function moduleDirectory(chart: ChartName): string {
  const source: ChartSource = CHART_SOURCES[chart];
  const key = `${source.module}@${source.version}`;
  let directory = moduleDirectories.get(key);
  if (directory === undefined) {
    directory = downloadGoModule(source.module, source.version);
    moduleDirectories.set(key, directory);
  }
  return directory;
}

/**
 * The chart, ready to render: copied out of the read-only module cache, with the version and
 * appVersion its release would carry and its unvendored subcharts dropped. Cached per version.
 */
export function chartDirectory(chart: ChartName): string {
  const source: ChartSource = CHART_SOURCES[chart];
  return cachedArtifact(path.join(toolCacheRoot(), 'charts', `${chart}-${source.version}-p${CHART_PREPARATION}`), (staging) => {
    fs.cpSync(path.join(moduleDirectory(chart), source.chart), staging, { recursive: true });
    makeWritable(staging);

    const chartFile = path.join(staging, 'Chart.yaml');
    const metadata = YAML.parseDocument(fs.readFileSync(chartFile, 'utf8'));
    metadata.set('version', source.chartVersion);
    metadata.set('appVersion', source.appVersion);
    const dependencies: unknown = metadata.toJS().dependencies;
    if (Array.isArray(dependencies)) {
      const kept = dependencies.filter((dependency: unknown) => !source.unvendoredDependencies.includes(nameOf(dependency)));
      if (kept.length > 0) metadata.set('dependencies', kept);
      else metadata.delete('dependencies');
      fs.rmSync(path.join(staging, 'Chart.lock'), { force: true });
    }
    fs.writeFileSync(chartFile, metadata.toString());
  });
}

function nameOf(dependency: unknown): string {
  return isRecord(dependency) && typeof dependency.name === 'string' ? dependency.name : '';
}

function makeWritable(directory: string): void {
  fs.chmodSync(directory, 0o755);
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else fs.chmodSync(full, 0o644);
  }
}

/** The untemplated CRD files of one chart, or of all of them; sorted absolute paths. */
export function crdFiles(chart?: ChartName): string[] {
  const charts = chart === undefined ? (Object.keys(CHART_SOURCES) as ChartName[]) : [chart];
  return charts.flatMap((name) => crdFilesIn(path.join(moduleDirectory(name), CHART_SOURCES[name].crds)));
}

/** The `*.yaml` files of a directory that hold a CustomResourceDefinition, sorted absolute paths. */
export function crdFilesIn(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => path.join(directory, file))
    .filter((file) => /^kind:\s*CustomResourceDefinition\s*$/m.test(fs.readFileSync(file, 'utf8')))
    .sort();
}

/**
 * The Prometheus Operator's CRDs (monitoring.coreos.com/v1: PodMonitor, PrometheusRule, ...),
 * which the site installs; v0.91.0 is the newest release the Go module proxy serves.
 */
export const PROMETHEUS_OPERATOR = {
  module: 'github.com/prometheus-operator/prometheus-operator',
  version: 'v0.91.0',
  crds: 'example/prometheus-operator-crd',
} as const;

export function prometheusOperatorCrdFiles(): string[] {
  const directory = path.join(downloadGoModule(PROMETHEUS_OPERATOR.module, PROMETHEUS_OPERATOR.version), PROMETHEUS_OPERATOR.crds);
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => path.join(directory, file))
    .sort();
}

export interface HelmTemplateOptions {
  releaseName: string;
  namespace: string;
  /** YAML documents, each passed to helm as one `-f` values file, in order. */
  values: readonly string[];
  /** Default 1.33.0. */
  kubeVersion?: string;
  includeCrds?: boolean;
}

/** `helm template` of a third-party chart, parsed into objects (empty documents dropped). */
export function helmTemplate(chart: ChartName, options: HelmTemplateOptions): KubeObject[] {
  for (const dependency of CHART_SOURCES[chart].unvendoredDependencies) {
    if (options.values.some((values) => dependencyEnabled(values, dependency))) {
      throw new Error(`${chart}: subchart ${dependency} is not available offline and cannot be enabled`);
    }
  }
  return helmTemplateChart(chartDirectory(chart), options);
}

/** `helm template` of a chart directory or packaged `.tgz`, parsed into objects (empty documents dropped). */
export function helmTemplateChart(chart: string, options: HelmTemplateOptions): KubeObject[] {
  const helm = ensureHelm();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-template-'));
  try {
    const valueFiles = options.values.flatMap((values, index) => {
      const file = path.join(scratch, `values-${index}.yaml`);
      fs.writeFileSync(file, values);
      return ['-f', file];
    });
    const args = [
      'template',
      options.releaseName,
      chart,
      '--namespace',
      options.namespace,
      '--kube-version',
      options.kubeVersion ?? '1.33.0',
      ...valueFiles,
    ];
    if (options.includeCrds) args.push('--include-crds');
    // helm's own config, cache and plugins stay out of the user's home.
    const env = {
      ...process.env,
      HELM_CACHE_HOME: path.join(scratch, 'cache'),
      HELM_CONFIG_HOME: path.join(scratch, 'config'),
      HELM_DATA_HOME: path.join(scratch, 'data'),
    };
    const result = spawnSync(helm, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 5 * 60_000 });
    if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}${result.error?.message ?? ''}`);
    return parseKubeObjects(result.stdout, `helm template ${path.basename(chart)}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function dependencyEnabled(values: string, dependency: string): boolean {
  const parsed: unknown = YAML.parse(values);
  const section = isRecord(parsed) ? parsed[dependency] : undefined;
  return isRecord(section) && section.enabled === true;
}

/** Parses a YAML stream of Kubernetes objects; each document must have the object header. */
export function parseKubeObjects(stream: string, origin = 'YAML stream'): KubeObject[] {
  return YAML.parseAllDocuments(stream).flatMap((document, index) => {
    if (document.errors.length > 0) throw new Error(`${origin}, document ${index}: ${document.errors.map(String).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return [];
    if (!isKubeObject(value))
      throw new Error(`${origin}, document ${index} is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    return [value];
  });
}

export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kube-check binary (test/tools/kube-check), built once per source change. */
export function kubeCheckBinary(): string {
  return buildGoProgram(path.join(__dirname, '..', 'tools', 'kube-check'), 'kube-check');
}

function runKubeCheck(args: readonly string[], objects: readonly KubeObject[]): unknown {
  // One JSON document per line: JSON is YAML, and a single-line document cannot contain `---`.
  const input = objects.map((object) => JSON.stringify(object)).join('\n---\n');
  const result = spawnSync(kubeCheckBinary(), [...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 5 * 60_000 });
  if (result.status !== 0) throw new Error(`kube-check ${args.join(' ')} failed:\n${result.stderr}${result.error?.message ?? ''}`);
  return JSON.parse(result.stdout) as unknown;
}

export interface PodSecurityOptions {
  level: 'baseline' | 'restricted';
  /** Policy version as in the pod-security.kubernetes.io/*-version label, e.g. v1.33. */
  version: `v1.${number}` | 'latest';
}

export interface PodSecurityResult {
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  /** `<check id>: <reason>: <detail>`, or `decode: ...` for fields the API server would reject. */
  violations: string[];
}

/**
 * Pod Security admission (k8s.io/pod-security-admission) over every pod-bearing object
 * (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob); others are skipped.
 */
export function podSecurityViolations(objects: readonly KubeObject[], options: PodSecurityOptions): PodSecurityResult[] {
  const output = runKubeCheck(['psa', '--level', options.level, '--version', options.version], objects);
  return expectArray(output, isPodSecurityResult, 'kube-check psa');
}

export interface CrdValidationResult {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Empty when the API server would accept the object. */
  errors: string[];
}

/**
 * Validates every object against the CRDs in `crds` (files or directories) as the API
 * server would on create with strict field validation: unknown fields, schema, list types,
 * embedded metadata and x-kubernetes-validations (CEL). Objects of a group/kind no given CRD
 * defines, or of a version it does not serve, are errors too, so pass only custom resources.
 */
export function crdValidationErrors(objects: readonly KubeObject[], crds: readonly string[]): CrdValidationResult[] {
  if (crds.length === 0 || crds.some((file) => file.includes(',')))
    throw new Error(`crdValidationErrors needs CRD paths without commas, got ${JSON.stringify(crds)}`);
  const output = runKubeCheck(['crd', '--crds', crds.join(',')], objects);
  return expectArray(output, isCrdValidationResult, 'kube-check crd');
}

function expectArray<T>(value: unknown, guard: (item: unknown) => item is T, origin: string): T[] {
  if (!Array.isArray(value) || !value.every(guard)) throw new Error(`${origin}: unexpected output ${JSON.stringify(value).slice(0, 500)}`);
  return value;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isPodSecurityResult(value: unknown): value is PodSecurityResult {
  return (
    isRecord(value) &&
    typeof value.kind === 'string' &&
    typeof value.name === 'string' &&
    typeof value.namespace === 'string' &&
    typeof value.allowed === 'boolean' &&
    isStringArray(value.violations)
  );
}

function isCrdValidationResult(value: unknown): value is CrdValidationResult {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    typeof value.name === 'string' &&
    typeof value.namespace === 'string' &&
    isStringArray(value.errors)
  );
}
