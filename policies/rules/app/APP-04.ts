import { shown } from '../../../tfjson/synapse-config';
import { valueAt, type JsonObject } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, mustEqual, stringList, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { AuditContext, Rule } from '../../rule';

/** The federation peers the site config declares for this server name, if the config knows it. */
function declaredPeers(config: JsonObject, context: AuditContext): readonly string[] | undefined {
  const serverName = config.server_name;
  return context.facts?.homeservers.find((candidate) => candidate.serverName === serverName)?.federationPeers;
}

const WHITELIST: SettingCheck = {
  keys: ['federation_domain_whitelist'],
  check: (config, context) => {
    const value = valueAt(config, 'federation_domain_whitelist');
    const list = stringList(value);
    // Absent or null: Synapse federates with every server on the internet.
    if (!list)
      return [
        `federation_domain_whitelist is ${shown(value)}, must be a list of server names ([] = no federation); absent or null federates with everyone`,
      ];
    const peers = declaredPeers(config, context);
    const extra = peers ? list.filter((domain) => !peers.includes(domain)) : [];
    return extra.length > 0
      ? [`federation_domain_whitelist lists ${extra.join(', ')}, not declared as federation peers of ${String(config.server_name)}`]
      : [];
  },
};

const NO_NOTARIES: SettingCheck = {
  keys: ['trusted_key_servers'],
  check: (config) => {
    const value = valueAt(config, 'trusted_key_servers');
    return Array.isArray(value) && value.length === 0
      ? []
      : [`trusted_key_servers is ${shown(value)}, must be [] (absent = matrix.org vouches for every server's keys)`];
  },
};

/** Federation only with the declared servers, no notary key servers, no public room directory outside. */
export const rule: Rule = {
  id: 'APP-04',
  title: 'Federation is explicit',
  level: 'error',
  lesson: 'A homeserver that federates with anyone publishes its users and rooms to anyone: federation is a list, not a default.',
  references: { nsaCisa: 'Network separation and hardening' },
  siteFacts: { facts: ['homeservers'], unjudged: 'that federation_domain_whitelist lists only the declared federation peers' },
  fix: "Set federation_domain_whitelist to the fleet's server names ([] when federation is off), trusted_key_servers: [], allow_public_rooms_over_federation: false and allow_public_rooms_without_auth: false.",
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [
      WHITELIST,
      NO_NOTARIES,
      mustEqual('allow_public_rooms_over_federation', false),
      mustEqual('allow_public_rooms_without_auth', false),
    ]),
};
