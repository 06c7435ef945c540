/**
 * Proof that the real Synapse (the deployed image's version, from PyPI) accepts every rendered
 * config with --no-secrets-in-config, and reads back the hardened values. Secret files are
 * created as the cluster mounts them; nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { publicIssuer, SYNAPSE_IDP_ID } from '../../model/identity';
import { loadDeploymentConfig } from '../../model/load-config';
import { SECRET_NAMES, SIGNING_KEY_ID } from '../../model/secrets';
import { SYNAPSE_PATHS } from '../../render/synapse/mount-paths';
import { homeserverWorkloads, mediaWorkloads } from '../../workloads/homeserver-workloads';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { deliveredFiles, valuesFor } from '../support/delivered-secrets';
import { ensureSynapseVenv } from '../support/synapse-venv';

// A cold machine builds the venv (about a minute) and ESO's template engine (minutes).
jest.setTimeout(30 * 60_000);

type Loaded = Record<string, unknown> & { error?: string };
interface LoadRequest {
  readonly files: Record<string, string>;
  readonly configs: string[];
  /** Files at their pod paths, as delivered (e.g. rendered by External Secrets). */
  readonly mounted?: Record<string, string>;
  readonly extraConfigs?: string[];
  /** The pod's Secret mount paths: only these Secrets exist when the process starts. */
  readonly secretDirectories?: string[];
}

/** One Python process loads every request: Synapse's import cost is paid once. */
function loadAll(requests: readonly LoadRequest[]): Loaded[] {
  const script = path.join(__dirname, '..', 'support', 'load_synapse_config.py');
  const result = spawnSync(ensureSynapseVenv(), [script], {
    input: JSON.stringify(requests),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
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
      return { name: workload.name, files, configs, secretDirectories: (workload.secretMounts ?? []).map((mount) => mount.mountPath) };
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
/** The media worker as it would be if it kept the provider list: it must not start without the client secret it does not mount. */
const mediaWorker = cases.find((c) => c.name === 'media-repository')!;
const workerFile = Object.keys(mediaWorker.files).find(
  (file) => file !== 'homeserver.yaml' && file !== 'log.yaml' && /^oidc_providers: \[\]$/m.test(mediaWorker.files[file] ?? ''),
)!;
const mediaWithProvider = {
  ...mediaWorker,
  files: { ...mediaWorker.files, [workerFile]: (mediaWorker.files[workerFile] ?? '').replace(/^oidc_providers: \[\]\n/m, '') },
};
const withoutReportStats = { ...main.files, 'homeserver.yaml': (main.files['homeserver.yaml'] ?? '').replace('report_stats: false\n', '') };
/** The agency homeserver of the fleet sends mail: its main process reads an External Secrets-rendered email section. */
const mailing = cases.find((c) => c.config === fleet && c.homeserver.synapse.smtp !== undefined && c.name === 'synapse')!;
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const delivered = (() => {
  const declarations = homeserverSecretDeclarations(mailing.homeserver);
  const render = (name: string) => {
    const declaration = declarations.find((candidate) => candidate.name === name);
    if (!declaration) throw new Error(`no ${name}`);
    const values = valuesFor(declaration);
    return { values, files: deliveredFiles(declaration, values) };
  };
  return {
    signing: render(SECRET_NAMES.signingKey),
    keys: render(SECRET_NAMES.synapseKeys),
    redis: render(SECRET_NAMES.redis),
    oidc: render(SECRET_NAMES.oidcClient),
    email: render(SECRET_NAMES.email),
  };
})();
const deliveredRequest: LoadRequest = {
  files: mailing.files,
  configs: mailing.configs,
  mounted: {
    [`${SYNAPSE_PATHS.signingKeyDirectory}/signing.key`]: delivered.signing.files['signing.key'] ?? '',
    ...Object.fromEntries(
      ['macaroon', 'form', 'replication'].map((file) => [`${SYNAPSE_PATHS.keysDirectory}/${file}`, delivered.keys.files[file] ?? '']),
    ),
    [`${SYNAPSE_PATHS.redisSecretDirectory}/password`]: delivered.redis.files.password ?? '',
    [`${SYNAPSE_PATHS.oidcSecretDirectory}/secret`]: delivered.oidc.files.secret ?? '',
    [`${SYNAPSE_PATHS.emailSecretDirectory}/email.yaml`]: delivered.email.files['email.yaml'] ?? '',
  },
  extraConfigs: mailing.homeserver.synapse.smtp ? [`${SYNAPSE_PATHS.emailSecretDirectory}/email.yaml`] : [],
};

let results: Loaded[] = [];
beforeAll(() => {
  results = loadAll([
    ...cases.map(({ files, configs, secretDirectories }) => ({ files, configs, secretDirectories })),
    { files: withInlineSecret, configs: main.configs },
    { files: withoutReportStats, configs: main.configs },
    deliveredRequest,
    { files: mediaWithProvider.files, configs: mediaWithProvider.configs, secretDirectories: mediaWithProvider.secretDirectories },
  ]);
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
      password_enabled: false,
      modules: 0,
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
      can_load_media_repo: name === 'media-repository',
    });
    if (name === 'synapse') {
      // Logins are the main process's: one provider, the realm, its client secret read from the file.
      expect(loaded).toMatchObject({
        oidc_providers: 1,
        oidc_idp_id: SYNAPSE_IDP_ID,
        oidc_issuer: publicIssuer(homeserver),
        oidc_discover: false,
        oidc_pkce_method: 'always',
        oidc_allow_existing_users: false,
        oidc_client_secret_read_from_file: true,
      });
      expect(String(loaded.oidc_token_endpoint)).toMatch(/^https:\/\/keycloak\./);
    } else {
      // Workers start without the client secret their pods do not mount.
      expect(loaded).toMatchObject({ oidc_providers: 0 });
    }
    if (name === 'media-repository')
      expect(loaded).toMatchObject({ enable_authenticated_media: true, max_upload_size: 50 * 1024 * 1024, media_upload_limits: 2 });
  });
});

