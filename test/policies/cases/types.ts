/** The shapes of the case tables: firing cases and near misses, per rule id. */
import type { AuditContext } from '../../../policies/rule';
import type { Mutation } from '../fixtures';

export interface FiringCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** Substring of the violation address (names the offending resource). */
  readonly address: string;
  /** Substring of, or pattern for, the violation message. */
  readonly message: string | RegExp;
  /** Defaults to CONFIG_CONTEXT. */
  readonly context?: AuditContext;
}

export interface NearMiss {
  readonly name: string;
  readonly mutate: Mutation;
  readonly context?: AuditContext;
}

/** Cases by rule id. */
export type CaseTable<T> = Readonly<Record<string, readonly T[]>>;
