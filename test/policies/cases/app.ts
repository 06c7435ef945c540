/**
 * APP rules (the Synapse settings, docs/design.md "The workloads"): mutations of the rendered
 * homeserver.yaml / worker.yaml of the compliant fixture that must fire, and near misses that
 * must not. Files are edited as YAML 1.1, as Synapse reads them.
 */
import type { HomeserverSettings } from '../../../config/deployment-config';
import { homeserverSecretDeclarations } from '../../../workloads/secrets';
import { SECRET_NAMES } from '../../../model/secrets';
import { escapeTemplateText } from '../../../policies/terraform-template';
import type { JsonObject } from '../../../policies/terraform-json';
import { externalSecret } from '../../../render/manifests/secret-delivery';
import { emailSection } from '../../../render/synapse/homeserver-config';
import { toSynapseYaml } from '../../../render/synapse/render-yaml';
import { add, HOMESERVER_NAMESPACE, manifestResource, SITE_HOMESERVER, STANDALONE_CONTEXT, type Mutation } from '../fixtures';
import { editSynapse, editSynapseText, setSynapse, synapseConfigFile, workerConfigFile } from './helpers';
import type { CaseTable, FiringCase, NearMiss } from './types';

/** A case on homeserver.yaml: `path` set to `value` (undefined deletes it). */
function fires(name: string, path: string, value: Parameters<typeof setSynapse>[1], message: FiringCase['message']): FiringCase {
  return { name, mutate: setSynapse(path, value), address: synapseConfigFile, message };
}

/** The same, for the worker file (worker.yaml, loaded over homeserver.yaml). */
function firesInWorker(name: string, path: string, value: Parameters<typeof setSynapse>[1], message: FiringCase['message']): FiringCase {
  return { name, mutate: setSynapse(path, value, 'worker.yaml'), address: workerConfigFile, message };
}

/** Replaces one rendered line of homeserver.yaml (raw YAML 1.1 text). */
function rawLine(from: string, to: string): Mutation {
  return editSynapseText((text) => {
    if (!text.includes(from)) throw new Error(`homeserver.yaml has no line ${JSON.stringify(from)}`);
    return text.replace(from, to);
  });
}

function ldapModule(config: JsonObject): JsonObject {
  const [module] = Array.isArray(config.modules) ? config.modules : [];
  if (!module || typeof module !== 'object' || Array.isArray(module) || typeof module.config !== 'object' || module.config === null || Array.isArray(module.config)) throw new Error('no LDAP module');
  return module.config;
}

const PATTERN = (pattern: string) => setSynapse('allowed_local_3pids', [{ medium: 'email', pattern }]);

const APP_01: FiringCase[] = [
  fires('enable_registration true', 'enable_registration', true, 'enable_registration is true, must be false'),
  fires('enable_registration absent', 'enable_registration', undefined, 'enable_registration is (absent), must be false'),
  { name: 'enable_registration: on (YAML 1.1 boolean)', mutate: rawLine('enable_registration: false', 'enable_registration: on'), address: synapseConfigFile, message: 'enable_registration is true, must be false' },
  fires('registration without verification', 'enable_registration_without_verification', true, 'enable_registration_without_verification is true'),
  fires('registration_shared_secret_path set', 'registration_shared_secret_path', '/secrets/keys/registration', 'registration_shared_secret_path is set (anyone holding the file can create accounts'),
  fires('registration_shared_secret set', 'registration_shared_secret', '${var.not_a_literal}', 'registration_shared_secret is set'),
  fires('guest access on', 'allow_guest_access', true, 'allow_guest_access is true, must be false'),
  fires('allow_guest_access absent', 'allow_guest_access', undefined, 'allow_guest_access is (absent)'),
  firesInWorker('worker file re-opening registration', 'enable_registration', true, 'enable_registration is true, must be false'),
];

