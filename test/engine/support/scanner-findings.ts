/**
 * What an independent workload scanner (kube-score) found, judged against the table of
 * justified exceptions (test/engine/kube-score-exceptions.yaml): every critical finding must
 * be justified there, and every entry there must still match a critical finding (a stale
 * justification is a defect too). Pure functions, tested in `npm test`; the engine tier feeds
 * them the objects it applied.
 */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { z } from 'zod';
import { KUBE_SCORE_GRADES, type KubeScoreObject } from '../../support/kube-score';

export type FindingGrade = 'critical' | 'warning';

export interface ScannerFinding {
  readonly check: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly grade: FindingGrade;
  /** kube-score's one-line summaries (a path and a sentence each). */
  readonly summaries: readonly string[];
}

/**
 * One accepted critical finding: a check on an object, or on every object whose name starts
 * with the part before a final `*` (names that carry a hash). Justified for good when
 * `awaiting` is absent; otherwise a known defect accepted until the named change lands.
 */
export interface ScannerException {
  readonly check: string;
  readonly object: string;
  readonly reason: string;
  readonly awaiting?: string;
}

/** `Kind namespace/name`, how findings and exceptions name an object. */
export function objectLabel(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ?? ''}/${name}`;
}

/** The critical and warning results of a kube-score run (skipped checks and passing grades left out). */
export function findingsOf(scored: readonly KubeScoreObject[]): ScannerFinding[] {
  const findings = scored.flatMap((object) =>
    (object.checks ?? []).flatMap((check): ScannerFinding[] => {
      if (check.skipped || check.grade > KUBE_SCORE_GRADES.warning) return [];
      return [
        {
          check: check.check.id,
          object: objectLabel(object.type_meta.kind ?? '?', object.object_meta.namespace, object.object_meta.name ?? '?'),
          grade: check.grade <= KUBE_SCORE_GRADES.critical ? 'critical' : 'warning',
          summaries: (check.comments ?? []).map((comment) => `${comment.path ? `${comment.path}: ` : ''}${comment.summary}`),
        },
      ];
    }),
  );
  return findings.sort((a, b) => a.object.localeCompare(b.object) || a.check.localeCompare(b.check));
}

const CHECK_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const OBJECT = /^[A-Za-z]+ [a-z0-9-]+\/[a-z0-9.-]+\*?$/;

const EXCEPTION_GROUP = z
  .object({
    check: z.string().regex(CHECK_ID, 'a kube-score check id'),
    objects: z.array(z.string().regex(OBJECT, '`Kind namespace/name`, optionally ending in `*`')).min(1),
    reason: z.string().trim().min(20, 'say why, concretely'),
    awaiting: z.string().trim().min(10, 'name the change that removes it').optional(),
  })
  .strict();

/** Reads the exception table: groups of `check`, `objects`, one `reason` and maybe `awaiting`; a (check, object) pair appears once. */
export function parseExceptions(text: string): ScannerException[] {
  const parsed = z.array(EXCEPTION_GROUP).safeParse(YAML.parse(text) ?? []);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `entry ${issue.path.join('.')}: ${issue.message}`).join('; '));
  const groups = parsed.data;
  const exceptions = groups.flatMap((group) =>
    group.objects.map((object) => ({
      check: group.check,
      object,
      reason: group.reason,
      ...(group.awaiting ? { awaiting: group.awaiting } : {}),
    })),
  );
  const seen = new Set<string>();
  for (const exception of exceptions) {
    const key = `${exception.check} ${exception.object}`;
    if (seen.has(key)) throw new Error(`kube-score exceptions: ${key} is listed twice`);
    seen.add(key);
  }
  return exceptions;
}

export function readExceptions(file: string): ScannerException[] {
  try {
    return parseExceptions(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function covers(exception: ScannerException, finding: ScannerFinding): boolean {
  if (exception.check !== finding.check) return false;
  return exception.object.endsWith('*') ? finding.object.startsWith(exception.object.slice(0, -1)) : exception.object === finding.object;
}

export interface AcceptedFinding {
  readonly finding: ScannerFinding;
  readonly exception: ScannerException;
}

export interface ScanVerdict {
  /** Critical findings covered by the table: justified ones and known defects (`exception.awaiting`). */
  readonly accepted: readonly AcceptedFinding[];
  /** Critical findings no exception covers: new defects (or a missing justification). */
  readonly unjustified: readonly ScannerFinding[];
  /** Exceptions that cover no critical finding any more: remove them. */
  readonly stale: readonly ScannerException[];
  readonly warnings: readonly ScannerFinding[];
}

export function judgeFindings(findings: readonly ScannerFinding[], exceptions: readonly ScannerException[]): ScanVerdict {
  const critical = findings.filter((finding) => finding.grade === 'critical');
  const accepted: AcceptedFinding[] = [];
  const unjustified: ScannerFinding[] = [];
  for (const finding of critical) {
    const exception = exceptions.find((candidate) => covers(candidate, finding));
    if (exception) accepted.push({ finding, exception });
    else unjustified.push(finding);
  }
  return {
    accepted,
    unjustified,
    stale: exceptions.filter((exception) => !critical.some((finding) => covers(exception, finding))),
    warnings: findings.filter((finding) => finding.grade === 'warning'),
  };
}

/** What to change in the exception table, in its own format, or '' when nothing. */
export function verdictMessage(verdict: ScanVerdict, exceptionsFile: string): string {
  const lines: string[] = [];
  if (verdict.unjustified.length > 0) {
    lines.push(`new critical findings (fix them, or justify each in ${exceptionsFile}):`);
    for (const finding of verdict.unjustified) lines.push(`  ${finding.check} on ${finding.object}: ${finding.summaries.join('; ')}`);
    lines.push('  as table entries (the reason still to be written):');
    const byCheck = new Map<string, string[]>();
    for (const finding of verdict.unjustified) byCheck.set(finding.check, [...(byCheck.get(finding.check) ?? []), finding.object]);
    for (const [check, objects] of byCheck)
      lines.push(`  - check: ${check}`, '    objects:', ...objects.map((object) => `      - ${object}`), '    reason: TODO');
  }
  if (verdict.stale.length > 0) {
    lines.push(`stale exceptions (no such critical finding any more; remove them from ${exceptionsFile}):`);
    for (const exception of verdict.stale) lines.push(`  ${exception.check} on ${exception.object}`);
  }
  return lines.join('\n');
}

export interface CheckCount {
  readonly check: string;
  readonly critical: number;
  readonly justified: number;
  /** Known defects accepted until a named change lands. */
  readonly awaiting: number;
  readonly warning: number;
}

/** Findings per check, most critical first. */
export function countsByCheck(verdict: ScanVerdict): CheckCount[] {
  const counts = new Map<string, { critical: number; justified: number; awaiting: number; warning: number }>();
  const entry = (check: string) => {
    const existing = counts.get(check) ?? { critical: 0, justified: 0, awaiting: 0, warning: 0 };
    counts.set(check, existing);
    return existing;
  };
  for (const { finding, exception } of verdict.accepted) {
    entry(finding.check).critical += 1;
    if (exception.awaiting) entry(finding.check).awaiting += 1;
    else entry(finding.check).justified += 1;
  }
  for (const finding of verdict.unjustified) entry(finding.check).critical += 1;
  for (const finding of verdict.warnings) entry(finding.check).warning += 1;
  return [...counts.entries()]
    .map(([check, count]) => ({ check, ...count }))
    .sort((a, b) => b.critical - a.critical || b.warning - a.warning || a.check.localeCompare(b.check));
}
