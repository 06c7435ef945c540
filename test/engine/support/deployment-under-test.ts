/**
 * One deployment taken through the engine: synthesized by the app from a tier config, then
 * each stack initialized, validated, planned, applied, re-planned and destroyed by OpenTofu in
 * the order of cdktf's manifest (a stack after the stacks it depends on; independent stacks
 * side by side, as `cdktf deploy --parallelism` does).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';
import { describeOutcome } from '../../../stacks/synthesis-request';
import { synthesizeDeployment } from '../../../stacks/synthesize-deployment';
import type { RunResult } from './tier';
import type { PlannedChange, TofuRunner } from './tofu-runner';

interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly dependencies: readonly string[]; readonly workingDirectory: string }>>;
}

interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, { readonly lifecycle?: { readonly prevent_destroy?: boolean } }>>>>;
}

/** Addresses whose definition (ordering aside) differs between two syntheses (added, removed or changed), per stack. */
export function definitionChanges(
  before: Map<string, Map<string, string>>,
  after: Map<string, Map<string, string>>,
): Map<string, string[]> {
  const changes = new Map<string, string[]>();
  for (const stack of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(stack) ?? new Map<string, string>();
    const next = after.get(stack) ?? new Map<string, string>();
    const addresses = [...new Set([...old.keys(), ...next.keys()])].filter((address) => old.get(address) !== next.get(address)).sort();
    if (addresses.length > 0) changes.set(stack, addresses);
  }
  return changes;
}

export class DeploymentUnderTest {
  readonly outdir: string;
  /** Stacks initialized since the last synthesis (a synthesis replaces every stack directory). */
  private readonly initialized = new Set<string>();

  constructor(
    readonly directory: string,
    readonly configFile: string,
    private readonly tofu: TofuRunner,
  ) {
    this.outdir = path.join(directory, 'cdktf.out');
  }

  /** Synthesizes (and audits) the deployment with the app's own entry, failing on any finding. */
  synth(): void {
    fs.mkdirSync(this.directory, { recursive: true });
    this.initialized.clear();
    const request = { configPath: this.configFile, outdir: this.outdir };
    const outcome = synthesizeDeployment(request);
    if (!outcome.ok) throw new Error(`synthesis failed: ${describeOutcome(outcome, request)}`);
  }

  private manifest(): Manifest {
    return JSON.parse(fs.readFileSync(path.join(this.outdir, 'manifest.json'), 'utf8')) as Manifest;
  }

  /** Stack names, dependencies first. */
  get stacks(): string[] {
    const { stacks } = this.manifest();
    const ordered: string[] = [];
    const visit = (name: string) => {
      if (ordered.includes(name)) return;
      for (const dependency of stacks[name]?.dependencies ?? []) visit(dependency);
      ordered.push(name);
    };
    for (const name of Object.keys(stacks).sort()) visit(name);
    return ordered;
  }

  dependencies(stack: string): readonly string[] {
    return this.manifest().stacks[stack]?.dependencies ?? [];
  }

  stackDirectory(stack: string): string {
    return path.join(this.outdir, 'stacks', stack);
  }

  stackJson(stack: string): StackJson {
    return JSON.parse(fs.readFileSync(path.join(this.stackDirectory(stack), 'cdk.tf.json'), 'utf8')) as StackJson;
  }

  /** Addresses with lifecycle.prevent_destroy (what the retirement procedure of docs/operations.md removes from state). */
  protectedAddresses(stack: string): string[] {
    return Object.entries(this.stackJson(stack).resource ?? {}).flatMap(([type, resources]) =>
      Object.entries(resources)
        .filter(([, resource]) => resource.lifecycle?.prevent_destroy === true)
        .map(([name]) => `${type}.${name}`),
    );
  }

