/** Addresses and mutation helpers shared by the case tables. */
import { SINGLETON_ANNOTATION } from '../../../model/availability';
import { blocks, isObject, type JsonObject, type JsonValue, type TerraformJson } from '../../../tfjson/terraform-json';
import { escapeTemplateText, templateLiteral } from '../../../tfjson/terraform-template';
import {
  add,
  address,
  body,
  child,
  claimVolume,
  containerAddress,
  copy,
  disruptionBudget,
  editConfigFile,
  emptyDirVolume,
  EXTERNAL_SECRETS_IMAGE,
  labelsOf,
  metadataBlock,
  R,
  type Mutation,
  type ResourceRef,
} from '../fixtures';

export const hsNamespace = address(R.homeserverNamespace);
export const synapse = address(R.synapseDeployment);
export const postgres = address(R.postgresStatefulSet);
export const synapseContainer = containerAddress(R.synapseDeployment, 'synapse');
export const postgresContainer = containerAddress(R.postgresStatefulSet, 'postgres');

export function setLabel(json: TerraformJson, resource: ResourceRef, key: string, value: string | undefined): void {
  const labels = labelsOf(json, resource);
  if (value === undefined) delete labels[key];
  else labels[key] = value;
}

/** A second Synapse-like deployment named `name` in `namespace` mounting `claim`, with its own pods and disruption budget. */
export function addClaimUser(json: TerraformJson, name: string, namespace: ResourceRef, claim: string): ResourceRef {
  const clone = copy(body(json, R.synapseDeployment));
  child(clone, 'metadata').name = name;
  child(clone, 'metadata').namespace = `\${${address(namespace)}.metadata[0].name}`;
  for (const labels of [
    child(clone, 'metadata', 'labels'),
    child(clone, 'spec', 'selector', 'match_labels'),
    child(clone, 'spec', 'template', 'metadata', 'labels'),
  ])
    labels['matrix.sovereign/workload'] = name;
  const compartment = String(child(clone, 'metadata', 'labels')['matrix.sovereign/compartment']);
  add(
    json,
    { type: 'kubernetes_pod_disruption_budget_v1', name: `${name}_disruption-budget` },
    disruptionBudget(namespace, compartment, name),
  );
  child(clone, 'spec', 'template', 'spec').volume = [emptyDirVolume('tmp', '512Mi'), claimVolume('media', claim)];
  // A claim user only: no metrics port (LOG-02 would rightly want a PodMonitor for it).
  for (const container of blocks(child(clone, 'spec', 'template', 'spec').container))
    container.port = blocks(container.port).filter((port) => port.name !== 'metrics');
  return add(json, { type: 'kubernetes_deployment_v1', name: `${name}_workload` }, clone);
}

export const esoRelease = address(R.externalSecretsRelease);
export const synapseConfigFile = `${address(R.synapseConfig)} data "homeserver.yaml"`;

/** The nested mapping at `keys`, created when absent. */
export function nested(config: JsonObject, ...keys: string[]): JsonObject {
  let current = config;
  for (const key of keys) {
    const next = current[key];
    current = isObject(next) ? next : (current[key] = {});
  }
  return current;
}
/** The `image` mapping at `path` of chart values. */
export function esoImage(values: JsonObject, ...path: string[]): JsonObject {
  return nested(values, ...path, 'image');
}
export const ESO_DIGEST = EXTERNAL_SECRETS_IMAGE.tag.split('@')[1] ?? '';
/** A secret placeholder value: a reference, so that only the rule under test (not the literal scan) has something to say. */
export const REFERENCE = '${var.not_a_literal}';

// ---------------------------------------------------------------- rendered configuration files

export const workerConfigFile = `${address(R.synapseConfig)} data "worker.yaml"`;
export const haproxyFile = `${address(R.haproxyConfig)} data "haproxy.cfg"`;
/** Where NET-08 reports findings on the public frontend. */
export const publicFrontend = `${haproxyFile} frontend public`;

/** Edits a Synapse file of the fixture's ConfigMap (homeserver.yaml by default) as a mapping. */
export function editSynapse(edit: (config: JsonObject) => void, file = 'homeserver.yaml'): Mutation {
  return (j) => editConfigFile(j, R.synapseConfig, file, edit);
}

/** Sets a dotted setting of a Synapse file (undefined deletes it). */
export function setSynapse(path: string, value: JsonValue | undefined, file = 'homeserver.yaml'): Mutation {
  return editSynapse((config) => {
    const keys = path.split('.');
    const last = keys.pop() ?? '';
    const parent = nested(config, ...keys);
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }, file);
}

/** Rewrites the raw text of a Synapse file (for YAML 1.1 spellings such as a bare `on`). */
export function editSynapseText(edit: (text: string) => string, file = 'homeserver.yaml'): Mutation {
  return (j) => {
    const data = child(body(j, R.synapseConfig), 'data');
    data[file] = edit(String(data[file] ?? ''));
  };
}

/** Rewrites the rendered haproxy.cfg line by line. */
export function editHaproxy(edit: (lines: string[]) => string[]): Mutation {
  return (j) => {
    const data = child(body(j, R.haproxyConfig), 'data');
    // Read and written as the engine sees the file: a template of literal text.
    const text = String(data['haproxy.cfg'] ?? '');
    data['haproxy.cfg'] = escapeTemplateText(edit((templateLiteral(text) ?? text).split('\n')).join('\n'));
  };
}

/** States why a workload runs one pod (POD-10 accepts a single replica of a stateless workload then). */
export function markSingleton(json: TerraformJson, workload: ResourceRef, reason = 'one instance by design'): void {
  const metadata = metadataBlock(json, workload);
  metadata.annotations = { ...(isObject(metadata.annotations) ? metadata.annotations : {}), [SINGLETON_ANNOTATION]: reason };
}
