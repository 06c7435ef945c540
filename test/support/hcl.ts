/**
 * HashiCorp's HCL parsers, built from Go modules: HCL 1 (the release OpenBao's and Vault's
 * server configuration loaders use) parses a document and returns it as JSON, or throws the
 * parser's own message; HCL 2's template parser reads strings as the engine reads Terraform JSON.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildGoProgram } from './go-build';

let binary: string | undefined;

export function parseHcl(text: string): Record<string, unknown> {
  binary ??= buildGoProgram(path.join(__dirname, '..', 'tools', 'hcl-check'), 'hcl-check');
  const result = spawnSync(binary, [], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`HCL parser: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** One piece of a template as HCL 2 parses it: literal text, a plain traversal (reference), or another expression. */
export type HclTemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'reference'; readonly traversal: string }
  | { readonly kind: 'expression'; readonly source: string };

/** How the engine reads one string of Terraform JSON: its parts, and its value with no variables and no functions. */
export interface HclTemplateReport {
  readonly parts: readonly HclTemplatePart[];
  /** Present when the string evaluates in an empty context. */
  readonly value?: string;
  readonly error?: string;
}

/**
 * Reads each string as OpenTofu reads a string of Terraform JSON (HCL 2's `hclsyntax.ParseTemplate`,
 * OpenTofu's build of it) and evaluates it with no variables and no functions.
 */
export function readTemplates(templates: readonly string[]): HclTemplateReport[] {
  binary ??= buildGoProgram(path.join(__dirname, '..', 'tools', 'hcl-check'), 'hcl-check');
  const result = spawnSync(binary, ['templates'], {
    input: JSON.stringify(templates),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`HCL template reader: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as HclTemplateReport[];
}
