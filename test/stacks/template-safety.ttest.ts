/**
 * Literal text never becomes a Terraform template: every string of every synthesized stack is,
 * for the engine's own template parser (HCL 2, as OpenTofu builds it), either literal text or
 * exactly a reference to a resource declared in that stack. Hostile values are injected below
 * the config validation (into the resolved config and into constructs), so the escaping is
 * proven on its own, not through the schema that also refuses them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { App, TerraformOutput, TerraformVariable } from 'cdktf';
import type { DeploymentConfig } from '../../config/deployment-config';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames } from '../../model/platform';
import { configuratorScript } from '../../render/openbao/configurator';
import { homeserverConfig } from '../../render/synapse/homeserver-config';
import { toSynapseYaml } from '../../render/synapse/render-yaml';
import { composeDeployment } from '../../stacks/compose-deployment';
import { configureEngine } from '../../stacks/engine-settings';
import { TemplateSafeStack } from '../../stacks/template-safe-stack';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import type { JsonObject } from '../../tfjson/terraform-json';
import { escapeTemplateText } from '../../tfjson/terraform-template';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { literalValues, unsafeStrings } from '../support/engine-strings';

const READ_FILE = '${file("/etc/passwd")}';
const DIRECTIVE = '%{ if true }x%{ endif }';
/** Both markers, an author's escape, and shell expansions: all must reach the engine as this very text. */
const HOSTILE = `a ${READ_FILE} b ${DIRECTIVE} c $\${kept} %%{kept} $ % \${name%.hcl} \${x{y}z}`;

function synthesize(config: DeploymentConfig): { name: string; json: JsonObject }[] {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'template-safety-')), 'cdktf.out');
  const app = new App({ outdir, skipValidation: true });
  // No rules: the escaping is under test here, not the audit (SEC-06 has its own cases).
  composeDeployment(app, config, {}, []);
  app.synth();
  return readSynthesizedStacks(outdir).map((stack) => ({ name: stack.name, json: stack.json as JsonObject }));
}

function hostileConfig(): DeploymentConfig {
  const base = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
  const [homeserver, ...others] = base.homeservers;
  if (!homeserver) throw new Error('no homeserver');
  return {
    ...base,
    kubernetes: { ...base.kubernetes, configPath: `/etc/kube/${READ_FILE}`, context: DIRECTIVE },
    monitoring: { ...base.monitoring, resourceLabels: { ...base.monitoring.resourceLabels, [`key-${READ_FILE}`]: HOSTILE } },
    // An external directory: the DN reaches homeserver.yaml; the slapd renderer (in-cluster directory) refuses any DN outside the config's grammar itself.
    homeservers: [
      {
        ...homeserver,
        directory: {
          ...homeserver.directory,
          mode: 'external',
          external: { host: 'ldap.example.org', cidrs: ['198.51.100.7/32'] },
          usersDn: `ou=people,${HOSTILE}`,
        },
      },
      ...others,
    ],
  };
}

describe.each([
  ['config/default.yaml', () => synthesize(loadDeploymentConfig(DEFAULT_CONFIG_FILE))],
  ['config/examples/fleet.yaml', () => synthesize(loadDeploymentConfig(FLEET_CONFIG_FILE))],
])('every stack of %s', (_name, stacksOf) => {
  it('holds only literal text and references to resources declared in the same stack', () => {
    const stacks = stacksOf();
    expect(stacks.length).toBeGreaterThan(6);
    for (const stack of stacks)
      expect({ stack: stack.name, unsafe: unsafeStrings(stack.json).map(({ where, text }) => ({ where, text })) }).toEqual({
        stack: stack.name,
        unsafe: [],
      });
  });
});

