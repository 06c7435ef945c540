/** The full audit as JSON: rule metadata (without the check functions), findings, suppressions. */
import type { AuditResult } from '../audit';

export function renderJsonReport(result: AuditResult): string {
  const { rules, ...rest } = result;
  return `${JSON.stringify({ ...rest, rules: rules.map(({ check: _check, ...metadata }) => metadata) }, null, 2)}\n`;
}
