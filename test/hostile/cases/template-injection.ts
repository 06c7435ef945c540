/**
 * Config values that would reach a template engine as syntax: External Secrets' Go templates
 * (the SMTP sender), Terraform's templates (the kubeconfig path and context, labels), YAML, LDIF
 * and slapd's config (DNs), HAProxy and shell (names). Each is refused at the config, naming the
 * field and its grammar: nothing is synthesized, so nothing reaches an engine.
 */
import { stringify } from 'yaml';
import type { HostileCase, Sandbox } from '../hostile-case';

const INVALID = 2;

type Config = Record<string, unknown>;

const homeserver = (config: Config) => (config.homeservers as Config[])[0] as Config;
const directory = (config: Config) => homeserver(config).directory as Config;

function refused(name: string, edit: (config: Config) => void, field: RegExp): HostileCase {
  return {
    name,
    command: 'synth',
    setup: (sandbox: Sandbox) => {
      const config = sandbox.defaultConfig();
      edit(config);
      sandbox.write('site.yaml', stringify(config));
    },
    args: ['site.yaml'],
    exit: INVALID,
    message: [field, /nothing was written/],
  };
}

const smtp = (notifFrom: string) => (config: Config) => {
  homeserver(config).synapse = {
    ...(homeserver(config).synapse as Config),
    smtp: { host: 'smtp.agency.example.org', port: 587, username: 'matrix-notifications', notifFrom },
  };
};

export const cases: readonly HostileCase[] = [
  refused(
    'SMTP sender printing the SMTP password (a Go template action)',
    smtp('{{ .password }} <matrix@agency.example.org>'),
    /homeservers\[0\]\.synapse\.smtp\.notifFrom/,
  ),
  refused(
    'SMTP sender adding `enable_registration: true` to the email file',
    smtp('{{ "\\nenable_registration: true" }} <m@agency.example.org>'),
    /homeservers\[0\]\.synapse\.smtp\.notifFrom/,
  ),
  refused(
    'SMTP sender in the address part',
    smtp('Matrix <{{.password}}@agency.example.org>'),
    /homeservers\[0\]\.synapse\.smtp\.notifFrom/,
  ),
  refused(
    'SMTP sender with a line break and a new YAML key',
    smtp('Matrix <m@agency.example.org>\nsmtp_host: evil.example'),
    /homeservers\[0\]\.synapse\.smtp\.notifFrom/,
  ),
  refused(
    'kubeconfig path reading a file at plan time',
    (config) => ((config.kubernetes as Config).configPath = '${file("/etc/passwd")}'),
    /kubernetes\.configPath/,
  ),
  refused(
    'kubeconfig context with a Terraform directive',
    (config) => ((config.kubernetes as Config).context = '%{ if true }admin%{ endif }'),
    /kubernetes\.context/,
  ),
  refused(
    'a Prometheus label value with a Terraform expression',
    (config) => ((config.monitoring as Record<string, Config>).resourceLabels = { release: '${var.x}' }),
    /monitoring\.resourceLabels\.release/,
  ),
  refused(
    'an LDIF line break in the users DN',
    (config) => (directory(config).usersDn = 'ou=people,dc=agency,dc=example,dc=org\nchangetype: delete'),
    /homeservers\[0\]\.directory\.usersDn/,
  ),
  refused(
    'a slapd ACL clause in the admission group DN',
    (config) => (directory(config).admissionGroup = 'cn=matrix-users,ou=groups,dc=agency,dc=example,dc=org" by * write'),
    /homeservers\[0\]\.directory\.admissionGroup/,
  ),
  refused(
    'an LDAP filter in the bind DN',
    (config) => (directory(config).bindDn = 'cn=*)(uid=*,ou=services,dc=agency,dc=example,dc=org'),
    /homeservers\[0\]\.directory\.bindDn/,
  ),
  refused(
    'a trailing space in a DN',
    (config) => (directory(config).baseDn = 'dc=agency,dc=example,dc=org '),
    /homeservers\[0\]\.directory\.baseDn/,
  ),
  refused('a shell command in a homeserver name', (config) => (homeserver(config).name = 'agency;rm -rf /'), /homeservers\[0\]\.name/),
  refused(
    'an HAProxy directive after a line break in the server name',
    (config) => (homeserver(config).serverName = 'matrix.agency.example.org\nhttp-request return status 200'),
    /homeservers\[0\]\.serverName/,
  ),
  refused(
    'a YAML document marker in an email domain',
    (config) => (homeserver(config).allowedEmailDomains = ['agency.example.org\n---\nenable_registration: true']),
    /homeservers\[0\]\.allowedEmailDomains\[0\]/,
  ),
];
