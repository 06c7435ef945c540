/**
 * The entry of the benchmark's V8 startup snapshot (scripts/bench/snapshot.ts): bundled whole
 * by esbuild (a snapshot is built from one script), it loads every module of the main job while
 * the snapshot is built; running from the snapshot then only checks the request and synthesizes.
 * Usage: node --snapshot-blob <blob> <config>   (output in CDKTF_OUTDIR)
 */
import * as v8 from 'node:v8';
// Loaded when the first stack is built: the snapshot holds them loaded, as it holds every other module.
import '../../stacks/stack-classes';
import { checkSynthesisRequest, describeOutcome } from '../../stacks/synthesis-request';
import { buildDeployment } from '../../stacks/synthesize-deployment';

function run(): void {
  // Started from a snapshot, argv[1] is the first argument (there is no script path).
  const configPath = (v8.startupSnapshot.isBuildingSnapshot() ? undefined : process.argv[1]) ?? 'config/default.yaml';
  const request = { configPath, outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' };
  const checked = checkSynthesisRequest(request);
  const outcome = 'ok' in checked ? checked : buildDeployment(request, checked);
  (outcome.ok ? process.stdout : process.stderr).write(`${describeOutcome(outcome, request)}\n`);
  process.exitCode = outcome.ok ? 0 : 1;
}

if (v8.startupSnapshot.isBuildingSnapshot()) v8.startupSnapshot.setDeserializeMainFunction(run);
else run();
