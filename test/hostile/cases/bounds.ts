/**
 * Schema-valid-looking configs that would weaken a control by breadth or placement: allowlists
 * near the whole internet, alerts that never fire, a mirror outside the registry allowlist, the
 * site's Prometheus or DNS in a namespace anyone (or a compartment) controls, reserved or
 * overlong names, duplicate servers spelled with a default port. Each is refused, naming the
 * field and the bound.
 */
import { stringify } from 'yaml';
import type { HostileCase, Sandbox } from '../hostile-case';

const INVALID = 2;

type Config = Record<string, unknown>;

const homeservers = (config: Config) => config.homeservers as Config[];
const first = (config: Config) => homeservers(config)[0] as Config;
const calls = (config: Config) => first(config).calls as Config;
const media = (config: Config) => calls(config).media as Config;

function refused(name: string, edit: (config: Config) => void, message: readonly RegExp[], extra: Partial<HostileCase> = {}): HostileCase {
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
    message: [...message, /nothing was written/],
    ...extra,
  };
}

export const cases: readonly HostileCase[] = [
  refused(
    'federation egress to a quarter of the internet',
    (config) => (first(config).federation = { enabled: true, peers: ['matrix.partner.example.org'], egressCidrs: ['64.0.0.0/2'] }),
    [/homeservers\[0\]\.federation\.egressCidrs\[0\]/, /wider/],
  ),
  refused(
    'gateway ingress from half the internet (not "anyone", not a network)',
    (config) => (first(config).gateway = { ...(first(config).gateway as Config), ingressCidrs: ['0.0.0.0/1'] }),
    [/homeservers\[0\]\.gateway\.ingressCidrs\[0\]/],
  ),
  refused(
    'S3 media egress to a /4',
    (config) =>
      (first(config).media = {
        s3: {
          endpoint: 'https://s3.agency.example.org',
          bucket: 'media',
          region: 'eu-1',
          cidrs: ['16.0.0.0/4'],
          protection: { versioning: 'enabled', objectLockDays: 30 },
        },
      }),
    [/homeservers\[0\]\.media\.s3\.cidrs\[0\]/],
  ),
  refused(
    'a media-egress alert at 1024G an hour (it would never fire)',
    (config) => (((config.monitoring as Config).alerts as Config).mediaEgressPerHour = '1024G'),
    [/monitoring\.alerts\.mediaEgressPerHour/],
  ),
  refused(
    'a directory-search alert at 10 000 a minute',
    (config) => (((config.monitoring as Config).alerts as Config).userDirectorySearchesPerMinute = 10_000),
    [/monitoring\.alerts\.userDirectorySearchesPerMinute/],
  ),
  refused(
    'an image mirror outside the registry allowlist',
    (config) => ((config.images as Config).mirrorPrefix = 'registry.attacker.example/mirror'),
    [/images\.mirrorPrefix/],
  ),
  refused('Prometheus in the default namespace', (config) => ((config.monitoring as Config).namespace = 'default'), [
    /monitoring\.namespace/,
  ]),
  // Two problems, each its own line: a system namespace, and the DNS one.
  refused('Prometheus in kube-system', (config) => ((config.monitoring as Config).namespace = 'kube-system'), [/monitoring\.namespace/], {
    maxLines: 4,
  }),
  refused(
    'the cluster DNS in a compartment of the deployment',
    (config) => (((config.kubernetes as Config).dns as Config).namespace = 'agency-homeserver'),
    [/kubernetes\.dns\.namespace/],
  ),
  refused('a deployment named kube (kube-* namespaces)', (config) => (config.deployment = { name: 'kube' }), [/deployment\.name/]),
  refused('a homeserver named openshift-apps', (config) => (first(config).name = 'openshift-apps'), [/homeservers\[0\]\.name/]),
  refused('a homeserver name too long for its certificate common names', (config) => (first(config).name = 'a'.repeat(40)), [
    /homeservers\[0\]\.name/,
  ]),
  refused(
    'the same server twice, once with its default port',
    (config) =>
      homeservers(config).push({
        ...first(config),
        name: 'agency2',
        serverName: 'matrix.agency.example.org:443',
        allowedEmailDomains: ['staff.agency.example.org'],
      }),
    [/serverName/, /duplicate|same/i],
  ),
  refused('a single sync worker in production (a pool of one)', (config) => (first(config).workers = { sync: 1 }), [
    /homeservers\[0\]\.workers\.sync/,
    /at least 2 in production/,
  ]),
  refused('a million sync workers', (config) => (first(config).workers = { sync: 1_000_000 }), [/homeservers\[0\]\.workers\.sync/, /32/]),
  refused('federation readers on a closed homeserver', (config) => (first(config).workers = { federationReaders: 4 }), [
    /homeservers\[0\]\.workers\.federationReaders/,
    /federation is off/,
  ]),
  refused(
    'an event persister count written as text with a newline',
    (config) => (first(config).workers = { eventPersisters: '2\nworker_app: synapse.app.homeserver' }),
    [/homeservers\[0\]\.workers\.eventPersisters/],
  ),
  refused('one gateway pod in production', (config) => (first(config).gateway = { ...(first(config).gateway as Config), replicas: 1 }), [
    /homeservers\[0\]\.gateway\.replicas/,
    /at least 2 in production/,
  ]),
  // The web client and calls: public names reach HAProxy ACLs and the gateway certificate, ports the load balancer.
  refused(
    'a client name carrying an HAProxy directive after a newline',
    (config) => (first(config).client = { hostname: 'chat.example.org\n  use_backend synapse if TRUE' }),
    [/homeservers\[0\]\.client\.hostname/],
  ),
  refused('a client name that is the homeserver name', (config) => (first(config).client = { hostname: 'matrix.agency.example.org' }), [
    /homeservers\[0\]\.client\.hostname/,
    /own origin/,
  ]),
  refused(
    'the calls name written with a path',
    (config) => (first(config).calls = { ...calls(config), hostname: 'rtc.example.org/../admin' }),
    [/homeservers\[0\]\.calls\.hostname/],
  ),
  refused(
    'a TURN relay range of 21024 ports',
    (config) => (first(config).calls = { ...calls(config), media: { ...media(config), relayPorts: { first: 10000, last: 31023 } } }),
    [/homeservers\[0\]\.calls\.media\.relayPorts/, /at most 1000/],
  ),
  refused(
    'a media port inside the relay range',
    (config) => (first(config).calls = { ...calls(config), media: { ...media(config), rtcUdpPort: 30010 } }),
    [/homeservers\[0\]\.calls\.media\.rtcUdpPort/, /inside relayPorts/],
  ),
  refused(
    'a published address that is a range',
    (config) => (first(config).calls = { ...calls(config), media: { ...media(config), publicAddress: '0.0.0.0/0' } }),
    [/homeservers\[0\]\.calls\.media\.publicAddress/, /one IPv4 or IPv6 address/],
  ),
  refused(
    'media open to a /4 of the internet (neither the any-address nor a client network)',
    (config) => (first(config).calls = { ...calls(config), media: { ...media(config), ingressCidrs: ['16.0.0.0/4'] } }),
    [/homeservers\[0\]\.calls\.media\.ingressCidrs\[0\]/],
  ),
  refused(
    'a media port as a huge number',
    (config) => (first(config).calls = { ...calls(config), media: { ...media(config), turnUdpPort: 1e21 } }),
    [/homeservers\[0\]\.calls\.media\.turnUdpPort|1e\+?21|10\^21/],
  ),
];