  /**
   * Runs `step` for every stack, each once all its dependencies are done (reverse: once every
   * stack depending on it is done), at most `parallelism` at a time. Returns the wall time.
   */
  async forEachStack(
    step: (stack: string) => Promise<void>,
    options: { parallelism?: number; reverse?: boolean; only?: readonly string[] } = {},
  ): Promise<number> {
    const started = Date.now();
    const all = options.only ?? this.stacks;
    const blockers = new Map(
      all.map((stack) => [
        stack,
        options.reverse
          ? all.filter((other) => this.dependencies(other).includes(stack))
          : this.dependencies(stack).filter((dependency) => all.includes(dependency)),
      ]),
    );
    const done = new Set<string>();
    const running = new Map<string, Promise<void>>();
    const parallelism = options.parallelism ?? 1;
    const failures: unknown[] = [];
    while (done.size < all.length && failures.length === 0) {
      for (const stack of all) {
        if (running.size >= parallelism) break;
        if (done.has(stack) || running.has(stack)) continue;
        if (!(blockers.get(stack) ?? []).every((blocker) => done.has(blocker))) continue;
        running.set(
          stack,
          step(stack).then(
            () => {
              done.add(stack);
              running.delete(stack);
            },
            (error: unknown) => {
              failures.push(error);
              running.delete(stack);
            },
          ),
        );
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.allSettled(running.values());
    if (failures.length > 0) throw failures[0];
    if (done.size < all.length) throw new Error(`stacks never became ready to run: ${all.filter((stack) => !done.has(stack)).join(', ')}`);
    return Date.now() - started;
  }

  /** Every resource definition per stack (address → JSON without cdktf's `//` metadata), to compare two syntheses. */
  definitions(): Map<string, Map<string, string>> {
    return new Map(
      this.stacks.map((stack) => {
        const resources = (this.stackJson(stack).resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
        const entries = Object.entries(resources).flatMap(([type, byName]) =>
          Object.entries(byName).map(([name, resource]): [string, string] => [
            `${type}.${name}`,
            // depends_on only orders operations (a new homeserver's policy joins a release's list): no plan changes for it.
            JSON.stringify({ ...resource, '//': undefined, depends_on: undefined }),
          ]),
        );
        return [stack, new Map(entries)];
      }),
    );
  }

  async init(stack: string): Promise<RunResult> {
    const result = await this.tofu.must(this.stackDirectory(stack), ['init', '-input=false']);
    this.initialized.add(stack);
    return result;
  }

  /** After another synthesis of the same output (the cdktf CLI's), every stack needs `tofu init` again. */
  forgetInitialization(): void {
    this.initialized.clear();
  }

  /** `tofu init` once per synthesis, as `cdktf deploy` runs it before each stack. */
  private async ready(stack: string): Promise<void> {
    if (!this.initialized.has(stack)) await this.init(stack);
  }

  async validate(stack: string): Promise<{ valid: boolean; diagnostics: unknown[] }> {
    const result = await this.tofu.run(this.stackDirectory(stack), ['validate', '-json']);
    return JSON.parse(result.stdout) as { valid: boolean; diagnostics: unknown[] };
  }

  async plan(stack: string): Promise<{ exitCode: number; changes: PlannedChange[] }> {
    await this.ready(stack);
    return this.tofu.plan(this.stackDirectory(stack));
  }

  /** Plans every stack; the changes of those whose plan is not empty (a perpetual diff, after an apply). */
  async planAll(parallelism = 1): Promise<Record<string, PlannedChange[]>> {
    const diffs: Record<string, PlannedChange[]> = {};
    await this.forEachStack(
      async (stack) => {
        const plan = await this.plan(stack);
        if (plan.exitCode !== 0) diffs[stack] = plan.changes;
      },
      { parallelism },
    );
    return diffs;
  }

  /** Every synthesized stack, as the text the engine reads. */
  synthesizedTexts(): string[] {
    return this.stacks.map((stack) => fs.readFileSync(path.join(this.stackDirectory(stack), 'cdk.tf.json'), 'utf8'));
  }

  async apply(stack: string): Promise<PlannedChange[]> {
    const { changes } = await this.plan(stack);
    await this.tofu.applyPlan(this.stackDirectory(stack));
    return changes;
  }

  async destroy(stack: string, allowed: readonly number[] = [0]): ReturnType<TofuRunner['must']> {
    await this.ready(stack);
    return this.tofu.must(this.stackDirectory(stack), ['destroy', '-input=false', '-auto-approve'], allowed);
  }

  /**
   * Retirement step 2 of docs/operations.md, as written: `npm run -s protected | sh -e` (the listed
   * `tofu state rm` commands), run in an operator's shell inside the tier. Returns the commands.
   */
  async releaseProtected(): Promise<string[]> {
    for (const stack of this.stacks) await this.ready(stack);
    const listed = spawnSync(
      process.execPath,
      [path.join(projectRoot(), 'scripts', 'run-ts.cjs'), path.join(projectRoot(), 'scripts', 'protected-resources.ts'), this.outdir],
      { encoding: 'utf8' },
    );
    if (listed.status !== 0) throw new Error(`npm run protected failed: ${listed.stderr}`);
    const result = await this.tofu.shell(listed.stdout, this.directory);
    if (result.status !== 0) throw new Error(`the protected-resource commands failed:\n${result.stderr}`);
    return listed.stdout.split('\n').filter((line) => line !== '');
  }
}
