/**
 * Renders ExternalSecret `spec.target.template.data` templates (engineVersion v2) with
 * External Secrets Operator's own engine, built from test/tools/eso-template, so tests feed
 * real servers exactly the bytes ESO would write into the Secret.
 *
 * The engine is ESO's Go module at ESO_TEMPLATE_ENGINE_VERSION, the newest version whose
 * engine the Go module proxy serves (from v1.0 it lives in a nested `runtime` module the proxy
 * does not have); the deployment pins a newer ESO, so behaviour added since is not covered.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildGoProgram } from './go-build';

/** The ESO module version whose `pkg/template/v2` engine the CLI links (see its go.mod). */
export const ESO_TEMPLATE_ENGINE_VERSION = 'v0.20.4';

const SOURCE_DIRECTORY = path.join(__dirname, '..', 'tools', 'eso-template');

let binary: string | undefined;

/**
 * Builds the CLI once per machine (cold: minutes, it links client-go like ESO does) and
 * returns its path. Call it from a `beforeAll` with a generous timeout.
 */
export function esoTemplateBinary(): string {
  binary ??= buildGoProgram(SOURCE_DIRECTORY, 'eso-template');
  return binary;
}

/** The ESO and sprig modules linked into the CLI, as Go's build info records them. */
export function esoTemplateLinkedModules(): { eso?: string; sprig?: string } {
  const result = spawnSync(esoTemplateBinary(), ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`eso-template --version failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { eso?: string; sprig?: string };
}

/**
 * What ESO writes into the target Secret's `data` for `spec.target.template.data: templates`
 * when the store returned `data`. Throws with ESO's own error message when ESO would fail
 * to sync (parse error, unknown function, missing key, ...).
 */
export function renderExternalSecretTemplates(
  templates: Readonly<Record<string, string>>,
  data: Readonly<Record<string, string>>,
): Record<string, string> {
  const result = spawnSync(esoTemplateBinary(), [], {
    input: JSON.stringify({ templates, data }),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`ESO ${ESO_TEMPLATE_ENGINE_VERSION} template engine: ${result.stderr.trim()}`);
  const output = JSON.parse(result.stdout) as { data?: Record<string, string> };
  if (output.data === undefined) throw new Error(`eso-template returned no data: ${result.stdout}`);
  return output.data;
}