const APP_02: FiringCase[] = [
  fires('local passwords on', 'password_config.localdb_enabled', true, 'password_config.localdb_enabled is true, must be false'),
  fires('localdb_enabled absent', 'password_config.localdb_enabled', undefined, 'password_config.localdb_enabled is (absent), must be false (Synapse\'s default is true)'),
  fires('no LDAP module', 'modules', [], 'no enabled LDAP auth provider'),
  { name: 'LDAP module disabled', mutate: editSynapse((config) => (ldapModule(config).enabled = false)), address: synapseConfigFile, message: 'no enabled LDAP auth provider' },
  { name: 'LDAP module enabled absent (off by default)', mutate: editSynapse((config) => delete ldapModule(config).enabled), address: synapseConfigFile, message: 'no enabled LDAP auth provider' },
  { name: 'LDAP filter absent', mutate: editSynapse((config) => delete ldapModule(config).filter), address: synapseConfigFile, message: 'modules[0].config.filter is (absent): without a filter every directory entry can log in' },
  { name: 'LDAP filter empty', mutate: editSynapse((config) => (ldapModule(config).filter = ' ')), address: synapseConfigFile, message: 'modules[0].config.filter is " "' },
  { name: 'LDAP filter admitting every entry', mutate: editSynapse((config) => (ldapModule(config).filter = '(objectClass=*)')), address: synapseConfigFile, message: 'modules[0].config.filter "(objectClass=*)" admits every directory entry' },
  fires('an OIDC provider', 'oidc_providers', [{ idp_id: 'corp', issuer: 'https://id.example.org/' }], 'oidc_providers is configured: a second login path next to the directory'),
  fires('CAS enabled', 'cas_config', { enabled: true, server_url: 'https://cas.example.org' }, 'cas_config is configured'),
  fires('SAML configured', 'saml2_config', { sp_config: { metadata: { remote: [{ url: 'https://idp.example.org/metadata' }] } } }, 'saml2_config is configured'),
  fires('JWT login', 'jwt_config', { enabled: true, algorithm: 'RS256' }, 'jwt_config is configured'),
  firesInWorker('worker file replacing the LDAP module by another auth module', 'modules', [{ module: 'rest_auth_provider.RestAuthProvider', config: { endpoint: 'https://auth.example.org' } }], 'no enabled LDAP auth provider'),
  firesInWorker('worker file keeping the module list but with the LDAP module disabled', 'password_providers', [{ module: 'ldap_auth_provider.LdapAuthProvider', config: { enabled: false } }], 'no enabled LDAP auth provider'),
];

