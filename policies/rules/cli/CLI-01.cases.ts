/** The case table of CLI-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, child, R, remove, STANDALONE_CONTEXT, type Mutation } from '../../../test/policies/fixtures';
import { isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { escapeTemplateText, templateLiteral } from '../../../tfjson/terraform-template';

const file = `${address(R.elementConfig)} data "config.json"`;

/** Edits the web client's config.json as JSON. */
function editClient(edit: (config: JsonObject) => void): Mutation {
  return (j) => {
    const data = child(body(j, R.elementConfig), 'data');
    const text = String(data['config.json'] ?? '');
    const config: unknown = JSON.parse(templateLiteral(text) ?? text);
    if (!isObject(config)) throw new Error('config.json is not an object');
    edit(config);
    data['config.json'] = escapeTemplateText(JSON.stringify(config));
  };
}

function homeserverEntry(config: JsonObject): JsonObject {
  const servers = config.default_server_config;
  if (!isObject(servers) || !isObject(servers['m.homeserver'])) throw new Error('no m.homeserver');
  return servers['m.homeserver'];
}

export const cases: RuleCases = {
  bad: [
    {
      name: 'custom server URLs allowed',
      mutate: editClient((config) => (config.disable_custom_urls = false)),
      address: file,
      message: 'disable_custom_urls is false, must be true',
    },
    {
      name: 'guests allowed (the setting removed)',
      mutate: editClient((config) => delete config.disable_guests),
      address: file,
      message: 'disable_guests is (absent), must be true',
    },
    {
      name: 'an integration manager',
      mutate: editClient((config) => (config.integrations_ui_url = 'https://scalar.vector.im/')),
      address: file,
      message: 'integrations_ui_url is "https://scalar.vector.im/", must be ""',
    },
    {
      name: 'integration widgets allowed',
      mutate: editClient((config) => (config.integrations_widgets_urls = ['https://scalar.vector.im/api'])),
      address: file,
      message: 'integrations_widgets_urls is',
    },
    {
      name: 'analytics',
      mutate: editClient((config) => (config.posthog = { project_api_key: 'x', api_host: 'https://posthog.example.net' })),
      address: file,
      message: 'posthog is set',
    },
    {
      name: 'bug reports sent to a third party',
      mutate: editClient((config) => (config.bug_report_endpoint_url = 'https://element.io/bugreports/submit')),
      address: file,
      message: 'bug_report_endpoint_url is set',
    },
    {
      name: 'another homeserver',
      mutate: editClient((config) => (homeserverEntry(config).base_url = 'https://matrix.org')),
      address: file,
      message: 'must be base_url "https://matrix.agency.example.org"',
    },
    {
      name: 'an identity server',
      mutate: editClient((config) => {
        const servers = config.default_server_config;
        if (isObject(servers)) servers['m.identity_server'] = { base_url: 'https://vector.im' };
      }),
      address: file,
      message: '"m.identity_server" is set',
    },
    {
      name: "other servers' public rooms in the directory",
      mutate: editClient((config) => (config.room_directory = { servers: ['matrix.agency.example.org', 'matrix.org'] })),
      address: file,
      message: 'room_directory.servers is',
    },
    {
      name: 'without site facts: a plain-HTTP homeserver',
      mutate: editClient((config) => (homeserverEntry(config).base_url = 'http://matrix.agency.example.org')),
      context: STANDALONE_CONTEXT,
      address: file,
      message: 'base_url is "http://matrix.agency.example.org", must be the homeserver\'s https origin',
    },
  ],
  good: [
    { name: 'the rendered config', mutate: () => undefined },
    { name: 'without site facts', mutate: () => undefined, context: STANDALONE_CONTEXT },
    { name: 'a brand name added', mutate: editClient((config) => (config.brand = 'Agency Chat')) },
  ],
  notApplicable: [{ name: 'no web client config', mutate: (j) => remove(j, R.elementConfig) }],
};
