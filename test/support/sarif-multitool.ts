/**
 * Microsoft's SARIF Multitool (the SARIF SDK's validator, from the npm registry as its
 * self-contained Linux build), installed once into the tool cache: validates a log against
 * the SARIF 2.1.0 schema and the SDK's own rules, and returns what it reports.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedArtifact } from './cache-lock';
import { toolCache } from './tool-cache';

export const SARIF_MULTITOOL_VERSION = '5.7.0';

const BINARY = path.join('node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');

function cacheDirectory(): string {
  return toolCache('npm-tools', `sarif-multitool-${SARIF_MULTITOOL_VERSION}`);
}

export function sarifMultitool(): string {
  const directory = cachedArtifact(cacheDirectory(), (staging) => {
    fs.mkdirSync(staging, { recursive: true });
    const install = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        `@microsoft/sarif-multitool-linux@${SARIF_MULTITOOL_VERSION}`,
      ],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (install.status !== 0) throw new Error(`npm install of the SARIF Multitool failed: ${install.stderr}`);
    // The package's binary may come without its executable bit.
    fs.chmodSync(path.join(staging, BINARY), 0o755);
  });
  return path.join(directory, BINARY);
}

export interface SarifValidationResult {
  readonly ruleId: string;
  readonly level: string;
  readonly message: string;
}

/** Everything the validator reports about the file (schema errors, rule warnings). */
export function validateSarif(file: string): SarifValidationResult[] {
  const output = `${file}.validation.sarif`;
  const result = spawnSync(sarifMultitool(), ['validate', file, '--output', output, '--log', 'ForceOverwrite'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (!fs.existsSync(output)) throw new Error(`SARIF Multitool produced no output (${result.status}): ${result.stdout}${result.stderr}`);
  const log = JSON.parse(fs.readFileSync(output, 'utf8')) as {
    runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[] }[];
  };
  return (log.runs[0]?.results ?? []).map((entry) => ({
    ruleId: entry.ruleId,
    level: entry.level ?? 'warning',
    message: entry.message.text ?? `${entry.message.id ?? ''} ${(entry.message.arguments ?? []).join(' ')}`,
  }));
}