describe('the loader is a real check: it refuses what the renderer must never produce', () => {
  it('refuses an inline secret under --no-secrets-in-config', () => {
    expect(results[cases.length]?.error).toMatch(/ConfigError: macaroon_secret_key/);
  });

  it('refuses a config without report_stats', () => {
    expect(results[cases.length + 1]?.error).toMatch(/report_stats/);
  });

  it('refuses to start a worker that keeps the provider list without the client secret mounted', () => {
    expect(results[cases.length + 3]?.error).toMatch(/ConfigError: oidc_providers/);
  });
});

describe('real Synapse reads the files External Secrets renders from generated values', () => {
  const loaded = () => results[cases.length + 2] ?? {};

  it('accepts them all with --no-secrets-in-config, the email section included', () => {
    expect(loaded().error).toBeUndefined();
    expect(loaded()).toMatchObject({
      redis_password_set: true,
      replication_secret_set: true,
      oidc_client_secret_read_from_file: true,
      smtp_host: mailing.homeserver.synapse.smtp?.host,
    });
  });

  it('loads the signing key built from a 43-character generated seed (32 bytes of ed25519 seed)', () => {
    const seed = delivered.signing.values.seed ?? '';
    expect(delivered.signing.files['signing.key']).toBe(`ed25519 ${SIGNING_KEY_ID} ${seed}`);
    expect(loaded().signing_key_ids).toEqual([SIGNING_KEY_ID]);
    const seedBytes = Buffer.from(`${seed}=`, 'base64');
    expect(seedBytes).toHaveLength(32);
    expect(loaded().signing_key_seed_sha256).toBe(sha256(seedBytes));
  });

  it('reads the SMTP password from the templated email section (only there: Synapse has no smtp_pass_path)', () => {
    expect(loaded().smtp_pass_sha256).toBe(sha256(delivered.email.values.password ?? ''));
  });
});
