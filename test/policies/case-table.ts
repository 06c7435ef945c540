/**
 * The shape of a rule's case table (policies/rules/<category>/<ID>.cases.ts), Pod Security
 * style: inputs the rule must fire on, near misses it must accept, and inputs without its
 * subject, where it must report itself not applicable. Every input is a mutation of the
 * compliant fixture (fixtures.ts); the runner is rule-cases.test.ts.
 */
import type { AuditContext } from '../../policies/rule';
import type { Mutation } from './fixtures';

export interface BadCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** Substring of the violation address (names the offending resource). */
  readonly address: string;
  /** Substring of, or pattern for, the violation message. */
  readonly message: string | RegExp;
  /** Defaults to CONFIG_CONTEXT. */
  readonly context?: AuditContext;
}

export interface GoodCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** Defaults to CONFIG_CONTEXT. */
  readonly context?: AuditContext;
}

export interface RuleCases {
  /** Inputs the rule must fire on: at least one per condition it checks. */
  readonly bad: readonly BadCase[];
  /** Inputs close to a violation that the rule must accept. */
  readonly good?: readonly GoodCase[];
  /** Inputs without what the rule judges: it must come out not applicable (and find nothing). */
  readonly notApplicable?: readonly GoodCase[];
}