const APP_03: FiringCase[] = [
  { name: 'pattern without ^', mutate: PATTERN('[^@\\s]+@agency\\.example\\.org\\Z'), address: synapseConfigFile, message: 'does not start with ^' },
  { name: 'pattern ending with $ (matches before a trailing newline)', mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org$'), address: synapseConfigFile, message: 'ends with $, which also matches before a trailing newline; end with \\Z' },
  { name: 'pattern not anchored at the end', mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org'), address: synapseConfigFile, message: 'is not anchored at the end with \\Z' },
  { name: 'pattern ending with an escaped backslash and Z', mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org\\\\Z'), address: synapseConfigFile, message: 'is not anchored at the end with \\Z' },
  { name: 'unescaped dots in the domain', mutate: PATTERN('^[^@\\s]+@agency.example.org\\Z'), address: synapseConfigFile, message: 'has an unescaped "." that matches any character' },
  { name: 'any local part (.*)', mutate: PATTERN('^.*@agency\\.example\\.org\\Z'), address: synapseConfigFile, message: 'has an unescaped "."' },
  { name: 'top-level alternation', mutate: PATTERN('^[^@\\s]+@agency\\.example\\.org\\Z|staff'), address: synapseConfigFile, message: 'has a top-level "|"' },
  fires('allowed_local_3pids absent', 'allowed_local_3pids', undefined, 'allowed_local_3pids is (absent): any email address can be bound'),
  fires('allowed_local_3pids empty', 'allowed_local_3pids', [], 'allowed_local_3pids is []: any email address can be bound'),
  fires('pattern not a string', 'allowed_local_3pids', [{ medium: 'email' }], 'allowed_local_3pids[0].pattern is not a string'),
  fires('3PID errors revealed', 'request_token_inhibit_3pid_errors', false, 'request_token_inhibit_3pid_errors is false, must be true'),
  fires('request_token_inhibit_3pid_errors absent', 'request_token_inhibit_3pid_errors', undefined, 'request_token_inhibit_3pid_errors is (absent), must be true'),
  fires('3PID lookup on', 'enable_3pid_lookup', true, 'enable_3pid_lookup is true, must be false'),
  fires('3PID changes absent (default on)', 'enable_3pid_changes', undefined, 'enable_3pid_changes is (absent), must be false'),
  fires('display names changeable', 'enable_set_displayname', true, 'enable_set_displayname is true'),
  fires('avatars changeable', 'enable_set_avatar_url', true, 'enable_set_avatar_url is true'),
];

const APP_04: FiringCase[] = [
  fires('federation whitelist absent (federates with everyone)', 'federation_domain_whitelist', undefined, 'federation_domain_whitelist is (absent), must be a list of server names'),
  fires('federation whitelist null', 'federation_domain_whitelist', null, 'federation_domain_whitelist is null'),
  fires('federation whitelist as a string', 'federation_domain_whitelist', 'matrix.ministry.example.org', 'federation_domain_whitelist is "matrix.ministry.example.org"'),
  fires('a server that is not a declared peer (config)', 'federation_domain_whitelist', ['matrix.evil.example.net'], 'federation_domain_whitelist lists matrix.evil.example.net, not declared as federation peers of matrix.agency.example.org'),
  fires('trusted_key_servers absent (matrix.org)', 'trusted_key_servers', undefined, 'trusted_key_servers is (absent), must be []'),
  fires('a notary key server', 'trusted_key_servers', [{ server_name: 'matrix.org' }], 'trusted_key_servers is [{"server_name":"matrix.org"}], must be []'),
  fires('public rooms over federation', 'allow_public_rooms_over_federation', true, 'allow_public_rooms_over_federation is true'),
  fires('allow_public_rooms_without_auth absent', 'allow_public_rooms_without_auth', undefined, 'allow_public_rooms_without_auth is (absent), must be false'),
];

const APP_05: FiringCase[] = [
  fires('encryption by default off', 'encryption_enabled_by_default_for_room_type', 'off', 'encryption_enabled_by_default_for_room_type is "off", must be "all"'),
  fires('encryption for invite-only rooms only', 'encryption_enabled_by_default_for_room_type', 'invite', 'is "invite", must be "all"'),
  fires('setting absent', 'encryption_enabled_by_default_for_room_type', undefined, 'encryption_enabled_by_default_for_room_type is (absent), must be "all" (Synapse\'s default "off" leaves rooms in clear text)'),
  {
    name: 'bare off in YAML 1.1 (the boolean false)',
    mutate: rawLine('encryption_enabled_by_default_for_room_type: "all"', 'encryption_enabled_by_default_for_room_type: off'),
    address: synapseConfigFile,
    message: 'encryption_enabled_by_default_for_room_type is false, must be "all"',
  },
];

const APP_06: FiringCase[] = [
  fires('unauthenticated media', 'enable_authenticated_media', false, 'enable_authenticated_media is false, must be true'),
  fires('enable_authenticated_media absent', 'enable_authenticated_media', undefined, 'enable_authenticated_media is (absent), must be true'),
  fires('max_upload_size absent', 'max_upload_size', undefined, 'max_upload_size is (absent), must be an explicit size'),
  fires('max_upload_size not a Synapse size', 'max_upload_size', '50MB', 'max_upload_size is "50MB"'),
  fires('media_upload_limits absent', 'media_upload_limits', undefined, 'media_upload_limits is (absent): no per-user upload window'),
  fires('media_upload_limits empty', 'media_upload_limits', [], 'media_upload_limits is []'),
  fires('an upload limit without max_size', 'media_upload_limits', [{ time_period: '1h' }], 'media_upload_limits[0] needs a finite time_period and a max_size'),
  fires('media_retention absent', 'media_retention', undefined, 'media_retention.local_media_lifetime is (absent), not a finite duration (absent keeps local media forever)'),
  fires('remote media kept forever', 'media_retention.remote_media_lifetime', null, 'media_retention.remote_media_lifetime is null, not a finite duration'),
  fires('url previews on without a blacklist', 'url_preview_enabled', true, 'url_preview_enabled is true without a url_preview_ip_range_blacklist'),
  fires('url_preview_enabled absent', 'url_preview_enabled', undefined, 'url_preview_enabled is (absent), must be false'),
  {
    name: 'url previews on with a blacklist missing the pod range (config)',
    mutate: editSynapse((config) => Object.assign(config, { url_preview_enabled: true, url_preview_ip_range_blacklist: ['10.96.0.0/12', '169.254.169.254/32', 'fd00:ec2::254/128'] })),
    address: synapseConfigFile,
    message: 'url previews are on and url_preview_ip_range_blacklist does not cover 10.244.0.0/16',
  },
  fires('ip_range_blacklist absent', 'ip_range_blacklist', undefined, 'ip_range_blacklist is (absent): Synapse would fetch from cluster-internal addresses'),
  fires('ip_range_blacklist without the pod range (config)', 'ip_range_blacklist', ['10.96.0.0/12', '169.254.169.254/32', 'fd00:ec2::254/128'], /^ip_range_blacklist does not cover 10\.244\.0\.0\/16$/),
  {
    name: 'ip_range_blacklist without the metadata endpoints (standalone)',
    mutate: setSynapse('ip_range_blacklist', ['10.0.0.0/8', '192.168.0.0/16']),
    context: STANDALONE_CONTEXT,
    address: synapseConfigFile,
    message: 'ip_range_blacklist does not cover 169.254.169.254/32, fd00:ec2::254/128',
  },
  fires('ip_range_whitelist re-opening the service range', 'ip_range_whitelist', ['10.96.0.10'], 'ip_range_whitelist re-opens 10.96.0.0/12'),
];

const APP_07: FiringCase[] = [
  fires('search all users', 'user_directory.search_all_users', true, 'user_directory.search_all_users is true, must be false'),
  fires('remote users listed (absent)', 'user_directory.exclude_remote_users', undefined, 'user_directory.exclude_remote_users is (absent), must be true'),
  fires('user_directory absent', 'user_directory', undefined, 'user_directory.search_all_users is (absent), must be false'),
  fires('profiles without auth', 'require_auth_for_profile_requests', false, 'require_auth_for_profile_requests is false, must be true'),
  fires('profiles of strangers', 'limit_profile_requests_to_users_who_share_rooms', undefined, 'limit_profile_requests_to_users_who_share_rooms is (absent), must be true'),
  fires('profile data on invites', 'include_profile_data_on_invite', true, 'include_profile_data_on_invite is true, must be false'),
  fires('profile lookup over federation (absent)', 'allow_profile_lookup_over_federation', undefined, 'allow_profile_lookup_over_federation is (absent), must be false'),
  fires('presence on', 'presence.enabled', true, 'presence.enabled is true, must be false'),
  fires('presence absent (default on)', 'presence', undefined, 'presence.enabled is (absent), must be false'),
  fires('push content', 'push.include_content', true, 'push.include_content is true, must be false'),
  firesInWorker('worker file turning presence back on', 'presence', { enabled: true }, 'presence.enabled is true, must be false'),
];

const APP_08: FiringCase[] = [
  fires('rc_invites absent', 'rc_invites', undefined, 'rc_invites.per_room is (absent)'),
  fires('rc_invites.per_issuer absent', 'rc_invites.per_issuer', undefined, 'rc_invites.per_issuer is (absent)'),
  fires('rc_login.failed_attempts absent', 'rc_login.failed_attempts', undefined, 'rc_login.failed_attempts is (absent)'),
  fires('rc_login.address absent', 'rc_login.address', undefined, 'rc_login.address is (absent)'),
  fires('rc_message infinite (.inf)', 'rc_message.per_second', Infinity, 'rc_message.per_second is Infinity, must be a finite number'),
  fires('rc_user_directory burst as a string', 'rc_user_directory.burst_count', '20', 'rc_user_directory.burst_count is "20", must be a finite number'),
  fires('rc_third_party_invite absent', 'rc_third_party_invite', undefined, 'rc_third_party_invite is (absent)'),
  fires('rc_joins.remote absent', 'rc_joins.remote', undefined, 'rc_joins.remote is (absent)'),
  fires('rc_registration absent', 'rc_registration', undefined, 'rc_registration is (absent)'),
  fires('rc_message.burst_count negative', 'rc_message.burst_count', -1, 'rc_message.burst_count is -1'),
];

const APP_09: FiringCase[] = [
  fires('session_lifetime absent (sessions never expire)', 'session_lifetime', undefined, 'session_lifetime is (absent), not a finite duration'),
  fires('session_lifetime null', 'session_lifetime', null, 'session_lifetime is null'),
  fires('refresh_token_lifetime not a duration', 'refresh_token_lifetime', '30 days', 'refresh_token_lifetime is "30 days", not a finite duration'),
  fires('refreshable_access_token_lifetime absent', 'refreshable_access_token_lifetime', undefined, 'refreshable_access_token_lifetime is (absent)'),
  fires('nonrefreshable_access_token_lifetime zero', 'nonrefreshable_access_token_lifetime', '0d', 'nonrefreshable_access_token_lifetime is "0d"'),
];

/** Listener edits on homeserver.yaml (or worker_listeners on worker.yaml). */
function editListeners(edit: (listeners: JsonObject[]) => void, file = 'homeserver.yaml'): Mutation {
  return editSynapse((config) => {
    const key = file === 'homeserver.yaml' ? 'listeners' : 'worker_listeners';
    const listeners = (Array.isArray(config[key]) ? config[key] : []) as JsonObject[];
    edit(listeners);
    config[key] = listeners;
  }, file);
}

/** Removes the `type: metrics` listener. */
function dropMetricsListener(file = 'homeserver.yaml'): Mutation {
  return editListeners((listeners) => void listeners.splice(listeners.findIndex((listener) => listener.type === 'metrics'), 1), file);
}

function resourcesOf(listener: JsonObject | undefined): JsonObject {
  const [resources] = listener && Array.isArray(listener.resources) ? listener.resources : [];
  if (!resources || typeof resources !== 'object' || Array.isArray(resources)) throw new Error('listener without resources');
  return resources;
}

const APP_10: FiringCase[] = [
  fires('report_stats true', 'report_stats', true, 'report_stats is true, must be false'),
  fires('report_stats absent', 'report_stats', undefined, 'report_stats is (absent), must be false'),
  {
    name: 'replication on the gateway-facing listener',
    mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['client', 'replication'])),
    address: synapseConfigFile,
    message: 'listeners[0] (port 8008) serves replication on the gateway-facing port',
  },
  {
    name: 'metrics resource on the gateway-facing listener',
    mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['client', 'metrics'])),
    address: synapseConfigFile,
    message: 'listeners[0] (port 8008) serves metrics on the gateway-facing port',
  },
  {
    name: 'metrics listener on the gateway-facing port',
    mutate: editListeners((listeners) => listeners.filter((listener) => listener.type === 'metrics').forEach((listener) => (listener.port = 8008))),
    address: synapseConfigFile,
    message: /listeners\[2\] \(port 8008\) serves metrics on the gateway-facing port/,
  },
  { name: 'a manhole listener', mutate: editListeners((listeners) => listeners.push({ port: 9001, type: 'manhole', bind_addresses: ['127.0.0.1'] })), address: synapseConfigFile, message: 'listeners[3] (port 9001) is a manhole' },
  {
    name: 'enable_metrics without a metrics listener',
    mutate: dropMetricsListener(),
    address: synapseConfigFile,
    message: 'enable_metrics is true without a metrics listener in listeners',
  },
  {
    name: 'worker serving replication on its gateway-facing port',
    mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['media', 'client', 'replication']), 'worker.yaml'),
    address: workerConfigFile,
    message: 'worker_listeners[0] (port 8008) serves replication on the gateway-facing port',
  },
  {
    name: 'worker with metrics on but no metrics listener',
    mutate: dropMetricsListener('worker.yaml'),
    address: workerConfigFile,
    message: 'enable_metrics is true without a metrics listener in worker_listeners',
  },
];

