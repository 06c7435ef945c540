/** References a stack makes to what it does not declare (tfjson/references.ts): good and bad inputs side by side. */
import { undeclaredReferences } from '../../tfjson/references';
import type { JsonValue, TerraformJson } from '../../tfjson/terraform-json';

const declared: TerraformJson = {
  resource: {
    kubernetes_namespace_v1: { homeserver: { metadata: { name: 'agency-homeserver' } } },
    kubernetes_service_account_v1: { synapse: { metadata: { namespace: '${kubernetes_namespace_v1.homeserver.metadata[0].name}' } } },
  },
  data: { kubernetes_secret_v1: { tls: { metadata: { name: 'tls' } } } },
};

const withValue = (value: JsonValue): TerraformJson => ({
  ...declared,
  resource: { ...declared.resource, kubernetes_config_map_v1: { probe: { data: { value } } } },
});

const table: readonly { readonly name: string; readonly value: JsonValue; readonly undeclared: readonly string[] }[] = [
  { name: 'a declared resource', value: '${kubernetes_service_account_v1.synapse.metadata[0].name}', undeclared: [] },
  { name: 'a declared data source', value: '${data.kubernetes_secret_v1.tls.data}', undeclared: [] },
  { name: 'literal text that looks like a reference', value: 'kubernetes_namespace_v1.elsewhere.metadata', undeclared: [] },
  { name: 'an escaped interpolation (literal text)', value: '$${kubernetes_namespace_v1.elsewhere.metadata[0].name}', undeclared: [] },
  {
    name: 'a resource of another stack',
    value: '${kubernetes_namespace_v1.elsewhere.metadata[0].name}',
    undeclared: ['kubernetes_namespace_v1.elsewhere'],
  },
  { name: 'a helm release not declared', value: 'x ${helm_release.openbao.status} y', undeclared: ['helm_release.openbao'] },
  { name: 'a data source not declared', value: '${data.kubernetes_secret_v1.other.data}', undeclared: ['data.kubernetes_secret_v1.other'] },
  {
    name: 'a reference inside a function call, in a list',
    value: ['${jsonencode(kubernetes_role_v1.reader.rule)}'],
    undeclared: ['kubernetes_role_v1.reader'],
  },
  {
    name: 'a type declared under another name',
    value: '${kubernetes_namespace_v1.homeserverx.id}',
    undeclared: ['kubernetes_namespace_v1.homeserverx'],
  },
];

describe('undeclaredReferences', () => {
  it.each(table)('$name', ({ value, undeclared }) => {
    expect(undeclaredReferences(withValue(value))).toEqual(undeclared);
  });

  it('names each missing address once', () => {
    expect(undeclaredReferences(withValue(['${helm_release.a.id}', '${helm_release.a.status}']))).toEqual(['helm_release.a']);
  });
});
