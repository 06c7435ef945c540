/**
 * Read-only view of the Keycloak realms a stack carries and of the containers that run a
 * Keycloak server. A realm is a ConfigMap data file (typed `kubernetes_config_map(_v1)` or a
 * ConfigMap `kubernetes_manifest`) holding Keycloak's import format: a JSON object with a string
 * `realm` (a RealmRepresentation), or a list of them. Files are read as the engine hands them to
 * the pod: the template escapes (`$${`) read back to their literal text.
 */
import { ParseError, parseJson } from '../config/bounded-parse';
import { invocations } from './invocations';
import { manifests } from './manifests';
import { podSpecs, type PodSpecView } from './pod-specs';
import { CONFIG_MAP_TYPES } from './resource-types';
import { isObject, namespaceOf, resources, stringMap, type JsonObject, type SynthesizedStack } from './terraform-json';
import { templateLiteral } from './terraform-template';
import { cachedView } from './view-cache';

export interface RealmFile {
  /** `<resource address> data "<file>"` (with `[index]` for a file holding a list of realms). */
  readonly address: string;
  readonly file: string;
  /** The ConfigMap's namespace (a reference to a namespace of the stack resolved to its name). */
  readonly namespace: string | undefined;
  /** The realm's name (its `realm`). */
  readonly name: string;
  readonly realm: JsonObject;
}

interface ConfigMapData {
  readonly address: string;
  readonly namespace: string | undefined;
  readonly data: Record<string, string>;
}

function literal(text: string): string {
  return templateLiteral(text) ?? text;
}

function configMaps(stack: SynthesizedStack): ConfigMapData[] {
  const decode = (data: unknown) =>
    Object.fromEntries(Object.entries(stringMap(data)).map(([file, text]) => [literal(file), literal(text)]));
  return [
    ...resources(stack, ...CONFIG_MAP_TYPES).map((configMap) => ({
      address: configMap.address,
      namespace: namespaceOf(configMap, stack),
      data: decode(configMap.body.data),
    })),
    ...manifests(stack)
      .filter((view) => view.group === '' && view.kind === 'ConfigMap')
      .map((view) => ({ address: view.resource.address, namespace: view.namespace, data: decode(view.object.data) })),
  ];
}

const isRealm = (value: unknown): value is JsonObject => isObject(value) && typeof value.realm === 'string';

/** The realms of a file's text: one object, a list of them, or none (not JSON, or JSON of something else). */
export function realmsOfText(text: string): JsonObject[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return [];
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof ParseError) return [];
    throw error;
  }
  if (isRealm(value)) return [value];
  return Array.isArray(value) ? value.filter(isRealm) : [];
}

/** Every Keycloak realm in the stack's ConfigMaps. */
export const keycloakRealms = cachedView('stack', function keycloakRealms(stack: SynthesizedStack): readonly RealmFile[] {
  return configMaps(stack).flatMap(({ address, namespace, data }) =>
    Object.entries(data).flatMap(([file, text]) => {
      const found = realmsOfText(text);
      return found.map((realm, index) => ({
        address: `${address} data "${file}"${found.length > 1 || text.trimStart().startsWith('[') ? `[${index}]` : ''}`,
        file,
        namespace,
        name: String(realm.realm),
        realm,
      }));
    }),
  );
});

/**
 * Whether a container runs a Keycloak server: `kc.sh start` or `start-dev` (directly or in a
 * shell script; `kc.sh build` alone is not a server), or the Keycloak image's own entrypoint
 * (which is kc.sh) with no command.
 */
export function runsKeycloakServer(container: JsonObject): boolean {
  const hasCommand = Array.isArray(container.command) && container.command.length > 0;
  if (!hasCommand && typeof container.image === 'string' && /\/keycloak(:|@|$)/.test(container.image)) return true;
  return invocations(container).some(
    (invocation) => /^kc\.(sh|bat)$/.test(invocation.program) && invocation.args.some((word) => word === 'start' || word === 'start-dev'),
  );
}

/** The containers of the stack's workloads that run a Keycloak server. */
export const keycloakContainers = cachedView('stack', function keycloakContainers(stack: SynthesizedStack): readonly {
  readonly view: PodSpecView;
  readonly container: JsonObject;
}[] {
  return podSpecs(stack).flatMap((view) =>
    view.containers.filter((container) => runsKeycloakServer(container)).map((container) => ({ view, container })),
  );
});

/** A realm's list of objects at `key` (clients, authenticationFlows, requiredActions, ...); anything else is left out. */
export function objectsAt(realm: JsonObject, key: string): JsonObject[] {
  const value = realm[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
}
