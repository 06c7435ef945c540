/**
 * Standalone audit of any directory of synthesized Terraform JSON (this app's cdktf.out, or
 * another project's `*.tf.json`): runs every rule, writes the evidence (Markdown, JSON, CSV,
 * SARIF, JUnit XML) and exits non-zero on any error finding.
 *
 * Usage: npm run audit -- <directory> [--config <deployment.yaml>] [--out <directory>] [--date YYYY-MM-DD]
 *
 * Site facts (allowlists, cluster ranges, the monitoring namespace): from --config, else from the
 * site-facts.json of the synthesized output being audited (cdktf.out, cdktf.out/stacks or one
 * stack's folder), else none: what the rules cannot judge without them is reported as not judged.
 * Inputs are read within the limits of config/input-files.ts; the evidence directory must be
 * new, empty or an earlier evidence directory (it carries .matrix-sovereign-iac-output).
 * Exit codes: 0 no error, 1 error findings, 2 bad usage, unreadable input or untrustworthy site
 * facts, 4 evidence directory refused, 5 evidence cannot be written, 70 internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError, parseJson } from '../config/bounded-parse';
import { INPUT_LIMITS, InputFileError, readRegularFile } from '../config/input-files';
import { ConfigError } from '../config/load-config';
import { printable } from '../config/printable';
import { readDeploymentConfig } from '../model/load-config';
import { auditStacks } from '../policies/audit';
import { sourceLocations, writeAuditReports } from '../policies/reports';
import { annotationText, type AuditContext } from '../policies/rule';
import {
  checkSiteFactsRecord,
  differingFacts,
  SITE_FACT_SOURCES,
  SITE_FACTS_FILE,
  siteFactsOf,
  type SiteFacts,
} from '../policies/site-facts';
import { asOutputError, carriesMarker, OutputError, prepareEvidenceDirectory } from '../stacks/output-directory';
import { readSynthesizedStacks } from '../tfjson/read-stacks';
import type { SynthesizedStack } from '../tfjson/terraform-json';
import { EXIT, runCommand } from './command';

interface Options {
  readonly directory: string;
  readonly configPath?: string;
  readonly out?: string;
  readonly date?: string;
}

/** Bad input: one line on stderr and exit 2 (`usage` adds the usage line). */
class InputError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

const USAGE = 'usage: npm run audit -- <directory> [--config <deployment.yaml>] [--out <directory>] [--date YYYY-MM-DD]';

