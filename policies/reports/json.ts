/** The full audit as JSON: rule metadata (without the functions; a rule's subject as text), findings, suppressions, outcomes per stack. */
import type { AuditResult } from '../audit';

export function renderJsonReport(result: AuditResult): string {
  const { rules, ...rest } = result;
  const metadata = rules.map(({ check: _check, appliesTo, ...fields }) => ({
    ...fields,
    ...(appliesTo ? { appliesTo: appliesTo.subject } : {}),
  }));
  return `${JSON.stringify({ ...rest, rules: metadata }, null, 2)}\n`;
}
