import { ALERT_MAX_HOLD_MS, ALERT_MAXIMA } from '../../../config/bounds';
import { SIGNAL_LABEL, THRESHOLD_ALERTS } from '../../../model/alert-signals';
import { monitoringObjects, prometheusDuration } from '../../../tfjson/monitoring-objects';
import { block, blocks, stringMap } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

const BOUND_OF: ReadonlyMap<string, number> = new Map(
  Object.entries(THRESHOLD_ALERTS).map(([setting, alert]) => [alert, ALERT_MAXIMA[setting as keyof typeof ALERT_MAXIMA]]),
);

/** The threshold an expression compares with: the number after its last top-level `>`. */
function thresholdOf(expr: unknown): number | undefined {
  if (typeof expr !== 'string') return undefined;
  const match = /\)\s*(?:\*\s*[0-9.]+\s*)?>\s*([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)\s*$/i.exec(expr);
  return match ? Number(match[1]) : undefined;
}

/**
 * The exfiltration and abuse alerts can fire: each threshold alert compares with a number no
 * higher than its bound (config/bounds.ts: 50 GiB of media an hour, 600 directory searches,
 * 3000 profile lookups, 300 refused logins a minute), and no alert of a signal waits longer than
 * 30 minutes before firing.
 */
export const rule: Rule = {
  id: 'LOG-03',
  title: 'Alert thresholds and hold times are bounded',
  level: 'error',
  lesson:
    'An alert set at 1024 GiB an hour never fires: a threshold above any plausible abuse is an alert switched off, however complete the rule looks.',
  references: { nsaCisa: 'Audit logging and threat detection' },
  fix: 'Keep monitoring.alerts within the documented bounds (mediaEgressPerHour <= 50G, userDirectorySearchesPerMinute <= 600, profileLookupsPerMinute <= 3000, rejectedLoginsPerMinute <= 300) and every "for" at 30m or less.',
  appliesTo: { subject: 'PrometheusRule', presentIn: (stack) => monitoringObjects(stack, 'PrometheusRule').length > 0 },
  check: (stack) =>
    monitoringObjects(stack, 'PrometheusRule').flatMap((rule) =>
      blocks(block(rule.object.spec)?.groups).flatMap((group) =>
        blocks(group.rules)
          .filter((entry) => typeof entry.alert === 'string' && stringMap(entry.labels)[SIGNAL_LABEL] !== undefined)
          .flatMap((entry): Violation[] => {
            const address = `${rule.resource.address} alert ${String(entry.alert)}`;
            const violations: Violation[] = [];
            const bound = BOUND_OF.get(String(entry.alert));
            if (bound !== undefined) {
              const threshold = thresholdOf(typeof entry.expr === 'number' ? String(entry.expr) : entry.expr);
              if (threshold === undefined)
                violations.push({
                  address,
                  message: `expr ${JSON.stringify(entry.expr)} does not end with "> <threshold>": its bound (${bound}) cannot be checked`,
                });
              else if (threshold > bound)
                violations.push({
                  address,
                  message: `threshold ${threshold} is above ${bound}: the alert would not fire on abuse of that size`,
                });
            }
            const hold = prometheusDuration(entry.for);
            if (hold !== undefined && hold > ALERT_MAX_HOLD_MS)
              violations.push({
                address,
                message: `"for" is ${String(entry.for)}: a condition must not last more than 30m before the alert fires`,
              });
            return violations;
          }),
      ),
    ),
};
