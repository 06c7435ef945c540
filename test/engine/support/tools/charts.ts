/**
 * The operators' Helm charts as a chart repository directory: each chart source (sources.ts)
 * packaged by the real helm (`helm package <dir> --version <v> --app-version <v>`: the
 * sources carry placeholder or previous versions the upstream release fills in) and indexed
 * with relative URLs (`helm repo index <dir>`), so the directory can be served from anywhere.
 * External Secrets' CRD templates are generated from its operator source (eso-crds.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { cachedArtifact } from '../../../support/cache-lock';
import { ensureHelm, HELM_VERSION } from '../../../support/kube-tools';
import { toolCache } from '../../../support/tool-cache';
import { buildKey, inScratch } from './build';
import { writeCrdTemplates } from './eso-crds';
import { SOURCE_ARCHIVES, unpackArchive, type SourceArchive } from './sources';

interface ChartPackage {
  readonly archive: SourceArchive;
  readonly version: string;
  readonly appVersion: string;
  /** Subcharts declared but not in the source (fetched from an OCI registry upstream): dropped, so they cannot be enabled. */
  readonly droppedDependencies: readonly string[];
}

/** The packaged charts and their pinned versions (the chart repository's entries). */
export const CHART_PACKAGES = {
  'cert-manager': { archive: SOURCE_ARCHIVES.certManagerChart, version: 'v1.21.1', appVersion: 'v1.21.1', droppedDependencies: [] },
  'trust-manager': { archive: SOURCE_ARCHIVES.trustManagerChart, version: 'v0.22.1', appVersion: 'v0.22.1', droppedDependencies: [] },
  'external-secrets': {
    archive: SOURCE_ARCHIVES.externalSecretsChart,
    version: '2.9.0',
    appVersion: 'v2.9.0',
    droppedDependencies: ['bitwarden-sdk-server'],
  },
  // The chart's own appVersion (the OpenBao release it was made for); the deployment sets the image.
  openbao: { archive: SOURCE_ARCHIVES.openbaoChart, version: '0.29.0', appVersion: 'v2.6.1', droppedDependencies: [] },
  // Its `cluster` subchart is a Grafana dashboard, off in the deployment.
  'cloudnative-pg': {
    archive: SOURCE_ARCHIVES.cloudnativePgChart,
    version: '0.29.0',
    appVersion: '1.30.0',
    droppedDependencies: ['cluster'],
  },
  'plugin-barman-cloud': {
    archive: SOURCE_ARCHIVES.barmanCloudChart,
    version: '0.7.0',
    appVersion: 'v0.13.0',
    droppedDependencies: [],
  },
} as const satisfies Record<string, ChartPackage>;

export type PackagedChart = keyof typeof CHART_PACKAGES;
export const PACKAGED_CHARTS = Object.keys(CHART_PACKAGES) as PackagedChart[];

/** Bump when the preparation below changes, so cached repositories are redone. */
const CHART_PREPARATION = 1;

function helm(args: readonly string[], scratch: string): string {
  // helm's own config, cache and plugins stay out of the user's home.
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(scratch, 'helm-cache'),
    HELM_CONFIG_HOME: path.join(scratch, 'helm-config'),
    HELM_DATA_HOME: path.join(scratch, 'helm-data'),
  };
  const result = spawnSync(ensureHelm(), [...args], { env, encoding: 'utf8', timeout: 5 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}${result.error?.message ?? ''}`);
  return result.stdout;
}

function dropDependencies(chartDirectory: string, dropped: readonly string[]): void {
  if (dropped.length === 0) return;
  const file = path.join(chartDirectory, 'Chart.yaml');
  const metadata = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  const dependencies: unknown = metadata.toJS().dependencies;
  const kept = Array.isArray(dependencies)
    ? dependencies.filter((dependency: { name?: unknown }) => !dropped.includes(String(dependency.name)))
    : [];
  if (kept.length > 0) metadata.set('dependencies', kept);
  else metadata.delete('dependencies');
  fs.writeFileSync(file, metadata.toString());
  fs.rmSync(path.join(chartDirectory, 'Chart.lock'), { force: true });
}

function prepare(chart: PackagedChart, directory: string, scratch: string): void {
  dropDependencies(directory, CHART_PACKAGES[chart].droppedDependencies);
  if (chart === 'external-secrets') {
    const operator = unpackArchive(SOURCE_ARCHIVES.externalSecrets, scratch);
    writeCrdTemplates(path.join(operator, 'config', 'crds', 'bases'), path.join(directory, 'templates', 'crds'));
  }
}

/**
 * A directory holding `<chart>-<version>.tgz` for every CHART_PACKAGES entry and an
 * `index.yaml` with relative URLs; built once per machine, treat it as read-only.
 */
export function ensureChartPackages(): string {
  const sources = Object.values(CHART_PACKAGES).map(
    (entry: ChartPackage) => `${entry.archive.sha256} ${entry.version} ${entry.appVersion} ${entry.droppedDependencies.join(',')}`,
  );
  const key = buildKey([`preparation ${CHART_PREPARATION}`, HELM_VERSION, SOURCE_ARCHIVES.externalSecrets.sha256, ...sources]);
  return cachedArtifact(toolCache('engine', `charts-${key}`), (staging) =>
    inScratch('charts', (scratch) => {
      fs.mkdirSync(staging);
      for (const chart of PACKAGED_CHARTS) {
        const entry: ChartPackage = CHART_PACKAGES[chart];
        const work = fs.mkdtempSync(path.join(scratch, `${chart}-`));
        const directory = unpackArchive(entry.archive, work);
        prepare(chart, directory, work);
        helm(['package', directory, '--version', entry.version, '--app-version', entry.appVersion, '--destination', staging], scratch);
      }
      helm(['repo', 'index', staging], scratch);
    }),
  );
}

/**
 * One chart's source prepared as for packaging, unpacked: what the level-2 tests render. Needs
 * only that chart's archive (and External Secrets' operator source for its chart); cached.
 */
export function preparedChart(chart: PackagedChart): string {
  const entry: ChartPackage = CHART_PACKAGES[chart];
  const key = buildKey([`preparation ${CHART_PREPARATION}`, chart, entry.archive.sha256, entry.droppedDependencies.join(',')]);
  return cachedArtifact(toolCache('engine', `chart-${chart}-${key}`), (staging) =>
    inScratch('chart', (scratch) => {
      const directory = unpackArchive(entry.archive, scratch);
      prepare(chart, directory, scratch);
      fs.cpSync(directory, staging, { recursive: true });
    }),
  );
}

/** The packaged chart's archive inside a chart repository directory. */
export function chartPackageFile(repository: string, chart: PackagedChart): string {
  return path.join(repository, `${chart}-${CHART_PACKAGES[chart].version}.tgz`);
}
