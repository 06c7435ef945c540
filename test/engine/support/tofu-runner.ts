/**
 * OpenTofu as the engine proof runs it: inside the tier (so the providers reach the API
 * server and the chart repository, and nothing else), with a CLI configuration whose only
 * provider source is the filesystem mirror of the providers built from source, and the tier
 * CA trusted for the chart repository. Every run is timed per stack and command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProviderMirror } from './engine-tools';
import type { RunResult, Tier } from './tier';

export interface Timing {
  readonly stack: string;
  readonly command: string;
  readonly ms: number;
}

export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
  /** Attribute paths whose planned value differs from the current one. */
  readonly paths: readonly string[];
}

interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly change: {
      readonly actions: readonly string[];
      readonly before?: unknown;
      readonly after?: unknown;
      readonly after_unknown?: unknown;
    };
  }[];
}

/** Leaf paths where `before` and `after` differ (unknown-after values count as differing). */
export function changedPaths(before: unknown, after: unknown, unknown: unknown, prefix = ''): string[] {
  if (unknown === true) return [prefix || '(root)'];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after), ...(isObject(unknown) ? Object.keys(unknown) : [])]);
    return [...keys].flatMap((key) =>
      changedPaths(
        before[key],
        after[key],
        isObject(unknown) ? unknown[key] : undefined,
        prefix ? `${prefix}${Array.isArray(before) ? `[${key}]` : `.${key}`}` : key,
      ),
    );
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix || '(root)'];
}

export class TofuRunner {
  readonly timings: Timing[] = [];

  constructor(
    private readonly tier: Tier,
    private readonly tofu: string,
    private readonly mirror: ProviderMirror,
    /** Extra environment of every run (mutable: e.g. PG_CONN_STR once the state database is up). */
    readonly env: Record<string, string>,
  ) {}

  get cliConfigFile(): string {
    return this.mirror.cliConfigFile;
  }

  async run(stackDirectory: string, args: readonly string[], timeoutMs = 20 * 60_000): Promise<RunResult> {
    const home = path.join(this.tier.directory, 'home');
    fs.mkdirSync(home, { recursive: true });
    const [command = '', ...rest] = args;
    const result = await this.tier.run(this.tofu, [command, '-no-color', ...rest], {
      cwd: stackDirectory,
      timeoutMs,
      env: { HOME: home, TF_CLI_CONFIG_FILE: this.mirror.cliConfigFile, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...this.env },
    });
    this.timings.push({ stack: path.basename(stackDirectory), command: args[0] ?? '', ms: result.durationMs });
    return result;
  }

  /** Runs and fails with the engine's own words when the exit status is not one of `allowed`. */
  async must(stackDirectory: string, args: readonly string[], allowed: readonly number[] = [0]): Promise<RunResult> {
    const result = await this.run(stackDirectory, args);
    if (result.status === null || !allowed.includes(result.status)) {
      throw new Error(
        `tofu ${args.join(' ')} in ${path.basename(stackDirectory)} exited ${result.status}:\n${result.stderr.slice(-6000)}\n${result.stdout.slice(-4000)}`,
      );
    }
    return result;
  }

  /** A saved plan and what it changes (no-op resources left out). */
  async plan(stackDirectory: string, extra: readonly string[] = []): Promise<{ exitCode: number; changes: PlannedChange[] }> {
    const planFile = path.join(stackDirectory, 'engine-proof.tfplan');
    const result = await this.must(stackDirectory, ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`, ...extra], [0, 2]);
    const shown = await this.must(stackDirectory, ['show', '-json', planFile]);
    const plan = JSON.parse(shown.stdout) as PlanJson;
    const changes = (plan.resource_changes ?? [])
      .filter((change) => !(change.change.actions.length === 1 && change.change.actions[0] === 'no-op'))
      .map((change) => ({
        address: change.address,
        actions: change.change.actions,
        paths: changedPaths(change.change.before, change.change.after, change.change.after_unknown),
      }));
    return { exitCode: result.status ?? -1, changes };
  }

  /** A shell script run inside the tier with `tofu` on PATH and this runner's environment (what an operator's shell has). */
  async shell(script: string, cwd: string): Promise<RunResult> {
    const bin = path.join(this.tier.directory, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    if (!fs.existsSync(path.join(bin, 'tofu'))) fs.symlinkSync(this.tofu, path.join(bin, 'tofu'));
    const file = path.join(this.tier.directory, `script-${Date.now()}.sh`);
    fs.writeFileSync(file, script);
    const home = path.join(this.tier.directory, 'home');
    fs.mkdirSync(home, { recursive: true });
    return this.tier.run('/bin/sh', ['-e', file], {
      cwd,
      timeoutMs: 20 * 60_000,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        HOME: home,
        TF_CLI_CONFIG_FILE: this.mirror.cliConfigFile,
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
        ...this.env,
      },
    });
  }

  async applyPlan(stackDirectory: string): Promise<RunResult> {
    return this.must(stackDirectory, ['apply', '-input=false', '-auto-approve', path.join(stackDirectory, 'engine-proof.tfplan')]);
  }
}
