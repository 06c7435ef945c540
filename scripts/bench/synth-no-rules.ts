/**
 * Decomposition of the benchmark's headline: the main job (config, compose, synth, reports)
 * with an empty rule catalogue, so the difference to `node dist/main.js` is the policy audit.
 * Usage: node dist/scripts/bench/synth-no-rules.js <config>   (output in CDKTF_OUTDIR)
 */
import { DEFAULT_CONFIG_PATH } from '../../config/load-config';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';

const configPath = process.argv[2] ?? DEFAULT_CONFIG_PATH;
const outcome = synthesizeDeployment({ configPath, outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out', rules: [] });
if (!outcome.ok) {
  process.stderr.write(`synthesis failed: ${outcome.reason}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`synthesized ${outcome.stacks.length} stacks without policy rules\n`);
}
