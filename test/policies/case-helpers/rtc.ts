/** Addresses and mutation helpers of the calls compartment, shared by the case tables (RTC, NET, LOG). */
import { LIVEKIT_WORKLOAD, RTC_AUTH_WORKLOAD } from '../../../model/calls';
import { isObject, type JsonObject, type JsonValue, type TerraformJson } from '../../../tfjson/terraform-json';
import { escapeTemplateText, templateLiteral } from '../../../tfjson/terraform-template';
import { callsWorkloads } from '../../../workloads/calls-workloads';
import {
  add,
  address,
  body,
  child,
  containerAddress,
  containerOf,
  metadataBlock,
  R,
  SITE_CONFIG,
  SITE_HOMESERVER,
  specOf,
  type Mutation,
  type ResourceRef,
} from '../fixtures';

export const livekitFile = `${address(R.livekitConfig)} data "livekit.yaml"`;
export const rtcAuthContainer = containerAddress(R.rtcAuthDeployment, RTC_AUTH_WORKLOAD);
export const mediaService = address(R.livekitMediaService);

/** Edits LiveKit's configuration as a mapping, written back as JSON as the renderer writes it. */
export function editLivekit(edit: (config: JsonObject) => void): Mutation {
  return (j) => {
    const data = child(body(j, R.livekitConfig), 'data');
    const text = String(data['livekit.yaml']);
    const config: unknown = JSON.parse(templateLiteral(text) ?? text);
    if (!isObject(config)) throw new Error('livekit.yaml is not a mapping');
    edit(config);
    data['livekit.yaml'] = escapeTemplateText(`${JSON.stringify(config, null, 2)}\n`);
  };
}

/** A nested mapping of LiveKit's configuration (created when absent). */
export function section(config: JsonObject, key: string): JsonObject {
  const found = config[key];
  if (isObject(found)) return found;
  const created: JsonObject = {};
  config[key] = created;
  return created;
}

/** The authorisation service's environment list as stored, so that edits change the fixture. */
function environment(j: TerraformJson): JsonObject[] {
  const container = containerOf(j, R.rtcAuthDeployment);
  const env = Array.isArray(container.env) ? container.env.filter(isObject) : [];
  container.env = env;
  return env;
}

/** Sets (or, with undefined, removes) a literal variable of the authorisation service. */
export function setRtcAuthEnv(name: string, value: string | undefined): Mutation {
  return (j) => {
    const env = environment(j);
    const index = env.findIndex((variable) => variable.name === name);
    if (index >= 0) env.splice(index, 1);
    if (value !== undefined) env.push({ name, value });
  };
}

/** Adds a variable of the authorisation service taken from a Secret's key (no literal value in the JSON). */
export function setRtcAuthEnvFromSecret(name: string, secret: string, key: string): Mutation {
  return (j) => {
    environment(j).push({ name, value_from: [{ secret_key_ref: [{ key, name: secret, optional: false }] }] });
  };
}

/** Adds a port to the media LoadBalancer. */
export function publishMediaPort(port: JsonObject): Mutation {
  return (j) => {
    const spec = specOf(j, R.livekitMediaService);
    spec.port = [...(Array.isArray(spec.port) ? spec.port : []), port];
  };
}

/** Sets (or, with undefined, removes) annotations of a policy. */
export function annotatePolicy(policy: ResourceRef, annotations: Record<string, string | undefined>): Mutation {
  return (j) => {
    const metadata = metadataBlock(j, policy);
    const current = (isObject(metadata.annotations) ? metadata.annotations : {}) as Record<string, JsonValue>;
    for (const [key, value] of Object.entries(annotations)) {
      if (value === undefined) delete current[key];
      else current[key] = value;
    }
    metadata.annotations = current;
  };
}

/** The haproxy.cfg of a calls workload's TLS front, as the workload renders it. */
export function tlsFrontConfigText(workload: typeof LIVEKIT_WORKLOAD | typeof RTC_AUTH_WORKLOAD): string {
  const text = callsWorkloads(SITE_CONFIG, SITE_HOMESERVER).find((candidate) => candidate.name === workload)?.tlsFront?.configFile;
  if (text === undefined) throw new Error(`no TLS front for ${workload}`);
  return text;
}

/** The ConfigMap resource of a calls workload's TLS front. */
export function tlsFrontConfigMap(workload: typeof LIVEKIT_WORKLOAD | typeof RTC_AUTH_WORKLOAD): ResourceRef {
  return { type: 'kubernetes_config_map_v1', name: `${workload}_config-tls-front` };
}

/** Adds a calls workload's TLS front ConfigMap (its haproxy.cfg through `edit`), in the calls namespace. */
export function addTlsFront(
  workload: typeof LIVEKIT_WORKLOAD | typeof RTC_AUTH_WORKLOAD,
  edit: (text: string) => string = (text) => text,
): Mutation {
  return (j) => {
    const metadata = JSON.parse(JSON.stringify(metadataBlock(j, R.livekitConfig))) as JsonObject;
    metadata.name = `${workload}-tls-front`;
    const labels = child(metadata, 'labels');
    labels['app.kubernetes.io/name'] = workload;
    labels['matrix.sovereign/workload'] = workload;
    add(j, tlsFrontConfigMap(workload), { data: { 'haproxy.cfg': escapeTemplateText(edit(tlsFrontConfigText(workload))) }, metadata });
  };
}
