/**
 * App entry (`npm run synth`, `cdktf synth|deploy`): synthesize the deployment described by
 * a config file and its audit report into cdktf.out, or exit non-zero writing nothing.
 *
 * Config: first argument, else MATRIX_DEPLOYMENT_CONFIG, else config/default.yaml.
 * Exit codes: 0 ok, 2 invalid config, 3 policy violations.
 */
import { DEFAULT_CONFIG_PATH } from './config/load-config';
import { describeOutcome, synthesizeDeployment } from './stacks/synthesize-deployment';

const request = {
  configPath: process.argv[2] ?? process.env.MATRIX_DEPLOYMENT_CONFIG ?? DEFAULT_CONFIG_PATH,
  // cdktf CLI commands pass their output directory in CDKTF_OUTDIR.
  outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
};
const outcome = synthesizeDeployment(request);
if (outcome.ok) process.stdout.write(`${describeOutcome(outcome, request)}\n`);
else process.stderr.write(`${describeOutcome(outcome, request)}\n`);
process.exitCode = outcome.ok ? 0 : outcome.reason === 'config' ? 2 : 3;
