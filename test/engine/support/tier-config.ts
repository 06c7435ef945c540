/**
 * The engine proof's deployment configs: a shipped config (config/default.yaml,
 * config/examples/fleet.yaml) with only what a site changes for this cluster: its kubeconfig,
 * the API server's address as pods reach it, the chart repository (the tier's, serving the
 * charts built from their sources, so the pinned versions are the ones it has) and where
 * state lives. Everything else, every control included, is as shipped.
 */
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { POD_NETWORK, API_SERVER_PORT } from './tier';

export interface ChartVersions {
  readonly certManager: string;
  readonly trustManager: string;
  readonly externalSecrets: string;
  readonly openbao: string;
  readonly cloudnativePg: string;
  readonly barmanCloud: string;
}

export interface TierConfigOptions {
  readonly kubeconfig: string;
  readonly chartRepository: string;
  readonly charts: ChartVersions;
  readonly state: { readonly backend: 'local'; readonly directory: string } | { readonly backend: 'pg'; readonly schemaPrefix: string };
  /** Further changes, applied last (a test's config change). */
  readonly edit?: (config: Record<string, unknown>) => void;
}

type Json = Record<string, unknown>;

function object(parent: Json, key: string): Json {
  const value = parent[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`config has no "${key}" section`);
  return value as Json;
}

export function tierConfig(baseFile: string, options: TierConfigOptions): string {
  const config = parse(fs.readFileSync(baseFile, 'utf8')) as Json;
  const kubernetes = object(config, 'kubernetes');
  kubernetes.configPath = options.kubeconfig;
  kubernetes.apiServer = { cidrs: [`${POD_NETWORK.gateway}/32`], port: API_SERVER_PORT };
  const platform = object(config, 'platform');
  const repository = options.chartRepository;
  platform.charts = {
    allowedRepositories: [repository],
    openbao: { repository, version: options.charts.openbao },
    externalSecrets: { repository, version: options.charts.externalSecrets },
    certManager: { repository, version: options.charts.certManager },
    trustManager: { repository, version: options.charts.trustManager },
    cloudnativePg: { repository, version: options.charts.cloudnativePg },
    barmanCloud: { repository, version: options.charts.barmanCloud },
  };
  config.state =
    options.state.backend === 'local'
      ? { backend: 'local', local: { directory: options.state.directory } }
      : { backend: 'pg', pg: { schemaPrefix: options.state.schemaPrefix } };
  options.edit?.(config);
  return `# Engine proof: ${baseFile.split('/').slice(-2).join('/')} with the tier's cluster, chart repository and state.\n${stringify(config, { lineWidth: 0 })}`;
}