describe('hostile text below the config validation', () => {
  const config = hostileConfig();
  const stacks = synthesize(config);
  const literals = new Set(stacks.flatMap((stack) => literalValues(stack.json)));

  it('is literal text in every stack: no interpolation, function call or directive reaches the engine', () => {
    for (const stack of stacks)
      expect({ stack: stack.name, unsafe: unsafeStrings(stack.json).map(({ where, text }) => ({ where, text })) }).toEqual({
        stack: stack.name,
        unsafe: [],
      });
  });

  it('reaches the provider blocks, labels and label keys as exactly the text given', () => {
    expect(literals).toContain(`/etc/kube/${READ_FILE}`);
    expect(literals).toContain(DIRECTIVE);
    expect(literals).toContain(HOSTILE);
    expect(literals).toContain(`key-${READ_FILE}`);
  });

  it('reaches rendered files exactly as rendered: homeserver.yaml and the configurator script', () => {
    const [homeserver] = config.homeservers;
    if (!homeserver) throw new Error('no homeserver');
    expect(literals).toContain(toSynapseYaml(homeserverConfig(config, homeserver), `Synapse configuration of ${homeserver.serverName}`));
    expect(literals).toContain(configuratorScript(platformNames(config.deploymentName).openbaoAddress));
  });
});

describe('TemplateSafeStack (construct level)', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'template-stack-')) });
  const stack = new TemplateSafeStack(app, 'probe');
  const base = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
  configureEngine(
    stack,
    'probe',
    { ...base, kubernetes: { ...base.kubernetes, configPath: READ_FILE, context: DIRECTIVE } },
    { helm: true },
  );
  const namespace = new NamespaceV1(stack, 'ns', { metadata: { name: 'probe' } });
  new ConfigMapV1(stack, 'files', {
    metadata: { name: 'files', namespace: namespace.metadata.name, labels: { [`k-${READ_FILE}`]: DIRECTIVE } },
    data: {
      // A literal `${` left open before a reference: cdktf would read it as a hand-written expression.
      'open.sh': `echo \${ unclosed ${namespace.metadata.name} }`,
      'mixed.sh': `${namespace.metadata.name}.svc \${HOME} %{x}`,
    },
  });
  new TerraformVariable(stack, 'literal', { type: 'string', default: '${not-a-template}', description: '${also literal}' });
  new TerraformOutput(stack, 'out', { value: HOSTILE, description: '${literal description}' });
  const json = stack.toTerraform() as JsonObject & {
    provider: { kubernetes: JsonObject[]; helm: JsonObject[] };
    resource: { kubernetes_config_map_v1: { files: JsonObject } };
  };
  const reference = '${kubernetes_namespace_v1.ns.metadata[0].name}';

  it('escapes the provider settings of every provider block', () => {
    expect(json.provider.kubernetes[0]).toMatchObject({
      config_path: escapeTemplateText(READ_FILE),
      config_context: escapeTemplateText(DIRECTIVE),
    });
    expect(json.provider.helm[0]).toMatchObject({
      kubernetes: { config_path: escapeTemplateText(READ_FILE), config_context: escapeTemplateText(DIRECTIVE) },
    });
  });

  it('escapes literal text around references and keeps the references whole', () => {
    const files = json.resource.kubernetes_config_map_v1.files;
    expect(files.data).toEqual({ 'open.sh': `echo $\${ unclosed ${reference} }`, 'mixed.sh': `${reference}.svc $\${HOME} %%{x}` });
    expect(files.metadata).toEqual({
      name: 'files',
      namespace: reference,
      labels: { [`k-${escapeTemplateText(READ_FILE)}`]: escapeTemplateText(DIRECTIVE) },
    });
  });

  it('leaves places the engine takes literally as they are: terraform block, variable default and description, output description, comments', () => {
    expect(json.variable).toEqual({ literal: { type: 'string', default: '${not-a-template}', description: '${also literal}' } });
    expect(json.output).toEqual({ out: { value: escapeTemplateText(HOSTILE), description: '${literal description}' } });
    expect(json.terraform).toMatchObject({ backend: { local: { path: '../../../state/probe.tfstate' } } });
    expect(JSON.stringify(json['//'])).not.toContain('$$');
  });

  it('changes nothing for any other reader: the elements resolve as cdktf made them afterwards', () => {
    expect(stack.toTerraform()).toEqual(json);
    expect(Object.getOwnPropertyNames(namespace)).not.toContain('toTerraform');
  });
});
