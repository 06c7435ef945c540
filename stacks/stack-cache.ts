/**
 * The stack cache: a stack whose build would read nothing different from an earlier passing
 * run's build of it is not built again; that build's JSON stands in for it (ReusedStack). A
 * changed config then rebuilds only the stacks that read what changed: one homeserver's edit
 * rebuilds that homeserver's stacks (and the platform's, when they read it), not the fleet.
 *
 * What a build read is known exactly: each stack is built, prepared and resolved from a traced
 * view of the config (stacks/read-trace.ts) that records every read, key listing and key test,
 * with what it saw; reads made outside any stack's build count for every stack of that run. An
 * entry is keyed by everything else the run depends on (the installed packages, Node.js, the
 * environment cdktf and the app read, the UTC day, the project's root, and, conservatively, the
 * output directory's name and the rules, as the output cache keys them) and the stack's name, and
 * holds the code that built it (run-ts's bundle, or every project module that run loaded, with
 * its content); it is reused only when that code is unchanged and every observation it recorded
 * holds on the new config, so the same code would take the same steps and write the same JSON.
 * A stand-in is audited like any stack unless its entry keeps a clean audit by the same rules
 * with the same site facts. Only passing runs store entries: for the stacks they built, and for
 * stand-ins they had to audit again.
 *
 * Entries are single files under the output cache's directory (stacks/), written whole and
 * renamed into place; the newest MAX_STACK_ENTRIES are kept. MATRIX_SYNTH_CACHE=off disables it
 * with the output cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, TerraformStack } from 'cdktf';
import type { DeploymentConfig } from '../config/deployment-config';
import { auditResult, type AuditResult } from '../policies/audit';
import type { AuditContext, Rule } from '../policies/rule';
import type { StackSource } from './compose-deployment';
import { observationsHold, ReadTrace, ReadTracer, type Observation } from './read-trace';
import { ReusedStack } from './reused-stack';
import { hashOrMissing, prune, runInputs, sha256, writeAtomically, type CacheContext } from './synthesis-cache';
import type { CheckedRequest, SynthesisRequest } from './synthesis-request';

/** Bumped whenever the entry format or the meaning of the key changes. */
const FORMAT = 1;
/** A fleet of 50 homeservers has 270 stacks; room for a few fleets and days. */
export const MAX_STACK_ENTRIES = 2048;

/**
 * A clean audit of the entry's JSON (no finding, no suppression with a problem), by the rules
 * and on the day of the key, with these site facts. Within a day a clean verdict stays clean
 * (a suppression only expires at the end of its day, and is only ever nearer its expiry).
 */
interface KeptAudit {
  /** sha256 of the site facts the rules judged with. */
  readonly facts: string;
  /** The ids of the rules that judged, in order. */
  readonly rules: readonly string[];
  readonly suppressed: AuditResult['suppressed'];
  readonly suppressions: AuditResult['suppressions'];
  readonly notJudged: AuditResult['notJudged'];
  readonly outcomes: AuditResult['outcomes'];
}

interface StackEntry {
  readonly format: number;
  readonly key: string;
  readonly stack: string;
  /** The code that built it: run-ts's bundle, or the sha256 of `modules` and their contents. */
  readonly code: string;
  /** The project modules loaded by the run that built it (none under run-ts: the bundle holds them). */
  readonly modules: readonly string[];
  readonly observations: readonly Observation[];
  /** The stack's cdk.tf.json as cdktf wrote it. */
  readonly json: string;
  readonly audit?: KeptAudit;
}

/** What a passing run keeps of one stack. */
export interface StackBuild {
  readonly observations: readonly Observation[];
  readonly audit?: KeptAudit;
}

const factsDigests = new WeakMap<AuditContext, string>();

/** sha256 of the site facts of an audit context (every stack of a synthesis shares one context). */
function factsDigest(context: AuditContext): string {
  let digest = factsDigests.get(context);
  if (digest === undefined) factsDigests.set(context, (digest = sha256(JSON.stringify(context.facts ?? null))));
  return digest;
}

/** The parts of a clean audit worth keeping, or undefined when it is not clean. */
function keptAudit(result: AuditResult | undefined, facts: string): KeptAudit | undefined {
  if (result === undefined || result.findings.length > 0 || result.suppressions.some((record) => record.problems.length > 0))
    return undefined;
  const { suppressed, suppressions, notJudged, outcomes } = result;
  return { facts, rules: ruleIds(result.rules), suppressed, suppressions, notJudged, outcomes };
}

