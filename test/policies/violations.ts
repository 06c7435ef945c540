/**
 * The violation table, aggregated: for every rule, mutations of the compliant fixture that must
 * make it fire (one per condition it checks), and near misses that must not. The cases live per
 * category in cases/<category>.ts, so a change to one control touches one rule file and one table.
 */
import { APP_FIRING_CASES, APP_NEAR_MISSES } from './cases/app';
import { GOV_FIRING_CASES, GOV_NEAR_MISSES } from './cases/gov';
import { IMG_FIRING_CASES, IMG_NEAR_MISSES } from './cases/img';
import { LOG_FIRING_CASES, LOG_NEAR_MISSES } from './cases/log';
import { NET_FIRING_CASES, NET_NEAR_MISSES } from './cases/net';
import { POD_FIRING_CASES, POD_NEAR_MISSES } from './cases/pod';
import { RBAC_FIRING_CASES, RBAC_NEAR_MISSES } from './cases/rbac';
import { RES_FIRING_CASES, RES_NEAR_MISSES } from './cases/res';
import { SEC_FIRING_CASES, SEC_NEAR_MISSES } from './cases/sec';
import { STO_FIRING_CASES, STO_NEAR_MISSES } from './cases/sto';
import type { CaseTable, FiringCase, NearMiss } from './cases/types';

export type { CaseTable, FiringCase, NearMiss } from './cases/types';

/** Merges per-category tables; a rule id may appear in one category only. */
function merge<T>(...tables: CaseTable<T>[]): CaseTable<T> {
  const merged: Record<string, readonly T[]> = {};
  for (const table of tables) {
    for (const [ruleId, cases] of Object.entries(table)) {
      if (ruleId in merged) throw new Error(`${ruleId} has cases in two category tables`);
      merged[ruleId] = cases;
    }
  }
  return merged;
}

export const FIRING_CASES: CaseTable<FiringCase> = merge(POD_FIRING_CASES, NET_FIRING_CASES, SEC_FIRING_CASES, RBAC_FIRING_CASES, IMG_FIRING_CASES, RES_FIRING_CASES, STO_FIRING_CASES, APP_FIRING_CASES, LOG_FIRING_CASES, GOV_FIRING_CASES);

/** Variants close to a violation that the rule must still accept. */
export const NEAR_MISSES: CaseTable<NearMiss> = merge(POD_NEAR_MISSES, NET_NEAR_MISSES, SEC_NEAR_MISSES, RBAC_NEAR_MISSES, IMG_NEAR_MISSES, RES_NEAR_MISSES, STO_NEAR_MISSES, APP_NEAR_MISSES, LOG_NEAR_MISSES, GOV_NEAR_MISSES);

/** The firing cases of one rule; throws when the table has none. */
export function firingCases(ruleId: string): readonly FiringCase[] {
  const cases = FIRING_CASES[ruleId];
  if (!cases || cases.length === 0) throw new Error(`no firing cases for ${ruleId}`);
  return cases;
}

export function nearMisses(ruleId: string): readonly NearMiss[] {
  return NEAR_MISSES[ruleId] ?? [];
}
