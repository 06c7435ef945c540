/**
 * Every string of the config, in any field and in mapping keys, is refused when it carries
 * Terraform template syntax or a cdktf token marker: field path, rule, exit 2, nothing written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appCommandOf } from '../../config/app-command';
import { ConfigError } from '../../config/load-config';
import { projectRoot } from '../../config/project-root';
import { terraformSyntaxProblem } from '../../config/schema';
import { parseDeploymentConfig } from '../../model/load-config';
import { defaultConfigObject, setPath, toYaml, type Mutable } from './config-fixtures';

const TEMPLATE = /must not contain Terraform template syntax \(\$\{ or %\{\)$/;
const TOKEN = /must not contain a cdktf token marker \(TfToken\[\): cdktf would turn it into a reference to another stack$/;

/** Injected values and the rule each one breaks. */
const VALUES: readonly (readonly [string, RegExp])[] = [
  ['${file("/etc/passwd")}', TEMPLATE],
  ['/home/ops/${env}/kubeconfig', TEMPLATE],
  ['%{ if true }x%{ endif }', TEMPLATE],
  ['a%{b', TEMPLATE],
  ['$${already escaped}', TEMPLATE],
  ['${TfToken[TOKEN.1]}', TOKEN],
  ['#{TfToken[TOKEN.2]}', TOKEN],
  ['x TfToken[TOKEN.3] y', TOKEN],
];

/** Fields of every kind: free text, validated text, list items, map values, nested objects. */
const FIELDS: readonly string[] = [
  'kubernetes.configPath',
  'kubernetes.context',
  'deployment.name',
  'kubernetes.dns.namespace',
  'kubernetes.podCidrs[0]',
  'images.synapse',
  'images.allowedRegistries[1]',
  'state.local.directory',
  'storage.storageClassName',
  'platform.charts.openbao.repository',
  'platform.secrets.refreshInterval',
  'monitoring.namespace',
  'monitoring.resourceLabels.release',
  'homeservers[0].name',
  'homeservers[0].serverName',
  'homeservers[0].allowedEmailDomains[0]',
  'homeservers[0].directory.baseDn',
  'homeservers[0].synapse.maxUploadSize',
  'homeservers[0].synapse.tokens.sessionLifetime',
  'homeservers[0].gateway.ingressCidrs[0]',
];

function issuesOf(config: Mutable): { path: string; message: string }[] {
  try {
    parseDeploymentConfig(toYaml(config), 'hostile.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('terraformSyntaxProblem', () => {
  it.each(VALUES)('refuses %j', (value, rule) => expect(terraformSyntaxProblem(value)).toMatch(rule));
  it.each(['plain', '$HOME', '100%', '{{ .password }}', '$ {x}', '% {x}', 'Matrix <noreply@agency.example.org>', 'TfToken'])(
    'accepts %j',
    (value) => expect(terraformSyntaxProblem(value)).toBeNull(),
  );
});

describe.each(FIELDS)('%s', (field) => {
  it.each(VALUES)('refuses %j with the field path and the rule', (value, rule) => {
    const config = setPath(defaultConfigObject(), field, value);
    expect(issuesOf(config)).toContainEqual({ path: field, message: expect.stringMatching(rule) });
  });
});

describe('other places', () => {
  it("refuses it in the optional SMTP section (notifFrom), reported beside the field's own rule", () => {
    const config = setPath(defaultConfigObject(), 'homeservers[0].synapse.smtp', {
      host: 'smtp.agency.example.org',
      port: 587,
      username: 'matrix',
      notifFrom: 'Matrix ${x} <noreply@agency.example.org>',
    });
    expect(issuesOf(config)).toContainEqual({ path: 'homeservers[0].synapse.smtp.notifFrom', message: expect.stringMatching(TEMPLATE) });
  });

  it('refuses it in mapping keys', () => {
    const config = setPath(defaultConfigObject(), 'monitoring.resourceLabels', { 'team/${x}': 'ops' });
    expect(issuesOf(config)).toContainEqual({
      path: 'monitoring.resourceLabels.team/${x}',
      message: expect.stringMatching(/^mapping key must not contain Terraform template syntax/),
    });
  });

  it('refuses it in keys the schema does not know (besides the unknown key itself)', () => {
    const issues = issuesOf(setPath(defaultConfigObject(), 'extras', { note: '%{ if true }' }));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'extras.note', message: expect.stringMatching(TEMPLATE) },
        { path: 'extras', message: expect.stringMatching(/unknown key/) },
      ]),
    );
  });

  it('reports every hostile field at once', () => {
    const config = defaultConfigObject();
    for (const field of FIELDS) setPath(config, field, '${x}');
    const paths = issuesOf(config)
      .filter((issue) => TEMPLATE.test(issue.message))
      .map((issue) => issue.path);
    expect(paths.sort()).toEqual([...FIELDS].sort());
  });
});

it('the app exits 2 with the field path and the rule on one line, and writes nothing', () => {
  const root = projectRoot();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'template-syntax-'));
  const hostile = path.join(directory, 'hostile.yaml');
  fs.writeFileSync(hostile, toYaml(setPath(defaultConfigObject(), 'kubernetes.configPath', '${file("/etc/passwd")}')));
  const result = spawnSync('sh', ['-c', `${appCommandOf(root) ?? ''} "$@"`, 'sh', hostile], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: path.join(directory, 'cdktf.out') },
  });
  expect(result.status).toBe(2);
  expect(result.stderr.split('\n')).toContain('  - kubernetes.configPath: must not contain Terraform template syntax (${ or %{)');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(fs.readdirSync(directory)).toEqual(['hostile.yaml']);
});
