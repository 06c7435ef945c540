/**
 * App entry (`npm run synth`, `cdktf synth|deploy`): synthesize the deployment described by
 * a config file and its audit report into the output directory, or exit non-zero writing nothing.
 *
 * Config: first argument, else MATRIX_DEPLOYMENT_CONFIG, else config/default.yaml (a regular
 * file of at most 1 MiB). Output: CDKTF_OUTDIR, else cdktf.out; it is replaced only when it is
 * an output of this app (it carries .matrix-sovereign-iac-output), is empty or does not exist.
 * Exit codes (README, "Exit codes"): 0 ok, 2 invalid config, 3 policy violations, 4 output
 * directory refused, 5 output cannot be written, 70 internal error (MATRIX_DEBUG=1 prints the
 * stack trace).
 */
import { DEFAULT_CONFIG_PATH } from './config/load-config';
import { projectRoot } from './config/project-root';
import { EXIT, runCommand } from './scripts/command';
import { cacheDirectory, processContext, restoreCached, SynthesisCache, type CacheContext } from './stacks/synthesis-cache';
import {
  checkSynthesisRequest,
  describeOutcome,
  type CheckedRequest,
  type ReusedOutcome,
  type SynthesisOutcome,
  type SynthesisRequest,
} from './stacks/synthesis-request';

/** cdktf and the constructs, loaded only for a request that passed and was not in the cache (a refusal takes 0.1 s instead of 0.45 s). */
function synthesis(): typeof import('./stacks/synthesize-deployment') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load them for every request
  return require('./stacks/synthesize-deployment') as typeof import('./stacks/synthesize-deployment');
}

/** A synthesis whose output is not cached; its stacks may be (a changed config rebuilds only what read the change: docs/design.md, "Stack cache"). */
function buildAfresh(
  request: SynthesisRequest,
  checked: CheckedRequest,
  context: CacheContext,
  directory: string | undefined,
  cache?: SynthesisCache,
): SynthesisOutcome {
  const { buildDeployment, stackCacheIn } = synthesis();
  return buildDeployment(request, checked, {
    ...(cache ? { staged: (staging: string) => cache.store(staging) } : {}),
    ...(directory === undefined ? {} : { stacks: stackCacheIn(directory, context, request, checked) }),
  });
}

function exitCodeOf(outcome: SynthesisOutcome | ReusedOutcome): number {
  if (outcome.ok) return EXIT.ok;
  if (outcome.reason === 'config') return EXIT.invalidInput;
  if (outcome.reason === 'policy') return EXIT.policy;
  return outcome.error.kind === 'refused' ? EXIT.outputRefused : EXIT.outputUnwritable;
}

process.exitCode = runCommand(() => {
  const request = {
    configPath: process.argv[2] ?? process.env.MATRIX_DEPLOYMENT_CONFIG ?? DEFAULT_CONFIG_PATH,
    // cdktf CLI commands pass their output directory in CDKTF_OUTDIR.
    outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
    ...(process.env.CDKTF_OUTDIR === undefined ? {} : { outdirSource: 'CDKTF_OUTDIR' }),
  };
  const checked = checkSynthesisRequest(request);
  let outcome: SynthesisOutcome | ReusedOutcome;
  if ('ok' in checked) outcome = checked;
  else {
    // An unchanged input republishes the output (and the audit evidence) of the identical earlier run: docs/design.md, "Output cache".
    const root = projectRoot();
    const directory = cacheDirectory(root, process.env);
    const context = processContext(root);
    const cache = directory === undefined ? undefined : new SynthesisCache(directory, request, checked, context);
    outcome = (cache && restoreCached(cache, checked)) ?? buildAfresh(request, checked, context, directory, cache);
  }
  (outcome.ok ? process.stdout : process.stderr).write(`${describeOutcome(outcome, request)}\n`);
  return exitCodeOf(outcome);
});
