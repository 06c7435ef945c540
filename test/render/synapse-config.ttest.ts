/**
 * The Synapse renderer, knob by knob, read back with PyYAML (Synapse's own parser), and the
 * email-domain admission patterns evaluated with Python's `re.match` (Synapse's own matcher).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { emailDomainPattern, escapePythonRegex } from '../../render/synapse/email-patterns';
import { homeserverConfig, logConfig, workerConfig, workerDefinitions } from '../../render/synapse/homeserver-config';
import { toSynapseYaml } from '../../render/synapse/render-yaml';
import { homeserverWorkloads } from '../../workloads/homeserver-workloads';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { pyYamlLoad, pythonReMatches } from '../support/python';

const closed = loadDeploymentConfig();
const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const agency = closed.homeservers[0]!;
const ministry = fleet.homeservers[0]!;

function rendered(config = closed, homeserver = agency): Record<string, unknown> {
  return pyYamlLoad(toSynapseYaml(homeserverConfig(config, homeserver), 'test'));
}

function at(document: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], document);
}

const closedConfig = rendered();

/** The Synapse controls (docs/design.md, "The workloads"), one row per knob, with the value PyYAML must read back. */
const KNOBS: [knob: string, expected: unknown][] = [
  ['enable_registration', false],
  ['enable_registration_without_verification', false],
  ['allow_guest_access', false],
  ['password_config.localdb_enabled', false],
  ['password_config.enabled', false],
  ['request_token_inhibit_3pid_errors', true],
  ['enable_3pid_lookup', false],
  ['enable_3pid_changes', false],
  ['enable_set_displayname', false],
  ['enable_set_avatar_url', false],
  ['federation_domain_whitelist', []],
  ['allow_public_rooms_over_federation', false],
  ['allow_public_rooms_without_auth', false],
  ['trusted_key_servers', []],
  ['encryption_enabled_by_default_for_room_type', 'all'],
  ['enable_authenticated_media', true],
  ['max_upload_size', '50M'],
  [
    'media_upload_limits',
    [
      { time_period: '1h', max_size: '500M' },
      { time_period: '1d', max_size: '2G' },
    ],
  ],
  ['media_retention', { local_media_lifetime: '365d', remote_media_lifetime: '14d' }],
  ['url_preview_enabled', false],
  ['user_directory.search_all_users', false],
  ['user_directory.exclude_remote_users', true],
  ['require_auth_for_profile_requests', true],
  ['limit_profile_requests_to_users_who_share_rooms', true],
  ['include_profile_data_on_invite', false],
  ['allow_profile_lookup_over_federation', false],
  ['presence.enabled', false],
  ['push.include_content', false],
  ['rc_invites.per_room.burst_count', 5],
  ['rc_invites.per_user.per_second', 0.003],
  ['rc_invites.per_issuer.per_second', 0.1],
  ['rc_third_party_invite.burst_count', 5],
  ['rc_user_directory.per_second', 0.016],
  ['rc_login.failed_attempts.burst_count', 3],
  ['session_lifetime', '30d'],
  ['refresh_token_lifetime', '7d'],
  ['refreshable_access_token_lifetime', '5m'],
  ['nonrefreshable_access_token_lifetime', '1d'],
  ['report_stats', false],
  ['enable_media_repo', false],
  ['media_instance_running_background_jobs', 'media-repository'],
  ['redis.enabled', true],
  ['redis.password_path', '/secrets/redis/password'],
  ['signing_key_path', '/secrets/signing/signing.key'],
  ['macaroon_secret_key_path', '/secrets/keys/macaroon'],
  ['form_secret_path', '/secrets/keys/form'],
  ['worker_replication_secret_path', '/secrets/keys/replication'],
  ['database.args.passfile', '/run/secrets/pgpass'],
  ['database.args.sslmode', 'verify-full'],
  ['database.allow_unsafe_locale', false],
  // Replication over TLS to every named instance: the main process, the event persister, the media worker.
  ['instance_map.main', { host: 'synapse.agency-homeserver.svc', port: 9093, tls: true }],
  ['instance_map.event-persister-1', { host: 'event-persister-1.agency-homeserver.svc', port: 9093, tls: true }],
  ['instance_map.media-repository', { host: 'media-repository.agency-media.svc', port: 9093, tls: true }],
  ['stream_writers', { events: ['event-persister-1'] }],
  [
    'redis',
    {
      enabled: true,
      host: 'redis.agency-homeserver.svc',
      port: 6379,
      password_path: '/secrets/redis/password',
      use_tls: true,
      certificate_file: '/secrets/tls/tls.crt',
      private_key_file: '/secrets/tls/tls.key',
      ca_file: '/trust/ca.crt',
    },
  ],
];

