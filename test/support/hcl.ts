/**
 * HashiCorp's HCL 1 parser (the release OpenBao's and Vault's server configuration loaders
 * use), built from Go modules: parses a document and returns it as JSON, or throws the
 * parser's own message.
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