function parseArguments(args: readonly string[]): Options {
  let directory: string | undefined;
  const named: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--')) {
      const value = args[index + 1];
      if (!['--config', '--out', '--date'].includes(arg)) throw new InputError(`unknown option ${printable(arg)}`, true);
      if (value === undefined || value.startsWith('--')) throw new InputError(`${arg} needs a value`, true);
      if (named[arg.slice(2)] !== undefined) throw new InputError(`${arg} given twice`, true);
      named[arg.slice(2)] = value;
      index += 1;
    } else if (directory === undefined) directory = arg;
    else throw new InputError(`unexpected argument ${printable(arg)}`, true);
  }
  if (!directory) throw new InputError('missing the directory to audit', true);
  if (named.date !== undefined && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(named.date)) throw new InputError('--date must be YYYY-MM-DD', true);
  return {
    directory,
    ...(named.config ? { configPath: named.config } : {}),
    ...(named.out ? { out: named.out } : {}),
    ...(named.date ? { date: named.date } : {}),
  };
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STANDARD_OUTPUT: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** The site facts record of the synthesized output `directory` belongs to (it, its `stacks/`, or one stack's folder), if any. */
function recordedFactsFile(directory: string): string | undefined {
  const candidates = [directory];
  if (path.basename(directory) === 'stacks') candidates.push(path.dirname(directory));
  if (path.basename(path.dirname(directory)) === 'stacks') candidates.push(path.dirname(path.dirname(directory)));
  const root = candidates.find((candidate) => carriesMarker(candidate));
  return root === undefined ? undefined : path.join(root, SITE_FACTS_FILE);
}

type Recorded =
  | { readonly file: string; readonly facts: SiteFacts; readonly config: string }
  | { readonly file: string; readonly problem: string }
  | undefined;

function readRecordedFacts(directory: string): Recorded {
  const file = recordedFactsFile(path.resolve(directory));
  if (file === undefined || !fs.existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = parseJson(readRegularFile(file, INPUT_LIMITS.configBytes, 'site facts'));
  } catch (error) {
    if (error instanceof InputFileError) return { file, problem: error.problem };
    if (error instanceof ParseError) return { file, problem: error.message };
    throw error;
  }
  const record = checkSiteFactsRecord(value);
  if (typeof record === 'string') return { file, problem: record };
  return { file, facts: record.facts, config: `${printable(record.config.file)}, sha256 ${record.config.sha256.slice(0, 12)}...` };
}

/** The facts to judge with, and the lines that say where they came from. */
function siteFacts(options: Options, io: Output): SiteFacts | undefined {
  const recorded = readRecordedFacts(options.directory);
  if (options.configPath) {
    let facts: SiteFacts;
    try {
      facts = siteFactsOf(readDeploymentConfig(options.configPath).config);
    } catch (error) {
      if (error instanceof ConfigError) throw new InputError(error.message);
      throw error;
    }
    if (recorded && 'problem' in recorded) io.err(`note: ${printable(recorded.file)}: ${recorded.problem}; judged with --config\n`);
    else if (recorded) {
      const differing = differingFacts(recorded.facts, facts);
      if (differing.length > 0)
        io.err(
          `note: ${printable(recorded.file)} records other site facts than --config (${differing.map((key) => SITE_FACT_SOURCES[key]).join('; ')}): the output was synthesized from another config; judged with --config\n`,
        );
    }
    return facts;
  }
  if (recorded && 'problem' in recorded)
    throw new InputError(
      `${printable(recorded.file)}: the site facts cannot be trusted: ${recorded.problem}; audit with --config <deployment.yaml>`,
    );
  if (recorded) io.out(`site facts from ${printable(recorded.file)} (config ${recorded.config})\n`);
  return recorded?.facts;
}

function readStacks(directory: string): SynthesizedStack[] {
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(directory);
  } catch {
    stats = undefined;
  }
  if (!stats?.isDirectory()) throw new InputError(`${printable(directory)}: not a directory`);
  let stacks: SynthesizedStack[];
  try {
    stacks = readSynthesizedStacks(directory);
  } catch (error) {
    if (error instanceof InputFileError) throw new InputError(error.message);
    throw error;
  }
  if (stacks.length === 0) throw new InputError(`${printable(directory)}: no *.tf.json file found`);
  return stacks;
}

function audit(args: readonly string[], io: Output): number {
  const options = parseArguments(args);
  const stacks = readStacks(options.directory);
  const facts = siteFacts(options, io);
  const context: AuditContext = { ...(options.date ? { now: new Date(`${options.date}T12:00:00Z`) } : {}), ...(facts ? { facts } : {}) };
  const out = prepareEvidenceDirectory(options.out ?? path.join(options.directory, 'audit'), '--out');
  const result = auditStacks(stacks, context);
  const sources = new Map(stacks.map((stack) => [stack.name, stack.source ?? options.directory]));
  try {
    writeAuditReports(result, out, sourceLocations(sources, process.cwd()));
  } catch (error) {
    throw asOutputError(error, out);
  }
  for (const finding of result.errors) io.err(`error ${printable(annotationText(finding), 2000)}\n`);
  for (const finding of result.warnings) io.err(`warning ${printable(annotationText(finding), 2000)}\n`);
  for (const entry of result.notJudged)
    io.err(`not judged [${entry.ruleId}] ${entry.what} (needs the site facts ${entry.facts.join('; ')}: give --config)\n`);
  const notJudged = result.notJudged.length > 0 ? `, ${result.notJudged.length} rules partly not judged (no site facts)` : '';
  io.out(
    `audited ${stacks.length} stacks with ${result.rulesEvaluated} rules: ${result.errors.length} errors, ${result.warnings.length} warnings, ${result.suppressed.length} suppressed${notJudged}; evidence in ${printable(out)}\n`,
  );
  return result.errors.length > 0 ? EXIT.findings : EXIT.ok;
}

/** The command, as a function of its arguments (exit code returned, output through `io`). */
export function runAudit(args: readonly string[], io: Output = STANDARD_OUTPUT): number {
  return runCommand(() => {
    try {
      return audit(args, io);
    } catch (error) {
      if (error instanceof InputError) {
        io.err(`${error.message}\n${error.usage ? `${USAGE}\n` : ''}`);
        return EXIT.invalidInput;
      }
      if (error instanceof OutputError) {
        io.err(`${error.message}\n`);
        return error.kind === 'refused' ? EXIT.outputRefused : EXIT.outputUnwritable;
      }
      throw error;
    }
  }, io.err);
}

if (require.main === module) process.exitCode = runAudit(process.argv.slice(2));