// ---------------------------------------------------------------- APP-11: the Secret-held email.yaml

/** The default homeserver sending mail, with `notifFrom` as given (the renderers are called below the config validation). */
function mailingHomeserver(notifFrom = 'Agency Matrix <matrix@agency.example.org>'): HomeserverSettings {
  return { ...SITE_HOMESERVER, synapse: { ...SITE_HOMESERVER.synapse, smtp: { host: 'smtp.agency.example.org', port: 587, username: 'matrix', notifFrom } } };
}

/** The email.yaml template the real renderer writes. */
function renderedEmailTemplate(homeserver = mailingHomeserver()): string {
  const email = homeserverSecretDeclarations(homeserver).find((declaration) => declaration.name === SECRET_NAMES.email);
  const template = email?.files['email.yaml']?.template;
  if (template === undefined) throw new Error('no email.yaml template');
  return template;
}

const EMAIL_SECRET = 'kubernetes_manifest.secret-delivery_synapse-email_manifest';
const emailTemplateAddress = `${EMAIL_SECRET} template "email.yaml"`;

/** Adds the synapse-email ExternalSecret, as the homeserver stack writes it, with `template` as its email.yaml. */
function withEmailSecret(template: string = renderedEmailTemplate()): Mutation {
  return (j) => {
    const declaration = homeserverSecretDeclarations(mailingHomeserver()).find((candidate) => candidate.name === SECRET_NAMES.email);
    if (!declaration) throw new Error('no synapse-email declaration');
    const object = externalSecret({ declaration: { ...declaration, files: { 'email.yaml': { ...declaration.files['email.yaml']!, template: escapeTemplateText(template) } } }, homeserverName: 'agency', namespace: HOMESERVER_NAMESPACE, refreshInterval: '1h', labels: {} });
    add(j, { type: 'kubernetes_manifest', name: 'secret-delivery_synapse-email_manifest' }, manifestResource(JSON.parse(JSON.stringify(object)) as JsonObject));
  };
}

