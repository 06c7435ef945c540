/**
 * A synthesis request and its outcome: what is checked before anything is built (the output
 * directory may be replaced, the config file is readable and valid and lies outside the output,
 * every stack's state would live apart from the output and in a schema of its own),
 * and how an outcome is told. Free of cdktf and the constructs on purpose: a refused request
 * costs a fraction of a synthesis (the app loads the rest only once these checks pass).
 */
import { ConfigError, type LoadedConfig } from '../config/load-config';
import { printable } from '../config/printable';
import { readDeploymentConfig } from '../model/load-config';
import { deploymentStackNames } from '../model/stack-names';
import type { AuditResult } from '../policies/audit';
import type { Rule } from '../policies/rule';
import { asOutputError, checkOutputDirectory, isWithin, OutputError, realResolve } from './output-directory';
import { stateLocationIssues } from './state-location';

export interface SynthesisRequest {
  readonly configPath: string;
  readonly outdir: string;
  /**
   * Where the output directory was named (CDKTF_OUTDIR), for messages.
   * @default "the output directory"
   */
  readonly outdirSource?: string;
  /**
   * The catalogue to enforce.
   * @default every rule
   */
  readonly rules?: readonly Rule[];
}

export type SynthesisFailure =
  | { readonly ok: false; readonly reason: 'config'; readonly error: ConfigError }
  | { readonly ok: false; readonly reason: 'policy'; readonly audit: AuditResult }
  | { readonly ok: false; readonly reason: 'output'; readonly error: OutputError };

export type SynthesisOutcome =
  | {
      readonly ok: true;
      readonly stacks: readonly string[];
      readonly audit: AuditResult;
      readonly outdir: string;
      /** The stacks taken from the stack cache (stacks/stack-cache.ts) instead of built. */
      readonly reused?: readonly string[];
    }
  | SynthesisFailure;

/** A request that passed the checks: the absolute output directory and the config as read. */
export interface CheckedRequest {
  readonly outdir: string;
  readonly loaded: LoadedConfig;
}

/** An error met while writing, as an output failure (exit 5); anything else is thrown on. */
export function outputFailure(error: unknown, where: string): SynthesisFailure {
  const failure = asOutputError(error, where);
  if (failure instanceof OutputError) return { ok: false, reason: 'output', error: failure };
  throw failure;
}

export function checkSynthesisRequest(request: SynthesisRequest): CheckedRequest | SynthesisFailure {
  let outdir: string;
  try {
    outdir = checkOutputDirectory(request.outdir, request.outdirSource);
  } catch (error) {
    return outputFailure(error, request.outdir);
  }
  let loaded: LoadedConfig;
  try {
    loaded = readDeploymentConfig(request.configPath);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'config', error };
    throw error;
  }
  if (isWithin(realResolve(request.configPath), realResolve(outdir))) {
    return {
      ok: false,
      reason: 'output',
      error: new OutputError(
        'refused',
        `the config ${printable(request.configPath)} lies inside the output directory ${printable(outdir)}, which the synth replaces: keep it elsewhere`,
      ),
    };
  }
  // Depends on where the output directory is, which the config alone cannot tell.
  const stateIssues = stateLocationIssues(loaded.config, deploymentStackNames(loaded.config), outdir);
  if (stateIssues.length > 0) return { ok: false, reason: 'config', error: new ConfigError(request.configPath, stateIssues) };
  return { outdir, loaded };
}

/** A passing output republished from the cache (stacks/synthesis-cache.ts), with the counts of the audit that judged it. */
export interface ReusedOutcome {
  readonly ok: true;
  readonly cached: true;
  readonly outdir: string;
  readonly audit: {
    readonly stacks: readonly string[];
    readonly rulesEvaluated: number;
    readonly errors: number;
    readonly warnings: number;
  };
}

export function describeOutcome(outcome: SynthesisOutcome | ReusedOutcome, request: SynthesisRequest): string {
  if (outcome.ok && 'cached' in outcome) {
    const { audit } = outcome;
    return `synthesized ${audit.stacks.length} stacks from ${printable(request.configPath)} into ${printable(outcome.outdir)} (policy audit: ${audit.rulesEvaluated} rules, ${audit.errors} errors, ${audit.warnings} warnings; report in audit/audit.md; reused byte for byte from an identical earlier run, MATRIX_SYNTH_CACHE=off to synthesize afresh)`;
  }
  if (outcome.ok) {
    const { audit, reused = [] } = outcome;
    const built =
      reused.length > 0 ? `; ${outcome.stacks.length - reused.length} built, ${reused.length} unchanged from the stack cache` : '';
    return `synthesized ${outcome.stacks.length} stacks from ${printable(request.configPath)} into ${printable(outcome.outdir)} (policy audit: ${audit.rulesEvaluated} rules, ${audit.errors.length} errors, ${audit.warnings.length} warnings; report in audit/audit.md${built})`;
  }
  if (outcome.reason === 'config' || outcome.reason === 'output') return `${outcome.error.message}\nnothing was written.`;
  const lines = outcome.audit.errors.map(
    (finding) =>
      `  - ${finding.ruleId} [${finding.stack}] ${printable(finding.address)}: ${printable(finding.message, 1000)}. Fix: ${finding.fix}`,
  );
  return `policy audit failed with ${outcome.audit.errors.length} error(s):\n${lines.join('\n')}\nnothing was written.`;
}
