import { FORBIDDEN_CLIENT_KEYS, LOCKED_CLIENT_SETTINGS } from '../../../model/client';
import { hostOf } from '../../../model/dns-names';
import { elementConfigFiles, type ElementConfigFile } from '../../../tfjson/element-config';
import { shown } from '../../../tfjson/synapse-config';
import { isObject } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule } from '../../rule';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The homeserver the client must be locked to: from the site facts, by the ConfigMap's homeserver label. */
function expectedServer(file: ElementConfigFile, context: AuditContext): { serverName: string; baseUrl: string } | undefined {
  const homeserver = context.facts?.homeservers.find((candidate) => candidate.name === file.homeserver);
  return homeserver ? { serverName: homeserver.serverName, baseUrl: `https://${hostOf(homeserver.serverName)}` } : undefined;
}

function problemsOf(file: ElementConfigFile, context: AuditContext): string[] {
  const { config } = file;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(LOCKED_CLIENT_SETTINGS))
    if (!sameJson(config[key], value)) problems.push(`${key} is ${shown(config[key])}, must be ${JSON.stringify(value)}`);
  for (const key of FORBIDDEN_CLIENT_KEYS)
    if (key in config) problems.push(`${key} is set: it sends users or their data to a third party, or lets the homeserver be replaced`);
  const servers = isObject(config.default_server_config) ? config.default_server_config : undefined;
  const homeserver = servers && isObject(servers['m.homeserver']) ? servers['m.homeserver'] : undefined;
  const expected = expectedServer(file, context);
  if (!homeserver) problems.push('default_server_config."m.homeserver" is absent: the client would ask the user for a server');
  else {
    const baseUrl = homeserver.base_url;
    if (expected && (baseUrl !== expected.baseUrl || homeserver.server_name !== expected.serverName))
      problems.push(
        `default_server_config."m.homeserver" is ${shown(homeserver)}, must be base_url ${JSON.stringify(expected.baseUrl)} and server_name ${JSON.stringify(expected.serverName)}`,
      );
    else if (!expected && (typeof baseUrl !== 'string' || !/^https:\/\/[a-z0-9.-]+$/.test(baseUrl)))
      problems.push(`default_server_config."m.homeserver".base_url is ${shown(baseUrl)}, must be the homeserver's https origin`);
  }
  if (servers && 'm.identity_server' in servers)
    problems.push('default_server_config."m.identity_server" is set: third-party identifiers would be looked up elsewhere');
  const directory = isObject(config.room_directory) ? config.room_directory.servers : undefined;
  const ownServer = expected?.serverName ?? (isObject(homeserver) ? homeserver.server_name : undefined);
  if (!Array.isArray(directory) || directory.length !== 1 || directory[0] !== ownServer)
    problems.push(
      `room_directory.servers is ${shown(directory)}, must be exactly [${JSON.stringify(ownServer)}]: no other server's public rooms`,
    );
  return problems;
}

/**
 * The web client's config.json keeps users on their own homeserver: no other server can be
 * entered, no guest access, no identity server or third-party identifiers, only the own room
 * directory, no integration manager, and no analytics, bug report, map or conference service
 * of a third party.
 */
export const rule: Rule = {
  id: 'CLI-01',
  title: 'The web client is locked to its homeserver',
  level: 'error',
  lesson:
    "A client that lets users pick another server, browse others' public rooms, or loads integrations and analytics from a third party sends people and metadata where the operator cannot see them.",
  references: { nsaCisa: 'Application hardening' },
  fix: 'Render config.json with render/element/client-config.ts: default_server_config naming only the homeserver, disable_custom_urls, disable_guests and disable_3pid_login true, show_labs_settings false, empty integrations_* settings, room_directory.servers the own server name, and none of posthog, piwik, sentry, bug_report_endpoint_url, map_style_url, jitsi, default_server_name, default_hs_url, default_is_url, widget_build_url, embedded_pages.',
  siteFacts: {
    facts: ['homeservers'],
    unjudged: 'whether the named homeserver is the one the client belongs to (only its https shape is judged)',
  },
  appliesTo: {
    subject: "Element Web's config.json",
    presentIn: (stack) => elementConfigFiles(stack).length > 0,
  },
  check: (stack, context) =>
    elementConfigFiles(stack).flatMap((file) => problemsOf(file, context).map((message) => ({ address: file.address, message }))),
};