/** The rendered template with one substring replaced. */
function editedEmail(from: string, to: string): Mutation {
  const template = renderedEmailTemplate();
  if (!template.includes(from)) throw new Error(`email.yaml has no ${JSON.stringify(from)}`);
  return withEmailSecret(template.replace(from, to));
}

const PASSWORD_ACTION = '{{ .password | toJson }}';
const emailFires = (name: string, mutate: Mutation, message: FiringCase['message']): FiringCase => ({ name, mutate, address: emailTemplateAddress, message });

const APP_11: FiringCase[] = [
  emailFires(
    "the review's attack: a sender that prints the password, templated without escaping (as before)",
    withEmailSecret(toSynapseYaml(emailSection(mailingHomeserver('{{ .password }} <matrix@agency.example.org>'), '{{ .password }}') ?? {}, 'email')),
    /prints \.password unquoted/,
  ),
  emailFires('a top-level key beside email, as literal text', withEmailSecret(`${renderedEmailTemplate()}enable_registration: true\n`), 'holds top-level "enable_registration" beside "email"'),
  emailFires('a key beside email in explicit-key syntax', withEmailSecret(`${renderedEmailTemplate()}? allow_guest_access\n: true\n`), 'holds top-level "allow_guest_access" beside "email"'),
  emailFires('an action printing a key', editedEmail('  enable_notifs: false', '  enable_notifs: false{{ "\\nenable_registration: true" }}'), /template action "\{\{ \\"\\\\nenable_registration: true\\" \}\}" is not one this project writes/),
  emailFires('a sprig pipeline', editedEmail('  enable_notifs: false', '  enable_notifs: false{{`allow_guest_access: true`|nindent 0}}'), 'is not one this project writes'),
  emailFires('a trim marker around the password', editedEmail(PASSWORD_ACTION, '{{- .password | toJson -}}'), 'is not one this project writes'),
  emailFires('an unclosed action', withEmailSecret(`${renderedEmailTemplate()}{{ .password`), 'is not one this project writes'),
  emailFires('the password printed raw', editedEmail(PASSWORD_ACTION, '"{{ .password }}"'), 'prints .password unquoted'),
  emailFires('the password printed twice (once into the sender)', editedEmail('"Agency Matrix <matrix@agency.example.org>"', PASSWORD_ACTION), /prints \.password 2 time\(s\), at email\.smtp_pass, email\.notif_from/),
  emailFires('the password printed into a comment as well', withEmailSecret(`${renderedEmailTemplate()}# ${PASSWORD_ACTION}\n`), /prints \.password 2 time\(s\)/),
  emailFires('the password moved to another setting', (j) => withEmailSecret(renderedEmailTemplate().replace(PASSWORD_ACTION, '"literal"').replace('"Agency Matrix <matrix@agency.example.org>"', PASSWORD_ACTION))(j), /prints \.password 1 time\(s\), at email\.notif_from/),
  emailFires('no password at all', editedEmail(PASSWORD_ACTION, '""'), 'prints no secret value'),
  emailFires('not YAML', withEmailSecret(`email: [${PASSWORD_ACTION}\n`), 'does not evaluate to a YAML mapping'),
  emailFires('the password as the whole email section', withEmailSecret(`email: ${PASSWORD_ACTION}\n`), 'has no "email" mapping'),
];

