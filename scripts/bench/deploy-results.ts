/**
 * What one deploy benchmark run measured (written by the engine scenario, read by the report):
 * plain data, so the report is a pure function of it.
 */

/** How the stacks were deployed: one at a time with providers unpacked per stack, or side by side with a shared plugin cache. */
export type DeployMode = 'serial' | 'parallel';

export interface StackTiming {
  readonly stack: string;
  /** Seconds of `tofu init`, `plan -out` and `apply <plan>` of the deploy, and of the no-op re-plan. */
  readonly init: number;
  readonly plan: number;
  readonly apply: number;
  readonly replan: number;
}

export interface DeployRun {
  readonly homeservers: number;
  readonly mode: DeployMode;
  /** Stacks run at the same time at most (1 for serial). */
  readonly parallelism: number;
  readonly pluginCache: boolean;
  readonly stacks: number;
  /** Seconds: the app's synthesis + audit of the fleet. */
  readonly synth: number;
  /** Seconds: init + plan + apply of every stack, dependencies first (the deploy an engineer waits for). */
  readonly deploy: number;
  /** Seconds: a plan of every stack right after the deploy, which must find nothing to do (the daily drift check). */
  readonly replan: number;
  /** Stacks whose re-plan was not empty (must be none). */
  readonly perpetualDiffs: readonly string[];
  /** Bytes under the stacks' `.terraform` directories (symbolic links not followed) plus the plugin cache. */
  readonly providerBytes: number;
  /** Largest resident memory of all OpenTofu processes and provider plugins at once during the deploy (MiB, sampled every second). */
  readonly peakMemoryMiB: number;
  readonly perStack: readonly StackTiming[];
}

export interface DeployBenchResults {
  readonly date: string;
  readonly commit: string;
  readonly machine: { readonly cpuModel: string; readonly cores: number; readonly memoryGiB: number; readonly os: string };
  readonly tofuVersion: string;
  readonly kubernetesVersion: string;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
  readonly durationSeconds: number;
  readonly runs: readonly DeployRun[];
}
