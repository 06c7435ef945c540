/**
 * The user's command, run as the README gives it: `TERRAFORM_BINARY_NAME=tofu npx cdktf deploy
 * '*' --skip-provider-lock --auto-approve`, from the project directory (its cdktf.json app command synthesizes),
 * inside the tier, with OpenTofu on PATH as `tofu` and the same CLI configuration (provider
 * mirror) as every other engine run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../../config/project-root';
import type { EngineWorld } from './engine-world';
import type { RunResult } from './tier';

export async function cdktfDeploy(
  world: EngineWorld,
  options: { configFile: string; outdir: string; env?: Readonly<Record<string, string>>; parallelism?: number },
): Promise<RunResult> {
  const bin = path.join(world.directory, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const tofu = path.join(bin, 'tofu');
  fs.rmSync(tofu, { force: true });
  fs.symlinkSync(world.tofuBinary, tofu);
  const home = path.join(world.directory, 'cdktf-home');
  fs.mkdirSync(home, { recursive: true });
  const cli = path.join(projectRoot(), 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
  // As the README gives it: without --skip-provider-lock cdktf would ask the public registry.
  const args = [
    cli,
    'deploy',
    '*',
    '--skip-provider-lock',
    '--auto-approve',
    '--output',
    options.outdir,
    '--parallelism',
    String(options.parallelism ?? 1),
  ];
  return world.cluster.tier.run(process.execPath, args, {
    cwd: projectRoot(),
    timeoutMs: 60 * 60_000,
    env: {
      PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      TERRAFORM_BINARY_NAME: 'tofu',
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      TF_IN_AUTOMATION: '1',
      TF_CLI_CONFIG_FILE: world.tofu.cliConfigFile,
      SSL_CERT_FILE: world.repositoryCa,
      MATRIX_DEPLOYMENT_CONFIG: options.configFile,
      ...options.env,
    },
  });
}