const ruleIds = (rules: readonly Rule[]): string[] => rules.map((rule) => rule.id);

/** Whether an entry's observations hold on `config`; a damaged list (not the shape a run writes) does not. */
function holdsOn(observations: readonly Observation[], config: DeploymentConfig): boolean {
  try {
    return observationsHold(observations, config);
  } catch {
    return false;
  }
}

/** What the key holds of one run besides the run's inputs (runInputs). */
export interface StackCacheInputs {
  /** The output directory's name (no stack names it today; keyed as the output cache keys it). */
  readonly outdirName: string;
  /** The rule ids enforced, or every rule (a kept audit also records its own). */
  readonly rules: readonly string[] | 'all';
}

/** The stack cache of a run of the app command, next to its output cache (directory: the output cache's). */
export function stackCacheIn(directory: string, context: CacheContext, request: SynthesisRequest, checked: CheckedRequest): StackCache {
  return new StackCache(path.join(directory, 'stacks'), context, {
    outdirName: path.basename(checked.outdir),
    rules: request.rules === undefined ? 'all' : request.rules.map((rule) => rule.id),
  });
}

export class StackCache {
  private shared: string | undefined;
  /** sha256 of each project module looked at in this process (a module's content is read once). */
  private readonly moduleHashes = new Map<string, string>();

  constructor(
    private readonly directory: string,
    private readonly context: CacheContext,
    private readonly inputs: StackCacheInputs,
  ) {}

  /** Where the stacks of one synthesis into `app` come from, judged against `config`. */
  sourceFor(app: App, config: DeploymentConfig): CachingStackSource {
    return new CachingStackSource(this, app, config);
  }

  /** The project modules loaded so far, the entry's own included, sorted. */
  private loadedModules(): string[] {
    return [...new Set([this.context.entryFile, ...this.context.modules()])].sort();
  }

  /** The code that `modules` hold now: run-ts's bundle (it holds every module), else each module's path and content. */
  private codeOf(modules: readonly string[]): string {
    if (this.context.bundle !== undefined) return `bundle:${this.context.bundle}`;
    const hashOf = (module: string): string => {
      let hash = this.moduleHashes.get(module);
      if (hash === undefined) this.moduleHashes.set(module, (hash = hashOrMissing(module)));
      return hash;
    };
    return sha256(JSON.stringify(modules.map((module) => [module, hashOf(module)])));
  }

  keyOf(stack: string): string {
    // The inputs every entry shares are read once per run (they hash the package locks).
    this.shared ??= JSON.stringify({ format: FORMAT, ...runInputs(this.context), root: this.context.root, ...this.inputs });
    return sha256(`${this.shared}\n${stack}`);
  }

  private fileOf(key: string): string {
    return path.join(this.directory, `${key.slice(0, 32)}.json`);
  }

  /** The entry of `stack` whose observations hold on `config`, or undefined. */
  lookup(stack: string, config: DeploymentConfig): StackEntry | undefined {
    const key = this.keyOf(stack);
    let entry: StackEntry;
    try {
      entry = JSON.parse(fs.readFileSync(this.fileOf(key), 'utf8')) as StackEntry;
    } catch {
      return undefined;
    }
    if (entry.format !== FORMAT || entry.key !== key || entry.stack !== stack || typeof entry.json !== 'string') return undefined;
    // The code that built the entry (every module that run loaded, which includes every module loaded so far) is unchanged.
    if (!Array.isArray(entry.modules) || entry.code !== this.codeOf(entry.modules)) return undefined;
    const listed = new Set(entry.modules);
    if (!this.loadedModules().every((module) => listed.has(module))) return undefined;
    if (!Array.isArray(entry.observations) || !holdsOn(entry.observations, config)) return undefined;
    try {
      const now = new Date();
      fs.utimesSync(this.fileOf(key), now, now);
    } catch {
      // Only the pruning order.
    }
    return entry;
  }

