/**
 * Proof that the real Synapse (the deployed image's version, from PyPI) accepts every rendered
 * config with --no-secrets-in-config, and reads back the hardened values. Secret files are
 * created as the cluster mounts them; nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../config/load-config';
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { homeserverWorkloads, mediaWorkloads } from '../../model/homeserver-workloads';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { ensureSynapseVenv } from '../support/synapse-venv';

jest.setTimeout(600_000);

type Loaded = Record<string, unknown> & { error?: string };
interface LoadRequest {
  readonly files: Record<string, string>;
  readonly configs: string[];
}

/** One Python process loads every request: Synapse's import cost is paid once. */
function loadAll(requests: readonly LoadRequest[]): Loaded[] {
  const script = path.join(__dirname, '..', 'support', 'load_synapse_config.py');
  const result = spawnSync(ensureSynapseVenv(), [script], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`loader crashed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Loaded[];
}

function synapseProcesses(config: DeploymentConfig, homeserver: HomeserverSettings) {
  return [...homeserverWorkloads(config, homeserver), ...mediaWorkloads(config, homeserver)]
    .filter((workload) => workload.image === config.images.effective.synapse)
    .map((workload) => {
      const files = workload.configFiles?.[0]?.files ?? {};
      // The same files, in the same order, as the container command passes them.
      const configs = (workload.command ?? []).filter((arg) => arg.startsWith('/config/')).map((arg) => path.basename(arg));
      return { name: workload.name, files, configs };
    });
}

const closed = loadDeploymentConfig();
const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const cases = [
  ...synapseProcesses(closed, closed.homeservers[0]!).map((p) => ({ ...p, config: closed, homeserver: closed.homeservers[0]! })),
  ...fleet.homeservers.flatMap((homeserver) => synapseProcesses(fleet, homeserver).map((p) => ({ ...p, config: fleet, homeserver }))),
];

const main = cases[0]!;
const withInlineSecret = { ...main.files, 'homeserver.yaml': `${main.files['homeserver.yaml']}macaroon_secret_key: "inline"\n` };
const withoutReportStats = { ...main.files, 'homeserver.yaml': (main.files['homeserver.yaml'] ?? '').replace('report_stats: false\n', '') };
let results: Loaded[] = [];
beforeAll(() => {
  results = loadAll([...cases.map(({ files, configs }) => ({ files, configs })), { files: withInlineSecret, configs: main.configs }, { files: withoutReportStats, configs: main.configs }]);
});

describe('real Synapse loads every rendered config with --no-secrets-in-config', () => {
  it.each(cases.map((c, index) => [`${c.homeserver.name}/${c.name}`, c, index] as const))('%s', (_label, { homeserver, name }, index) => {
    const loaded = results[index] ?? {};
    expect(loaded.error).toBeUndefined();
    expect(loaded).toMatchObject({
      server_name: homeserver.serverName,
      worker_name: name === 'synapse' ? null : name,
      enable_registration: false,
      allow_guest_access: false,
      localdb_enabled: false,
      password_enabled: true,
      encryption_default: ['private_chat', 'public_chat', 'trusted_private_chat'],
      federation_domain_whitelist: [...homeserver.federation.peers].sort(),
      trusted_key_servers: 0,
      report_stats: false,
      url_preview_enabled: false,
      presence_enabled: false,
      push_include_content: false,
      search_all_users: false,
      user_directory_exclude_remote_users: true,
      limit_profile_requests: true,
      require_auth_for_profile_requests: true,
      session_lifetime_ms: 30 * 24 * 3600 * 1000,
      nonrefreshable_access_token_lifetime_ms: 24 * 3600 * 1000,
      redis_enabled: true,
      redis_password_set: true,
      replication_secret_set: true,
      ldap_module: 'ldap_auth_provider.LdapAuthProviderModule',
      ldap_start_tls: false,
      ldap_tls_options: expect.objectContaining({ validate: 2 }),
      ldap_bind_password_read_from_file: true,
      can_load_media_repo: name === 'media-repository',
    });
    expect(String(loaded.ldap_uri)).toMatch(/^ldaps:\/\//);
    if (name === 'media-repository') expect(loaded).toMatchObject({ enable_authenticated_media: true, max_upload_size: 50 * 1024 * 1024, media_upload_limits: 2 });
  });
});

describe('the loader is a real check: it refuses what the renderer must never produce', () => {
  it('refuses an inline secret under --no-secrets-in-config', () => {
    expect(results[cases.length]?.error).toMatch(/ConfigError: macaroon_secret_key/);
  });

  it('refuses a config without report_stats', () => {
    expect(results[cases.length + 1]?.error).toMatch(/report_stats/);
  });
});