export const APP_FIRING_CASES: CaseTable<FiringCase> = {
  'APP-01': APP_01,
  'APP-02': APP_02,
  'APP-03': APP_03,
  'APP-04': APP_04,
  'APP-05': APP_05,
  'APP-06': APP_06,
  'APP-07': APP_07,
  'APP-08': APP_08,
  'APP-09': APP_09,
  'APP-10': APP_10,
  'APP-11': APP_11,
};

export const APP_NEAR_MISSES: CaseTable<NearMiss> = {
  'APP-11': [
    { name: 'the synapse-email ExternalSecret as the homeserver stack renders it', mutate: withEmailSecret() },
    {
      name: 'a sender holding template actions, rendered below the config validation (printed as text)',
      mutate: withEmailSecret(renderedEmailTemplate(mailingHomeserver('{{`x`|quote|trunc 1}}{{`enable_registration: true #`|nindent 0}} <{{ .password }}@agency.example.org>'))),
    },
    { name: 'literal braces written as the renderer writes them', mutate: editedEmail('  enable_notifs: false', '  enable_notifs: false\n  subjects: { x: "{{ "{{" }} y {{ "{" }}" }') },
  ],
  'APP-01': [
    { name: 'enable_registration: off (YAML 1.1 boolean false)', mutate: rawLine('enable_registration: false', 'enable_registration: off') },
    { name: 'worker file without registration settings (fixture)', mutate: () => undefined },
  ],
  'APP-02': [
    { name: 'worker file dropping every module (workers serve no logins; the fixture ships it)', mutate: () => undefined },
    { name: 'an empty OIDC provider list and CAS disabled', mutate: editSynapse((config) => Object.assign(config, { oidc_providers: [], cas_config: { enabled: false } })) },
    {
      name: 'LDAP as a legacy password provider',
      mutate: editSynapse((config) => {
        config.password_providers = [{ module: 'ldap_auth_provider.LdapAuthProvider', config: ldapModule(config) }];
        config.modules = [];
      }),
    },
  ],
  'APP-03': [
    { name: 'two domains, each anchored and escaped', mutate: setSynapse('allowed_local_3pids', [{ medium: 'email', pattern: '^[^@\\s]+@agency\\.example\\.org\\Z' }, { medium: 'email', pattern: '^[^@\\s]+@staff\\.agency\\.example\\.org\\Z' }]) },
    { name: 'a dot inside a character class', mutate: PATTERN('^[a-z0-9._%+-]+@agency\\.example\\.org\\Z') },
    { name: 'alternation inside a group', mutate: PATTERN('^[^@\\s]+@(agency|staff\\.agency)\\.example\\.org\\Z') },
  ],
  'APP-04': [
    { name: 'any whitelist without config', mutate: setSynapse('federation_domain_whitelist', ['matrix.partner.example.net']), context: STANDALONE_CONTEXT },
    { name: 'a worker file without federation settings (fixture)', mutate: () => undefined },
  ],
  'APP-05': [{ name: 'bare all in YAML 1.1 (a string)', mutate: rawLine('encryption_enabled_by_default_for_room_type: "all"', 'encryption_enabled_by_default_for_room_type: all') }],
  'APP-06': [
    { name: 'url previews on with the full blacklist', mutate: editSynapse((config) => Object.assign(config, { url_preview_enabled: true, url_preview_ip_range_blacklist: config.ip_range_blacklist })) },
    { name: 'wider ranges and a bare metadata address', mutate: setSynapse('ip_range_blacklist', ['10.0.0.0/8', '169.254.169.254', 'fd00:ec2::254']) },
    { name: 'only the metadata endpoints without config', mutate: setSynapse('ip_range_blacklist', ['169.254.0.0/16', 'fd00:ec2::/32']), context: STANDALONE_CONTEXT },
    { name: 'an ip_range_whitelist outside the cluster ranges', mutate: setSynapse('ip_range_whitelist', ['203.0.113.0/24']) },
    { name: 'sizes and durations as integers', mutate: editSynapse((config) => Object.assign(config, { max_upload_size: 52428800, media_retention: { local_media_lifetime: 31536000000, remote_media_lifetime: 1209600000 } })) },
  ],
  'APP-07': [{ name: 'user directory disabled altogether', mutate: setSynapse('user_directory.enabled', false) }],
  'APP-08': [{ name: 'integer rates', mutate: setSynapse('rc_message', { per_second: 1, burst_count: 10 }) }],
  'APP-09': [{ name: 'lifetimes in milliseconds and hours', mutate: editSynapse((config) => Object.assign(config, { session_lifetime: 2592000000, refresh_token_lifetime: '12h' })) }],
  'APP-10': [
    {
      name: 'metrics off and no metrics listener',
      mutate: (j) => {
        setSynapse('enable_metrics', false)(j);
        dropMetricsListener()(j);
      },
    },
    { name: 'metrics as an http resource on an internal port', mutate: editListeners((listeners) => listeners.splice(listeners.findIndex((listener) => listener.type === 'metrics'), 1, { port: 9000, type: 'http', tls: false, bind_addresses: ['0.0.0.0'], resources: [{ names: ['metrics'] }] })) },
  ],
};
