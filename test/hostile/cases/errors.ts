/**
 * Error hygiene: parser bombs (YAML aliases, deep nesting in YAML and JSON), binary and
 * malformed inputs, CDK for Terraform token strings, and keys or values that carry control
 * characters all end with the documented exit code and a short message: no stack trace, no echo
 * of file content, every echoed key or value escaped.
 */
import { stringify } from 'yaml';
import { CONTENT_CANARY, type HostileCase, type Sandbox } from '../hostile-case';

const INVALID = 2;
const QUICKLY = 40_000;

const badConfig = (
  name: string,
  text: (sandbox: Sandbox) => string | Buffer,
  message: RegExp | readonly RegExp[],
  extra: Partial<HostileCase> = {},
): HostileCase => ({
  name,
  command: 'synth',
  setup: (sandbox) => sandbox.write('site.yaml', text(sandbox)),
  args: ['site.yaml'],
  exit: INVALID,
  message: [...(Array.isArray(message) ? message : [message as RegExp]), /nothing was written/],
  timeoutMs: QUICKLY,
  ...extra,
});

/** The default config with one edit. */
const edited = (edit: (config: Record<string, unknown>) => void) => (sandbox: Sandbox) => {
  const config = sandbox.defaultConfig();
  edit(config);
  return stringify(config);
};

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level += 1) {
    const name = String.fromCharCode(97 + level);
    lines.push(
      `${name}: &${name} [${Array(9)
        .fill(`*${String.fromCharCode(96 + level)}`)
        .join(',')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const monitoring = (config: Record<string, unknown>) => config.monitoring as Record<string, Record<string, unknown>>;

/** A clean synthesized output plus one hostile Terraform JSON file. */
const hostileStack = (
  name: string,
  json: string | Buffer,
  exit: number,
  message: RegExp | readonly RegExp[],
  extra: Partial<HostileCase> = {},
): HostileCase => ({
  name,
  command: 'audit',
  setup: (sandbox) => {
    sandbox.synthesized('out');
    sandbox.write('out/stacks/hostile/cdk.tf.json', json);
  },
  args: ['out/stacks', '--out', 'evidence'],
  exit,
  message,
  writes: exit === INVALID ? [] : ['evidence'],
  timeoutMs: QUICKLY,
  ...extra,
});

/** A stack holding one helm_release whose values string is `values`. */
const helmValues = (values: string) =>
  JSON.stringify({
    resource: {
      helm_release: {
        hostile: { name: 'hostile', chart: 'x', repository: 'https://charts.example.org', version: '1.0.0', values: [values] },
      },
    },
  });

export const cases: readonly HostileCase[] = [
  badConfig('YAML alias bomb (billion laughs)', billionLaughs, [/\(yaml\)/, /alias/]),
  badConfig('YAML flow collections nested 100,000 deep', () => `deployment: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, [
    /\(yaml\)/,
    /nested deeper than 128 levels/,
  ]),
  badConfig('YAML block sequences nested 100,000 deep (- - - ...)', () => `${'- '.repeat(100_000)}x\n`, [
    /\(yaml\)/,
    /nested deeper than 128 levels/,
  ]),
  badConfig(
    'YAML mappings nested 1,000 deep by indentation',
    () => Array.from({ length: 1000 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`).join('\n'),
    [/\(yaml\)/, /nested deeper than 128 levels/],
  ),
  badConfig('YAML with a duplicate key', (sandbox) => `${stringify(sandbox.defaultConfig())}deployment:\n  name: again\n`, [
    /\(yaml\)/,
    /[Uu]nique|duplicate/,
  ]),
  badConfig('an empty config', () => '', /\(root\)/),
  badConfig('a config that is a scalar', () => 'just a string\n', /\(root\)/),
  badConfig(
    'binary garbage holding a secret (not echoed)',
    () => Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b]), Buffer.from(`\n${CONTENT_CANARY}\u0000\n`)]),
    /\(yaml\)|\(root\)/,
  ),
  badConfig(
    'invalid UTF-8 in a value',
    (sandbox) =>
      Buffer.concat([
        Buffer.from(stringify(sandbox.defaultConfig())),
        Buffer.from('surprise: "'),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
        Buffer.from('"\n'),
      ]),
    /surprise: unknown key/,
  ),
  badConfig(
    'an unknown key with an escape sequence and a line feed (echoed escaped)',
    edited((config) => (config['evil\u001b[2J\nforged: line'] = 1)),
    /evil\\u001b\[2J\\nforged: line: (unknown key|mapping key must not contain control)/,
    { maxLines: 3 },
  ),
  badConfig(
    'an unknown key with a bidi override (echoed escaped)',
    edited((config) => (config['admin\u202egnp.exe'] = 1)),
    /admin\\u202egnp\.exe: (unknown key|mapping key must not contain control or invisible)/,
  ),
  badConfig(
    'a label value with a line feed that forges a second problem',
    edited((config) => (monitoring(config).resourceLabels = { release: 'x\n  - images.synapse: forged' })),
    /monitoring\.resourceLabels/,
    { maxLines: 3 },
  ),
  badConfig(
    '${TfToken[...]} in a label value',
    edited((config) => (monitoring(config).resourceLabels = { release: '${TfToken[TOKEN.1]}' })),
    [/monitoring\.resourceLabels\.release/, /TfToken/],
  ),
  badConfig(
    '${TfToken[...]} as a label key',
    edited((config) => (monitoring(config).prometheusPodLabels = { '${TfToken[TOKEN.7]}': 'x' })),
    [/monitoring\.prometheusPodLabels/, /TfToken/],
  ),
  badConfig(
    'a list token #{TfToken[...]} in a list of ranges',
    edited((config) => ((config.kubernetes as Record<string, unknown>).nodeCidrs = ['#{TfToken[TOKEN.3]}'])),
    [/kubernetes\.nodeCidrs\[0\]/, /TfToken/],
  ),
  badConfig(
    "a number in cdktf's token range",
    edited((config) => ((config.kubernetes as { apiServer: Record<string, unknown> }).apiServer.port = -1.8881545897087626e289)),
    [/kubernetes\.apiServer\.port/, /too large a number/],
  ),
  badConfig(
    '${TfToken[...]} as the deployment name',
    edited((config) => (config.deployment = { name: '${TfToken[TOKEN.1]}' })),
    [/deployment\.name/],
  ),
  hostileStack(
    'audit: JSON nested 200,000 deep',
    `{"resource":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    INVALID,
    /cdk\.tf\.json: the Terraform JSON is nested deeper than 128 levels/,
  ),
  hostileStack(
    'audit: malformed JSON holding a secret (not echoed)',
    `{"token": "${CONTENT_CANARY}" oops}`,
    INVALID,
    /cdk\.tf\.json: the Terraform JSON is not valid JSON at line 1, column/,
  ),
  hostileStack('audit: a JSON array instead of an object', '[1, 2, 3]', INVALID, /cdk\.tf\.json: the Terraform JSON is not a JSON object/),
  hostileStack('audit: JSON null', 'null', INVALID, /not a JSON object/),
  hostileStack(
    'audit: a byte order mark and invalid UTF-8',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": "'), Buffer.from([0xff, 0xfe]), Buffer.from(`${CONTENT_CANARY}"}`)]),
    INVALID,
    /not valid JSON/,
  ),
  hostileStack(
    'audit: wrongly typed sections (resource a string, blocks null)',
    JSON.stringify({ resource: 'x', terraform: null, provider: [1], output: { a: null } }),
    0,
    /audited 11 stacks/,
  ),
  hostileStack(
    'audit: resources with null and scalar bodies',
    JSON.stringify({
      resource: {
        kubernetes_pod_v1: { a: null, b: 1, c: [] },
        helm_release: { d: 'x' },
        kubernetes_network_policy_v1: { e: { spec: null } },
      },
    }),
    1,
    /audited 11 stacks/,
    { maxLines: 30 },
  ),
  hostileStack(
    'audit: a Helm values alias bomb',
    helmValues(billionLaughs()),
    1,
    [/values\[0\] is not valid YAML: aliases expand to too much data/],
    { maxLines: 30 },
  ),
  hostileStack(
    'audit: Helm values nested 100,000 deep',
    helmValues(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    1,
    [/values\[0\] is not valid YAML: nested deeper than 128 levels/],
    { maxLines: 30 },
  ),
  hostileStack(
    'audit: a resource name with control characters (echoed escaped)',
    JSON.stringify({
      resource: {
        kubernetes_pod_v1: {
          'evil\u001b[31m\nname': { metadata: { name: 'x', namespace: 'default' }, spec: { container: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    }),
    1,
    /kubernetes_pod_v1\.evil\\u001b\[31m\\nname/,
    { maxLines: 40 },
  ),
  {
    name: 'audit: an unknown option with an escape sequence (echoed escaped)',
    command: 'audit',
    args: ['.', '--\u001b]0;owned\u0007'],
    exit: INVALID,
    message: [/unknown option --\\u001b\]0;owned\\u0007/, /usage: npm run audit/],
  },
  {
    name: 'audit: an option given twice',
    command: 'audit',
    args: ['.', '--out', 'a', '--out', 'b'],
    exit: INVALID,
    message: /--out given twice/,
  },
];
