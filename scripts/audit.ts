/**
 * Standalone audit of any directory of synthesized Terraform JSON (this app's cdktf.out, or
 * another project's `*.tf.json`): runs every rule, writes the evidence (Markdown, JSON, CSV,
 * SARIF, JUnit XML) and exits non-zero on any error finding.
 *
 * Usage: npm run audit -- <directory> [--config <deployment.yaml>] [--out <directory>] [--date YYYY-MM-DD]
 * Exit codes: 0 no error, 1 error findings, 2 bad usage or unreadable input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadDeploymentConfig } from '../config/load-config';
import { auditStacks, readSynthesizedStacks } from '../policies/audit';
import { annotationText } from '../policies/policy-pack';
import { sourceLocations, writeAuditReports } from '../policies/reports';
import type { AuditContext } from '../policies/rule';

interface Options {
  readonly directory: string;
  readonly configPath?: string;
  readonly out?: string;
  readonly date?: string;
}

class UsageError extends Error {}

function parseArguments(args: readonly string[]): Options {
  let directory: string | undefined;
  const named: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--')) {
      const value = args[index + 1];
      if (!['--config', '--out', '--date'].includes(arg)) throw new UsageError(`unknown option ${arg}`);
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      named[arg.slice(2)] = value;
      index += 1;
    } else if (directory === undefined) directory = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!directory) throw new UsageError('missing the directory to audit');
  if (named.date !== undefined && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(named.date)) throw new UsageError('--date must be YYYY-MM-DD');
  return { directory, ...(named.config ? { configPath: named.config } : {}), ...(named.out ? { out: named.out } : {}), ...(named.date ? { date: named.date } : {}) };
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STANDARD_OUTPUT: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** The command, as a function of its arguments (exit code returned, output through `io`). */
export function runAudit(args: readonly string[], io: Output = STANDARD_OUTPUT): number {
  let options: Options;
  try {
    options = parseArguments(args);
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: npm run audit -- <directory> [--config <deployment.yaml>] [--out <directory>] [--date YYYY-MM-DD]\n`);
    return 2;
  }
  if (!fs.existsSync(options.directory) || !fs.statSync(options.directory).isDirectory()) {
    io.err(`${options.directory}: not a directory\n`);
    return 2;
  }
  let stacks;
  try {
    stacks = readSynthesizedStacks(options.directory);
  } catch (error) {
    io.err(`${options.directory}: cannot read Terraform JSON: ${(error as Error).message}\n`);
    return 2;
  }
  if (stacks.length === 0) {
    io.err(`${options.directory}: no *.tf.json file found\n`);
    return 2;
  }
  let context: AuditContext = options.date ? { now: new Date(`${options.date}T12:00:00Z`) } : {};
  if (options.configPath) {
    try {
      context = { ...context, config: loadDeploymentConfig(options.configPath) };
    } catch (error) {
      io.err(`${error instanceof ConfigError ? error.message : String(error)}\n`);
      return 2;
    }
  }
  const result = auditStacks(stacks, context);
  const out = options.out ?? path.join(options.directory, 'audit');
  const sources = new Map(stacks.map((stack) => [stack.name, stack.source ?? options.directory]));
  writeAuditReports(result, out, sourceLocations(sources, process.cwd()));
  for (const finding of result.errors) io.err(`error ${annotationText(finding)}\n`);
  for (const finding of result.warnings) io.err(`warning ${annotationText(finding)}\n`);
  io.out(`audited ${stacks.length} stacks with ${result.rulesEvaluated} rules: ${result.errors.length} errors, ${result.warnings.length} warnings, ${result.suppressed.length} suppressed; evidence in ${out}\n`);
  return result.errors.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = runAudit(process.argv.slice(2));
