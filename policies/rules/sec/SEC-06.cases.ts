/** The case table of SEC-06 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { RuleCases } from '../../../test/policies/case-table';
import { address, body, child, labelsOf, R, type Mutation } from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';

/** A data file of the Synapse ConfigMap, set to a template. */
function configFile(text: string): Mutation {
  return (j) => (child(body(j, R.synapseConfig), 'data')['probe.sh'] = text);
}

const synapseConfigMap = address(R.synapseConfig);

const DECLARED_REFERENCE = '${kubernetes_namespace_v1.homeserver_namespace.metadata[0].name}';

export const cases: RuleCases = {
  bad: [
    {
      name: 'a raw interpolation in a file',
      mutate: configFile('name="${x}"'),
      address: synapseConfigMap,
      message: 'data["probe.sh"]: interpolation ${x} is not a reference to a resource',
    },
    {
      name: 'a function call reading a file at plan time',
      mutate: (j) => (labelsOf(j, R.synapseDeployment).owner = '${file("/etc/passwd")}'),
      address: address(R.synapseDeployment),
      message: 'metadata.labels.owner: interpolation ${file("/etc/passwd")} is not a reference',
    },
    {
      name: 'an environment lookup in a provider block',
      mutate: (j) => ((j.provider as JsonObject).kubernetes = [{ config_path: '${pathexpand("~/.kube/config")}' }]),
      address: 'provider.kubernetes',
      message: 'config_path: interpolation ${pathexpand("~/.kube/config")} is not a reference',
    },
    {
      name: 'a variable in an output',
      mutate: (j) => Object.assign(j, { output: { leak: { value: 'x-${var.token}' } } }),
      address: 'output.leak',
      message: 'value: interpolation ${var.token} is not a reference',
    },
    {
      name: 'a template directive',
      mutate: configFile('%{ if true }x%{ endif }'),
      address: synapseConfigMap,
      message: 'directive %{ if true }',
    },
    {
      name: 'a stripped directive',
      mutate: configFile('%{~ for x in [1] ~}y%{ endfor }'),
      address: synapseConfigMap,
      message: 'directive %{ for x in [1] }',
    },
    {
      name: 'an unterminated interpolation',
      mutate: configFile('echo ${HOME'),
      address: synapseConfigMap,
      message: 'malformed template (unterminated ${',
    },
    {
      name: 'an unterminated directive in a label key',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['a%{b'] = 'c'),
      address: address(R.synapseDeployment),
      message: 'key "a%{b" of metadata.labels: malformed template',
    },
    {
      name: 'an interpolation in a label key',
      mutate: (j) => (labelsOf(j, R.synapseDeployment)['${x}'] = 'c'),
      address: address(R.synapseDeployment),
      message: 'key "${x}" of metadata.labels: interpolation ${x}',
    },
    {
      name: 'a reference to a resource the stack does not declare',
      mutate: configFile('${kubernetes_namespace_v1.nowhere.metadata[0].name}'),
      address: synapseConfigMap,
      message: 'refers to kubernetes_namespace_v1.nowhere, which this stack does not declare',
    },
    {
      name: 'a reference to an undeclared data source',
      mutate: (j) => Object.assign(j, { locals: { x: '${data.terraform_remote_state.other.outputs.y}' } }),
      address: 'locals',
      message: 'refers to data.terraform_remote_state.other',
    },
    {
      name: 'a reference inside a hand-written expression',
      mutate: configFile(`\${upper(${DECLARED_REFERENCE.slice(2, -1)})}`),
      address: synapseConfigMap,
      message: 'is not a reference to a resource',
    },
  ],
  good: [
    { name: 'an escaped interpolation', mutate: configFile('name="$${file#policy.}"; $${x}') },
    { name: 'an escaped directive', mutate: configFile('%%{ if }') },
    { name: 'a lone $ and %', mutate: configFile('cost: 5$ or 10% {of it}') },
    { name: "an author's escape of an escape", mutate: configFile('$$${x}') },
    { name: 'a reference to a declared resource', mutate: configFile(DECLARED_REFERENCE) },
    { name: 'a declared reference inside literal text', mutate: configFile(`host=${DECLARED_REFERENCE}.svc`) },
    { name: 'Go template braces', mutate: configFile('{{ .password }}') },
    {
      name: 'template syntax in the terraform block (not a template)',
      mutate: (j) => Object.assign(j, { terraform: { ...(j.terraform ?? {}), backend: { local: { path: 'state/${x}.tfstate' } } } }),
    },
    { name: 'template syntax in a comment', mutate: (j) => (body(j, R.synapseConfig)['//'] = { note: '${x}' }) },
    {
      name: 'template syntax in a variable default',
      mutate: (j) => Object.assign(j, { variable: { v: { type: 'string', default: '${x}', description: '%{ if }' } } }),
    },
    {
      name: 'depends_on a declared resource',
      mutate: (j) => (body(j, R.synapseConfig).depends_on = ['kubernetes_namespace_v1.homeserver_namespace']),
    },
  ],
};
