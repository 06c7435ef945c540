/**
 * App entry: load and validate the deployment config, compose the stacks, synthesize them
 * into a staging directory, audit them, and only then publish the result as `cdktf.out`.
 * Any error leaves no (partial) output behind.
 *
 * Config: first argument, else MATRIX_DEPLOYMENT_CONFIG, else config/default.yaml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { ConfigError, DEFAULT_CONFIG_PATH, loadDeploymentConfig } from './config/load-config';
import { auditSynthesizedOutput } from './policies/audit';
import { writeAuditReports } from './policies/report';
import { composeDeployment } from './stacks/compose-deployment';

function main(): number {
  const configPath = process.argv[2] ?? process.env.MATRIX_DEPLOYMENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const staging = `${outdir}.staging-${process.pid}`;
  try {
    const config = loadDeploymentConfig(configPath);
    fs.rmSync(staging, { recursive: true, force: true });
    const app = new App({ outdir: staging, skipValidation: false });
    composeDeployment(app, config);
    app.synth();
    const audit = auditSynthesizedOutput(staging, { config });
    writeAuditReports(audit, path.join(staging, 'audit'));
    if (audit.errors.length > 0) {
      process.stderr.write(`policy audit failed with ${audit.errors.length} error(s):\n${audit.errors.map((f) => `  - ${f.ruleId} ${f.stack} ${f.address}: ${f.message} Fix: ${f.fix}`).join('\n')}\n`);
      fs.rmSync(staging, { recursive: true, force: true });
      return 1;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.renameSync(staging, outdir);
    process.stdout.write(`synthesized ${audit.stacks.length} stacks from ${configPath} into ${outdir} (policy audit: ${audit.rulesEvaluated} rules, 0 errors, ${audit.warnings.length} warnings)\n`);
    return 0;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main();