describe('homeserver.yaml (closed default), read back by PyYAML', () => {
  it.each(KNOBS)('%s', (knob, expected) => {
    expect(at(closedConfig, knob)).toEqual(expected);
  });

  it('quotes every string, so YAML 1.1 cannot turn "all" or "off" into a boolean', () => {
    const text = toSynapseYaml(homeserverConfig(closed, agency), 'test');
    expect(text).toContain('encryption_enabled_by_default_for_room_type: "all"');
    expect(text).not.toMatch(/: (all|off|on|no|yes)$/m);
  });

  it("blocks private, metadata and the cluster's own ranges for outbound requests", () => {
    const blocked = at(closedConfig, 'ip_range_blacklist') as string[];
    expect(blocked).toEqual(
      expect.arrayContaining(['10.244.0.0/16', '10.96.0.0/12', '192.168.0.0/16', '169.254.169.254/32', '127.0.0.0/8', 'fc00::/7']),
    );
    expect(new Set(blocked).size).toBe(blocked.length);
  });

  it('serves client only on the public listener, replication and metrics on internal ones', () => {
    const listeners = at(closedConfig, 'listeners') as {
      port: number;
      type: string;
      x_forwarded?: boolean;
      resources?: { names: string[] }[];
    }[];
    expect(listeners.map((l) => [l.port, l.type, l.resources?.flatMap((r) => r.names) ?? []])).toEqual([
      // With calls and without federation, the OpenID userinfo endpoint the calls' authorisation service asks.
      [8008, 'http', ['client', 'openid']],
      [9093, 'http', ['replication']],
      [9000, 'metrics', []],
    ]);
    expect(listeners[0]?.x_forwarded).toBe(true);
  });

  it('serves the listener the gateway reaches over TLS (internal CA), with files from the mounted certificate', () => {
    const listeners = at(closedConfig, 'listeners') as { port: number; tls?: boolean }[];
    expect(listeners.find((l) => l.port === 8008)?.tls).toBe(true);
    expect(at(closedConfig, 'tls_certificate_path')).toBe('/secrets/tls/tls.crt');
    expect(at(closedConfig, 'tls_private_key_path')).toBe('/secrets/tls/tls.key');
  });

  it('logs in only through the realm: one OIDC provider, code flow with PKCE, back channel in-cluster, client secret from a file', () => {
    expect(at(closedConfig, 'modules')).toBeUndefined();
    const providers = at(closedConfig, 'oidc_providers') as Record<string, unknown>[];
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      idp_id: 'keycloak',
      issuer: 'https://matrix.agency.example.org/auth/realms/matrix',
      discover: false,
      authorization_endpoint: 'https://matrix.agency.example.org/auth/realms/matrix/protocol/openid-connect/auth',
      token_endpoint: 'https://keycloak.agency-identity.svc:8443/auth/realms/matrix/protocol/openid-connect/token',
      jwks_uri: 'https://keycloak.agency-identity.svc:8443/auth/realms/matrix/protocol/openid-connect/certs',
      client_id: 'synapse',
      client_secret_path: '/secrets/oidc/secret',
      pkce_method: 'always',
      allow_existing_users: false,
      user_mapping_provider: { config: expect.objectContaining({ subject_claim: 'sub' }) },
    });
    expect(providers[0]).not.toHaveProperty('client_secret');
  });

  it('holds no inline secret option (only their *_path / *_file forms)', () => {
    const inlineSecretKeys = [
      'macaroon_secret_key',
      'form_secret',
      'registration_shared_secret',
      'worker_replication_secret',
      'turn_shared_secret',
      'password',
      'client_secret',
    ];
    const found: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}[${index}]`));
      else if (value && typeof value === 'object')
        for (const [key, child] of Object.entries(value)) {
          if (inlineSecretKeys.includes(key) || key === 'bind_password') found.push(`${path}.${key}`);
          walk(child, `${path}.${key}`);
        }
    };
    walk(closedConfig, '$');
    expect(found).toEqual([]);
  });
});

describe('homeserver.yaml of a federated fleet member', () => {
  const config = rendered(fleet, ministry);
  it('allowlists exactly the fleet peers and serves federation', () => {
    expect(config.federation_domain_whitelist).toEqual(['matrix.agency.example.org', 'matrix.region.example.org']);
    expect(config.federation_sender_instances).toEqual(['federation-sender']);
    expect(at(config, 'listeners')).toEqual(
      expect.arrayContaining([expect.objectContaining({ port: 8008, resources: [{ names: ['client', 'federation'], compress: false }] })]),
    );
    expect(config.trusted_key_servers).toEqual([]);
  });
});

describe('worker configs', () => {
  it('runs the media repository only on the media worker, with replication and metrics listeners', () => {
    const media = workerDefinitions(agency).find((worker) => worker.name === 'media-repository');
    const config = pyYamlLoad(toSynapseYaml(workerConfig(media!), 'test'));
    expect(config).toMatchObject({
      worker_app: 'synapse.app.generic_worker',
      worker_name: 'media-repository',
      enable_media_repo: true,
      worker_log_config: '/config/log.yaml',
    });
    expect(
      (config.worker_listeners as { port: number; resources?: { names: string[] }[] }[]).map((l) => [
        l.port,
        l.resources?.[0]?.names ?? [],
      ]),
    ).toEqual([
      [8008, ['media', 'client']],
      [9093, ['replication']],
      [9000, []],
    ]);
  });

  it('adds federation readers and a federation sender only when federation is on', () => {
    expect(workerDefinitions(agency).map((w) => w.name)).toEqual([
      'sync-workers',
      'client-readers',
      'event-persister-1',
      'media-repository',
    ]);
    expect(workerDefinitions(ministry).map((w) => w.name)).toEqual([
      'sync-workers',
      'client-readers',
      'federation-readers',
      'event-persister-1',
      'federation-sender',
      'media-repository',
    ]);
  });

  it('gives the pools an HTTP listener and no replication listener, the event persister a replication listener only, every one TLS', () => {
    const listeners = (name: string) => {
      const worker = workerDefinitions(ministry).find((candidate) => candidate.name === name);
      const config = pyYamlLoad(toSynapseYaml(workerConfig(worker!), 'test'));
      return (config.worker_listeners as { port: number; tls?: boolean; resources?: { names: string[] }[] }[]).map((l) => [
        l.port,
        l.tls ?? null,
        l.resources?.[0]?.names ?? [],
      ]);
    };
    expect(listeners('sync-workers')).toEqual([
      [8008, true, ['client']],
      [9000, null, []],
    ]);
    expect(listeners('federation-readers')).toEqual([
      [8008, true, ['federation']],
      [9000, null, []],
    ]);
    expect(listeners('event-persister-1')).toEqual([
      [9093, true, ['replication']],
      [9000, null, []],
    ]);
  });

  it('writes the events stream on the main process when there is no event persister', () => {
    const alone = { ...agency, workers: { sync: 0, clientReaders: 0, federationReaders: 0, eventPersisters: 0 } };
    const config = homeserverConfig(closed, alone);
    expect(config.stream_writers).toEqual({ events: ['main'] });
    expect(Object.keys(config.instance_map as object)).toEqual(['main', 'media-repository']);
    expect(workerDefinitions(alone).map((w) => w.name)).toEqual(['media-repository']);
  });

  it('logs to stdout only', () => {
    const config = pyYamlLoad(toSynapseYaml(logConfig(), 'test'));
    expect(Object.values(config.handlers as Record<string, { class: string }>).map((h) => h.class)).toEqual(['logging.StreamHandler']);
  });
});

describe('email-domain admission patterns under Python re.match', () => {
  const pattern = emailDomainPattern('gouv.fr');
  const CASES: [address: string, admitted: boolean][] = [
    ['alice@gouv.fr', true],
    ['alice.martin+tag@gouv.fr', true],
    ['alice@evil-gouv.fr', false],
    ['alice@gouv.fr.evil.com', false],
    ['x@gouv.fr@evil.com', false],
    ['alice@GOUV.FR', false],
    ['alice@gouv.fr\n', false],
    ['alice@gouv.fr\nbob@evil.com', false],
    ['alice@gouvXfr', false],
    ['alice@sub.gouv.fr', false],
    ['@gouv.fr', false],
    [' alice@gouv.fr', false],
    ['alice@gouv.fr ', false],
  ];
  it.each(CASES)('%j admitted: %s', (address, admitted) => {
    expect(pythonReMatches(pattern, [address])).toEqual([admitted]);
  });

  it('escapes every regex metacharacter', () => {
    expect(escapePythonRegex('a.b-c')).toBe('a\\.b\\-c');
    expect(pythonReMatches(`^${escapePythonRegex('a.(b)*[c]?+{1}|$^\\')}\\Z`, ['a.(b)*[c]?+{1}|$^\\', 'aX(b)*[c]?+{1}|$^\\'])).toEqual([
      true,
      false,
    ]);
  });
});

describe("a pool pod's worker name step, run by Python", () => {
  const step = homeserverWorkloads(closed, agency)
    .find((w) => w.name === 'sync-workers')
    ?.initSteps?.find((candidate) => candidate.name === 'worker-name');
  /** Runs the step with `hostname`, its output file redirected into a temporary directory. */
  const run = (hostname: string) => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-name-'));
    const [, flag, program] = step?.command ?? [];
    const file = path.join(directory, 'identity.yaml');
    const result = spawnSync('python3', [flag ?? '', (program ?? '').replace('/run/worker/identity.yaml', file)], {
      env: { PATH: process.env.PATH, HOSTNAME: hostname },
      encoding: 'utf8',
    });
    const written = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    fs.rmSync(directory, { recursive: true, force: true });
    return { status: result.status, written, stderr: result.stderr };
  };

  it('writes the pod name as the worker name, JSON-quoted', () => {
    expect(run('sync-workers-7d9f8b6c4-x2x9q')).toMatchObject({ status: 0, written: 'worker_name: "sync-workers-7d9f8b6c4-x2x9q"\n' });
  });

  it.each(['', 'Sync', 'a\nworker_app: synapse.app.homeserver', 'x"; y', '-leading', 'a'.repeat(64)])(
    'refuses a host name that is not a pod name (%j) and writes nothing',
    (hostname) => {
      const result = run(hostname);
      expect(result.status).not.toBe(0);
      expect(result.written).toBeUndefined();
      expect(result.stderr).toContain('HOSTNAME is not a pod name');
    },
  );
});
