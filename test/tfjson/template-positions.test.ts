/** Which strings of Terraform JSON are templates: the expression mapping and its block-type exceptions. */
import { mapTemplateStrings, templateStrings } from '../../tfjson/template-positions';

const T = '${t}';

/** A document with a marker in every place, templates and literal ones alike. */
const DOCUMENT = {
  '//': { metadata: { note: T } },
  terraform: { backend: { local: { path: T } }, required_providers: { kubernetes: { source: T, version: T } } },
  provider: { kubernetes: [{ config_path: T, alias: T, version: T, '//': T }] },
  resource: {
    kubernetes_config_map_v1: {
      cm: {
        '//': { metadata: { path: T } },
        metadata: { name: T, labels: { [`key${T}`]: T } },
        data: { [`file${T}`]: T },
        depends_on: [T],
        provider: T,
        count: T,
        lifecycle: {
          ignore_changes: [T],
          replace_triggered_by: [T],
          precondition: [{ condition: T, error_message: T }],
          prevent_destroy: true,
        },
        connection: { type: T, host: T },
        provisioner: [{ 'local-exec': { command: T, connection: { type: T, user: T } } }],
      },
    },
  },
  data: { terraform_remote_state: { x: { backend: T, config: { path: T }, depends_on: [T] } } },
  output: { o: { value: T, description: T, sensitive: true, depends_on: [T] } },
  variable: { v: { type: T, default: { nested: [T] }, description: T, validation: [{ condition: T, error_message: T }] } },
  locals: { l: T, m: { [`k${T}`]: [T] } },
  module: { m: { source: T, version: T, providers: { aws: T }, depends_on: [T], input: T } },
  moved: [{ from: T, to: T }],
  removed: [{ from: T }],
  import: [{ to: T, id: T, provider: T }],
  check: { c: { assert: [{ condition: T }] } },
};

/** Dotted paths of the template strings (keys marked with "key "). */
const TEMPLATES = [
  'provider.kubernetes.0.config_path',
  'key resource.kubernetes_config_map_v1.cm.metadata.name',
  'resource.kubernetes_config_map_v1.cm.metadata.name',
  'key resource.kubernetes_config_map_v1.cm.metadata.labels',
  'key resource.kubernetes_config_map_v1.cm.metadata.labels.key${t}',
  'resource.kubernetes_config_map_v1.cm.metadata.labels.key${t}',
  'key resource.kubernetes_config_map_v1.cm.data.file${t}',
  'resource.kubernetes_config_map_v1.cm.data.file${t}',
  'resource.kubernetes_config_map_v1.cm.count',
  'key resource.kubernetes_config_map_v1.cm.lifecycle.precondition.0.condition',
  'resource.kubernetes_config_map_v1.cm.lifecycle.precondition.0.condition',
  'key resource.kubernetes_config_map_v1.cm.lifecycle.precondition.0.error_message',
  'resource.kubernetes_config_map_v1.cm.lifecycle.precondition.0.error_message',
  'resource.kubernetes_config_map_v1.cm.connection.host',
  'resource.kubernetes_config_map_v1.cm.provisioner.0.local-exec.command',
  'resource.kubernetes_config_map_v1.cm.provisioner.0.local-exec.connection.user',
  'data.terraform_remote_state.x.backend',
  'key data.terraform_remote_state.x.config.path',
  'data.terraform_remote_state.x.config.path',
  'output.o.value',
  'key variable.v.validation.0.condition',
  'variable.v.validation.0.condition',
  'key variable.v.validation.0.error_message',
  'variable.v.validation.0.error_message',
  'locals.l',
  'key locals.m.k${t}',
  'locals.m.k${t}.0',
  'module.m.input',
  'import.0.id',
  'key check.c',
  'key check.c.assert',
  'key check.c.assert.0.condition',
  'check.c.assert.0.condition',
];

describe('templateStrings', () => {
  it('lists exactly the strings the engine reads as templates', () => {
    const found = templateStrings(DOCUMENT).map(({ path, role }) => `${role === 'key' ? 'key ' : ''}${path.join('.')}`);
    expect([...found].sort()).toEqual([...TEMPLATES].sort());
  });
});

describe('mapTemplateStrings', () => {
  const marked = mapTemplateStrings(DOCUMENT, (text) => `<${text}>`) as typeof DOCUMENT;

  it('rewrites template values and expression keys (without a schema, nested block arguments count as keys: identifiers, which escaping leaves alone)', () => {
    expect(marked.resource.kubernetes_config_map_v1.cm.metadata).toEqual({ '<name>': '<${t}>', '<labels>': { '<key${t}>': '<${t}>' } });
    expect(marked.provider.kubernetes[0]).toEqual({ config_path: '<${t}>', alias: T, version: T, '//': T });
  });

  it('keeps literal places, comments and labels as they are', () => {
    expect(marked.terraform).toEqual(DOCUMENT.terraform);
    expect(marked['//']).toEqual(DOCUMENT['//']);
    expect(marked.variable.v.default).toEqual(DOCUMENT.variable.v.default);
    expect(marked.resource.kubernetes_config_map_v1.cm.depends_on).toEqual([T]);
    expect(marked.resource.kubernetes_config_map_v1.cm.lifecycle.ignore_changes).toEqual([T]);
    expect(Object.keys(marked.resource.kubernetes_config_map_v1)).toEqual(['cm']);
  });

  it('passes anything that is not a plain JSON value through untouched', () => {
    // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- any instance of a class is not a plain JSON value
    class Token {}
    const token = new Token();
    const mapped = mapTemplateStrings({ resource: { t: { n: { value: token, list: [token] } } } }, () => 'x') as {
      resource: { t: { n: { value: unknown; list: unknown[] } } };
    };
    expect(mapped.resource.t.n.value).toBe(token);
    expect(mapped.resource.t.n.list[0]).toBe(token);
  });
});