  /** Stores the builds of a passing run, with the code that made them. Never fails the run. */
  store(builds: ReadonlyMap<string, StackBuild>, staging: string): void {
    try {
      if (builds.size === 0) return;
      const modules = this.loadedModules();
      const code = this.codeOf(modules);
      fs.mkdirSync(this.directory, { recursive: true });
      for (const [stack, { observations, audit }] of builds) {
        const json = fs.readFileSync(path.join(staging, 'stacks', stack, 'cdk.tf.json'), 'utf8');
        const key = this.keyOf(stack);
        const entry: StackEntry = { format: FORMAT, key, stack, code, modules, observations, json, ...(audit ? { audit } : {}) };
        writeAtomically(this.fileOf(key), JSON.stringify(entry));
      }
      prune(this.directory, MAX_STACK_ENTRIES);
    } catch {
      // A read-only or full cache directory: the run is complete anyway, its stacks only are not reused.
    }
  }
}

/** The stacks of one synthesis: reused when an entry holds, else built from a traced view of the config. */
export class CachingStackSource implements StackSource {
  private readonly tracer: ReadTracer<DeploymentConfig>;
  private readonly traces = new Map<string, ReadTrace>();
  /** What the stand-ins' entries recorded (their JSON is the stand-ins' own). */
  private readonly entries = new Map<string, Pick<StackEntry, 'observations' | 'audit'>>();
  /** The stand-ins whose kept audit was taken as this synthesis's. */
  private readonly auditsTaken = new Set<string>();
  private facts: string | undefined;
  /** The names of the stacks reused, in composition order. */
  readonly reused: string[] = [];

  constructor(
    private readonly cache: StackCache,
    private readonly app: App,
    private readonly config: DeploymentConfig,
  ) {
    this.tracer = new ReadTracer(config);
  }

  stack(name: string, build: (config: DeploymentConfig) => TerraformStack): TerraformStack {
    const entry = this.cache.lookup(name, this.config);
    if (entry) {
      this.reused.push(name);
      this.entries.set(name, { observations: entry.observations, ...(entry.audit ? { audit: entry.audit } : {}) });
      return new ReusedStack(this.app, name, entry.json);
    }
    const trace = new ReadTrace();
    const stack = this.tracer.during(trace, () => build(this.tracer.view));
    if (stack.node.id !== name) throw new Error(`the stack built as ${name} is named ${stack.node.id}`);
    this.traced(trace, stack, 'prepareStack');
    this.traced(trace, stack, 'toTerraform');
    this.traces.set(name, trace);
    return stack;
  }

  earlierAudit(name: string, context: AuditContext, rules: readonly Rule[]): AuditResult | undefined {
    this.facts = factsDigest(context);
    const kept = this.entries.get(name)?.audit;
    if (kept === undefined || kept.facts !== this.facts || JSON.stringify(kept.rules) !== JSON.stringify(ruleIds(rules))) return undefined;
    this.auditsTaken.add(name);
    const { suppressed, suppressions, notJudged, outcomes } = kept;
    const auditedAt = (context.now ?? new Date()).toISOString();
    return auditResult({ stacks: [name], rules, findings: [], suppressed, suppressions, auditedAt, notJudged, outcomes });
  }

  /** Runs a method of the stack (its preparation, its resolution) with its trace open. */
  private traced(trace: ReadTrace, stack: TerraformStack, method: 'prepareStack' | 'toTerraform'): void {
    const own = stack[method].bind(stack) as () => unknown;
    Object.defineProperty(stack, method, { value: () => this.tracer.during(trace, own), configurable: true, writable: true });
  }

  /**
   * Stores what this passing run built, and the audits it made of stand-ins (`audits`: each
   * stack's result by name; `staging` holds the stacks cdktf wrote).
   */
  store(staging: string, audits: ReadonlyMap<string, AuditResult | undefined>): void {
    const builds = new Map<string, StackBuild>();
    const auditOf = (name: string) => (this.facts === undefined ? undefined : keptAudit(audits.get(name), this.facts));
    for (const [name, trace] of this.traces) {
      trace.include(this.tracer.unattributed);
      const observations = trace.observations();
      const audit = auditOf(name);
      if (observations) builds.set(name, { observations, ...(audit ? { audit } : {}) });
    }
    for (const [name, entry] of this.entries) {
      const audit = auditOf(name);
      if (!this.auditsTaken.has(name) && audit) builds.set(name, { observations: entry.observations, audit });
    }
    this.cache.store(builds, staging);
  }
}
