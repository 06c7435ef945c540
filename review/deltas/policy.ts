/**
 * Policy deltas: findings the change introduces or fixes (both sides judged by the head's rules,
 * so a new rule does not pass for a new problem), and suppressions added, removed, changed,
 * expired or invalid, or about to expire.
 */
import type { AuditResult } from '../../policies/audit';
import type { Finding } from '../../policies/rule';
import type { SuppressionRecord } from '../../policies/suppressions';

/** A suppression that expires within this many days is called out for renewal or removal. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface SuppressionChange {
  readonly before: SuppressionRecord;
  readonly after: SuppressionRecord;
}

export interface PolicyDeltas {
  readonly newFindings: readonly Finding[];
  readonly fixedFindings: readonly Finding[];
  readonly addedSuppressions: readonly SuppressionRecord[];
  readonly removedSuppressions: readonly SuppressionRecord[];
  readonly changedSuppressions: readonly SuppressionChange[];
  /** Head suppressions that suppress nothing: expired or otherwise invalid. */
  readonly invalidSuppressions: readonly SuppressionRecord[];
  /** Valid head suppressions that expire within EXPIRY_WARNING_DAYS. */
  readonly expiringSuppressions: readonly SuppressionRecord[];
}

const findingKey = (finding: Finding) => [finding.ruleId, finding.stack, finding.address, finding.message].join('\0');
const suppressionKey = (record: SuppressionRecord) => [record.ruleId, record.stack, record.address].join('\0');
const suppressionText = (record: SuppressionRecord) => [record.reason, record.owner, record.expires].join('\0');

export function policyDeltas(base: AuditResult, head: AuditResult, now: Date): PolicyDeltas {
  const baseFindings = new Set(base.findings.map(findingKey));
  const headFindings = new Set(head.findings.map(findingKey));
  const baseSuppressions = new Map(base.suppressions.map((record) => [suppressionKey(record), record]));
  const headSuppressions = new Map(head.suppressions.map((record) => [suppressionKey(record), record]));
  const changedSuppressions: SuppressionChange[] = [];
  for (const [key, after] of headSuppressions) {
    const before = baseSuppressions.get(key);
    if (before && suppressionText(before) !== suppressionText(after)) changedSuppressions.push({ before, after });
  }
  const horizon = now.getTime() + EXPIRY_WARNING_DAYS * DAY_MS;
  return {
    newFindings: head.findings.filter((finding) => !baseFindings.has(findingKey(finding))),
    fixedFindings: base.findings.filter((finding) => !headFindings.has(findingKey(finding))),
    addedSuppressions: head.suppressions.filter((record) => !baseSuppressions.has(suppressionKey(record))),
    removedSuppressions: base.suppressions.filter((record) => !headSuppressions.has(suppressionKey(record))),
    changedSuppressions,
    invalidSuppressions: head.suppressions.filter((record) => record.problems.length > 0),
    expiringSuppressions: head.suppressions.filter(
      (record) => record.problems.length === 0 && Date.parse(`${record.expires}T23:59:59.999Z`) <= horizon,
    ),
  };
}
