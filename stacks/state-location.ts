/**
 * Where each stack's Terraform state will live, checked at synthesis time (the output
 * directory comes from the environment, so the config alone cannot tell): local state must
 * stay apart from the output directory, which every synth replaces, and from the run's
 * staging and set-aside directories next to it; with the pg backend every stack must get a
 * schema of its own that PostgreSQL keeps as written.
 */
import * as path from 'node:path';
import type { ConfigIssue } from '../config/cross-checks';
import type { DeploymentConfig } from '../config/deployment-config';
import { printable } from '../config/printable';
import { POSTGRES_IDENTIFIER_MAX, stateSchemaName } from '../model/stack-names';
import { isWithin, realResolve } from './output-directory';

/**
 * The directory local state resolves to: the engine runs in `<outdir>/stacks/<stack>/` and the
 * backend path climbs three levels (engine-settings.ts), so it is relative to the directory
 * that holds the output directory (the project root for the default cdktf.out).
 */
export function localStateDirectory(outdir: string, directory: string): string {
  return path.resolve(path.dirname(path.resolve(outdir)), directory);
}

function localIssues(outdir: string, directory: string): ConfigIssue[] {
  const state = realResolve(localStateDirectory(outdir, directory));
  const output = realResolve(outdir);
  const shown = `resolves to ${printable(state)}`;
  if (isWithin(state, output)) {
    return [
      {
        path: 'state.local.directory',
        message: `${shown}, inside the output directory ${printable(output)}, which every synth replaces: keep the state outside it (default: state)`,
      },
    ];
  }
  if (isWithin(output, state)) {
    return [
      {
        path: 'state.local.directory',
        message: `${shown}, which contains the output directory ${printable(output)}: keep state and output apart (default: state)`,
      },
    ];
  }
  const first = path.relative(path.dirname(output), state).split(path.sep)[0] ?? '';
  if (new RegExp(`^${escapeRegExp(path.basename(output))}\\.(staging|old)-[0-9]+$`).test(first)) {
    return [
      {
        path: 'state.local.directory',
        message: `${shown}, inside ${printable(first)}, a name the synth uses for its own temporary directories`,
      },
    ];
  }
  return [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pgIssues(prefix: string, stackNames: readonly string[]): ConfigIssue[] {
  const owners = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const stack of stackNames) {
    const schema = stateSchemaName(prefix, stack);
    if (Buffer.byteLength(schema) > POSTGRES_IDENTIFIER_MAX || !/^[a-z_][a-z0-9_]*$/.test(schema)) {
      issues.push({
        path: 'state.pg.schemaPrefix',
        message: `gives stack ${stack} the schema name ${printable(schema)}, which PostgreSQL would not keep as written`,
      });
    }
    const owner = owners.get(schema);
    if (owner !== undefined)
      issues.push({
        path: 'state.pg.schemaPrefix',
        message: `gives stacks ${owner} and ${stack} the same schema ${schema}: they would share one state`,
      });
    owners.set(schema, stack);
  }
  return issues;
}

/** Problems with where the stacks' state would live, reported as config issues (exit 2). */
export function stateLocationIssues(config: DeploymentConfig, stackNames: readonly string[], outdir: string): ConfigIssue[] {
  return config.state.backend === 'local' ? localIssues(outdir, config.state.directory) : pgIssues(config.state.schemaPrefix, stackNames);
}
