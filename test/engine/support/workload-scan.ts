/**
 * The independent workload scan of the engine proof: every workload-shaped object the API
 * server holds in the deployment's namespaces after the apply (ours, the charts', and what the
 * operators made from them), written as one multi-document YAML and scored by kube-score, the
 * critical findings judged against the exception table (scanner-findings.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { projectRoot } from '../../../config/project-root';
import { kubeScore, KUBE_SCORE_VERSION } from '../../support/kube-score';
import type { KubeClient, KubeObject } from './kube-client';
import {
  countsByCheck,
  findingsOf,
  judgeFindings,
  objectLabel,
  readExceptions,
  type CheckCount,
  type ScanVerdict,
} from './scanner-findings';

/** The kinds scanned, as the API serves them (list items carry no apiVersion and kind of their own). */
export const SCANNED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets' },
  { apiVersion: 'batch/v1', kind: 'CronJob', resource: 'cronjobs' },
  { apiVersion: 'batch/v1', kind: 'Job', resource: 'jobs' },
  { apiVersion: 'v1', kind: 'Service', resource: 'services' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', resource: 'networkpolicies' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
] as const;

/** Off by default in kube-score, on here: the platform's pods run under Pod Security `restricted`, which requires a seccomp profile. */
export const OPTIONAL_CHECKS = ['container-seccomp-profile'] as const;

/** The table of justified critical findings, edited by whoever changes the workloads. */
export const EXCEPTIONS_FILE = path.join('test', 'engine', 'kube-score-exceptions.yaml');

function listPath(apiVersion: string, namespace: string, resource: string): string {
  return `${apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`}/namespaces/${namespace}/${resource}`;
}

/** Every scanned object of `namespaces`, without status and managed fields (what the scanner judges is the spec). */
export async function readScannedObjects(kube: KubeClient, namespaces: readonly string[]): Promise<KubeObject[]> {
  const lists = await Promise.all(
    namespaces.flatMap((namespace) =>
      SCANNED_KINDS.map(async ({ apiVersion, kind, resource }) =>
        (await kube.list(listPath(apiVersion, namespace, resource))).map((item): KubeObject => {
          const { status: _status, metadata, ...rest } = item;
          const { managedFields: _managed, ...kept } = metadata as KubeObject['metadata'] & { managedFields?: unknown };
          return { apiVersion, kind, metadata: kept, ...rest };
        }),
      ),
    ),
  );
  return lists.flat();
}

/**
 * One YAML stream, YAML 1.1 as kube-score reads it: strings such as `n`, `on` or `0755` are
 * quoted, so none is read back as a boolean or a number.
 */
export function yamlStream(objects: readonly KubeObject[]): string {
  return objects.map((object) => YAML.stringify(object, { version: '1.1' })).join('---\n');
}

export interface WorkloadScan {
  readonly objects: number;
  readonly objectsByKind: Readonly<Record<string, number>>;
  readonly verdict: ScanVerdict;
  readonly counts: readonly CheckCount[];
  /** One line for the console and the engine report. */
  readonly summary: string;
}

function findingsTable(scan: Omit<WorkloadScan, 'summary'>): string {
  const { verdict } = scan;
  return [
    `# kube-score ${KUBE_SCORE_VERSION} on the applied objects`,
    '',
    '| check | critical | justified | awaiting a fix | warning |',
    '|---|---|---|---|---|',
    ...scan.counts.map((count) => `| ${count.check} | ${count.critical} | ${count.justified} | ${count.awaiting} | ${count.warning} |`),
    '',
    '| grade | check | object | summary or reason |',
    '|---|---|---|---|',
    ...verdict.unjustified.map((finding) => `| CRITICAL, new | ${finding.check} | ${finding.object} | ${finding.summaries.join('; ')} |`),
    ...verdict.accepted.map(
      ({ finding, exception }) =>
        `| critical, ${exception.awaiting ? `awaiting ${exception.awaiting}` : 'justified'} | ${finding.check} | ${finding.object} | ${exception.reason} |`,
    ),
    ...verdict.warnings.map((finding) => `| warning | ${finding.check} | ${finding.object} | ${finding.summaries.join('; ')} |`),
    ...verdict.stale.map((exception) => `| stale exception | ${exception.check} | ${exception.object} | ${exception.reason} |`),
    '',
  ].join('\n');
}

/**
 * Reads, writes and scores the objects; keeps the stream, kube-score's JSON and the findings
 * table in `evidenceDirectory`. The caller asserts on the verdict.
 */
export async function scanWorkloads(
  kube: KubeClient,
  namespaces: readonly string[],
  options: { readonly kubernetesVersion: string; readonly evidenceDirectory: string },
): Promise<WorkloadScan> {
  const objects = await readScannedObjects(kube, namespaces);
  fs.rmSync(options.evidenceDirectory, { recursive: true, force: true });
  fs.mkdirSync(options.evidenceDirectory, { recursive: true });
  const stream = path.join(options.evidenceDirectory, 'objects.yaml');
  fs.writeFileSync(stream, yamlStream(objects));
  const scored = kubeScore([stream], { kubernetesVersion: options.kubernetesVersion, optionalChecks: OPTIONAL_CHECKS });
  fs.writeFileSync(path.join(options.evidenceDirectory, 'kube-score.json'), JSON.stringify(scored, null, 2));
  const scoredLabels = new Set(
    scored.map((object) => objectLabel(object.type_meta.kind ?? '?', object.object_meta.namespace, object.object_meta.name ?? '?')),
  );
  const missed = objects
    .map((object) => objectLabel(object.kind ?? '?', object.metadata.namespace, object.metadata.name))
    .filter((label) => !scoredLabels.has(label));
  if (missed.length > 0) throw new Error(`kube-score did not score ${missed.join(', ')}`);

  const verdict = judgeFindings(findingsOf(scored), readExceptions(path.join(projectRoot(), EXCEPTIONS_FILE)));
  const objectsByKind: Record<string, number> = {};
  for (const object of objects) objectsByKind[object.kind ?? '?'] = (objectsByKind[object.kind ?? '?'] ?? 0) + 1;
  const counts = countsByCheck(verdict);
  const critical = verdict.accepted.length + verdict.unjustified.length;
  const awaiting = verdict.accepted.filter(({ exception }) => exception.awaiting).length;
  const summary =
    `kube-score ${KUBE_SCORE_VERSION}: ${objects.length} objects scanned (${Object.entries(objectsByKind)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ')}); ` +
    `${critical} critical (${verdict.accepted.length - awaiting} justified, ${awaiting} known defects awaiting a fix, ${verdict.unjustified.length} new), ` +
    `${verdict.warnings.length} warning; ` +
    `${verdict.stale.length} stale exceptions`;
  const scan = { objects: objects.length, objectsByKind, verdict, counts };
  fs.writeFileSync(path.join(options.evidenceDirectory, 'findings.md'), findingsTable(scan));
  return { ...scan, summary };
}
