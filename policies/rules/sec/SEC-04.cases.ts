/** The case table of SEC-04 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { nested, REFERENCE, synapseConfigFile, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import {
  address,
  body,
  child,
  containerOf,
  copy,
  editConfigFile,
  podSpecOf,
  R,
  SYNAPSE_COMMAND,
  type Mutation,
} from '../../../test/policies/fixtures';
import type { JsonValue } from '../../../tfjson/terraform-json';

function setInline(key: string, value: JsonValue): Mutation {
  return (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (config[key] = value));
}

const INLINE_KEYS = [
  'macaroon_secret_key',
  'form_secret',
  'registration_shared_secret',
  'worker_replication_secret',
  'signing_key',
  'turn_shared_secret',
  'recaptcha_private_key',
];

export const cases: RuleCases = {
  bad: [
    {
      name: 'synapse.app without the flag',
      mutate: (j) => (containerOf(j, R.synapseDeployment).command = SYNAPSE_COMMAND.slice(0, -1)),
      address: synapseContainer,
      message: 'runs synapse.app.* without --no-secrets-in-config',
    },
    {
      name: 'worker app in args without the flag',
      mutate: (j) =>
        Object.assign(containerOf(j, R.synapseDeployment), {
          command: ['python'],
          args: ['-m', 'synapse.app.generic_worker', '--config-path', '/config/homeserver.yaml'],
        }),
      address: synapseContainer,
      message: 'without --no-secrets-in-config',
    },
    {
      name: 'shell command without the flag',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).command = [
          '/bin/sh',
          '-c',
          'exec python -m synapse.app.homeserver --config-path /config/homeserver.yaml',
        ]),
      address: synapseContainer,
      message: 'without --no-secrets-in-config',
    },
    {
      name: 'Synapse image entrypoint (no command)',
      mutate: (j) => delete containerOf(j, R.synapseDeployment).command,
      address: synapseContainer,
      message: 'runs the Synapse image entrypoint',
    },
    ...INLINE_KEYS.map((key) => ({
      name: `inline ${key}`,
      mutate: setInline(key, REFERENCE),
      address: synapseConfigFile,
      message: `inline secret ${key};`,
    })),
    {
      name: 'inline database.args.password',
      mutate: (j) =>
        editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (nested(config, 'database', 'args').password = REFERENCE)),
      address: synapseConfigFile,
      message: 'inline secret database.args.password',
    },
    {
      name: 'inline redis.password',
      mutate: (j) => editConfigFile(j, R.synapseConfig, 'homeserver.yaml', (config) => (nested(config, 'redis').password = REFERENCE)),
      address: synapseConfigFile,
      message: 'inline secret redis.password',
    },
    {
      name: 'inline email.smtp_pass',
      mutate: (j) =>
        editConfigFile(
          j,
          R.synapseConfig,
          'homeserver.yaml',
          (config) => (config.email = { smtp_host: 'smtp.example.org', smtp_user: 'synapse', smtp_pass: REFERENCE }),
        ),
      address: synapseConfigFile,
      message: 'inline secret email.smtp_pass',
    },
    {
      name: 'inline LDAP bind_password in a module',
      mutate: (j) =>
        editConfigFile(
          j,
          R.synapseConfig,
          'homeserver.yaml',
          // Synapse no longer has the LDAP module (the realm checks passwords): one is added with an inline password.
          (config) =>
            (config.modules = [
              { module: 'ldap_auth_provider.LdapAuthProviderModule', config: { enabled: true, bind_password: REFERENCE } },
            ]),
        ),
      address: synapseConfigFile,
      message: 'inline secret modules[0].config.bind_password',
    },
    {
      name: 'worker config (worker_app only) with an inline secret',
      mutate: (j) =>
        (child(body(j, R.synapseConfig), 'data')['worker.yaml'] =
          `worker_app: synapse.app.generic_worker\nworker_replication_secret: "${REFERENCE}"\n`),
      address: `${address(R.synapseConfig)} data "worker.yaml"`,
      message: 'inline secret worker_replication_secret',
    },
  ],
  good: [
    {
      name: 'flag inside a shell command',
      mutate: (j) =>
        (containerOf(j, R.synapseDeployment).command = [
          '/bin/sh',
          '-c',
          'exec python -m synapse.app.homeserver --config-path /config/homeserver.yaml --no-secrets-in-config',
        ]),
    },
    {
      name: 'worker app in args with the flag',
      mutate: (j) =>
        Object.assign(containerOf(j, R.synapseDeployment), {
          command: ['python'],
          args: ['-m', 'synapse.app.generic_worker', '--config-path', '/config/homeserver.yaml', '--no-secrets-in-config'],
        }),
    },
    {
      name: 'init container on the Synapse image running another command',
      mutate: (j) => {
        const init = copy(containerOf(j, R.synapseDeployment));
        Object.assign(init, { name: 'pgpass', command: ['install', '-m', '0600', '/secrets/database/pgpass', '/run/secrets/pgpass'] });
        podSpecOf(j, R.synapseDeployment).init_container = [init];
      },
    },
    { name: 'turn_shared_secret_path (a file)', mutate: setInline('turn_shared_secret_path', '/secrets/turn/shared-secret') },
    {
      name: 'a YAML file that is not a Synapse config',
      mutate: (j) =>
        (child(body(j, R.synapseConfig), 'data')['formatters.yaml'] =
          'version: 1\nformatters:\n  precise:\n    format: "%(asctime)s %(message)s"\n'),
    },
  ],
};
