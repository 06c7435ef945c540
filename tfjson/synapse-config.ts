/**
 * Read-only view of the Synapse configuration files a stack carries: every ConfigMap data file
 * (typed `kubernetes_config_map(_v1)` or a ConfigMap `kubernetes_manifest`) that is a YAML
 * mapping with `server_name` (a full config, e.g. `homeserver.yaml`) or with `worker_app` and no
 * `server_name` (a worker file, loaded by Synapse on top of the shared config). YAML is read as
 * Synapse reads it: YAML 1.1 (PyYAML), where `off`/`no` are booleans and a repeated key keeps its
 * last value.
 */
import { ParseError, parseYaml } from '../config/bounded-parse';
import { argv } from './invocations';
import { manifests } from './manifests';
import { podSpecs, type PodSpecView } from './pod-specs';
import { CONFIG_MAP_TYPES } from './resource-types';
import { isObject, resources, stringMap, type JsonObject, type SynthesizedStack } from './terraform-json';
import { templateLiteral } from './terraform-template';
import { cachedView } from './view-cache';

/** The module names of the LDAP auth provider (matrix-synapse-ldap3): the module API and the legacy password provider. */
export const LDAP_MODULE_NAMES = ['ldap_auth_provider.LdapAuthProviderModule', 'ldap_auth_provider.LdapAuthProvider'] as const;

export interface ConfigMapFile {
  /** `<resource address> data "<file>"`. */
  readonly address: string;
  readonly file: string;
  readonly text: string;
  /** Every data file of the same ConfigMap, by name. */
  readonly siblings: Readonly<Record<string, string>>;
}

export interface SynapseConfigFile {
  readonly address: string;
  readonly file: string;
  /** `main`: has server_name (a complete config); `worker`: worker_app without server_name. */
  readonly kind: 'main' | 'worker';
  /** The file's own content. */
  readonly own: JsonObject;
  /**
   * What the process reads: for a worker file, the main config of the same ConfigMap (if there
   * is exactly one) with the worker's top-level keys over it, as Synapse merges its
   * `--config-path` files; for a main config, its own content.
   */
  readonly effective: JsonObject;
}

/** A ConfigMap's files as the engine hands them over: names and contents are templates, read back to their literal text. */
function literalFiles(data: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stringMap(data)).map(([file, text]) => [templateLiteral(file) ?? file, templateLiteral(text) ?? text]),
  );
}

/** Every data file of every ConfigMap of the stack. */
export const configMapFiles = cachedView('stack', function configMapFiles(stack: SynthesizedStack): readonly ConfigMapFile[] {
  const maps: { address: string; data: Record<string, string> }[] = [
    ...resources(stack, ...CONFIG_MAP_TYPES).map((configMap) => ({ address: configMap.address, data: literalFiles(configMap.body.data) })),
    ...manifests(stack)
      .filter((view) => view.group === '' && view.kind === 'ConfigMap')
      .map((view) => ({ address: view.resource.address, data: literalFiles(view.object.data) })),
  ];
  return maps.flatMap(({ address, data }) =>
    Object.entries(data).map(([file, text]) => ({ address: `${address} data "${file}"`, file, text, siblings: data })),
  );
});

/** Recently parsed files: every APP rule reads the same few files of a stack. Values are shared: read-only. */
const parsed = new Map<string, JsonObject | undefined>();
const PARSED_LIMIT = 64;

/** A YAML mapping read with PyYAML's semantics (YAML 1.1, duplicate keys allowed, last wins); undefined when it is not one. */
export function parseSynapseYaml(text: string): JsonObject | undefined {
  if (parsed.has(text)) return parsed.get(text);
  let value: unknown;
  try {
    value = parseYaml(text, { version: '1.1', uniqueKeys: false }, { maxAliases: 1000 });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
  }
  const result = isObject(value) ? value : undefined;
  if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value ?? '');
  parsed.set(text, result);
  return result;
}

function kindOf(config: JsonObject): 'main' | 'worker' | undefined {
  if ('server_name' in config) return 'main';
  return 'worker_app' in config ? 'worker' : undefined;
}

/** Every Synapse configuration file in the stack's ConfigMaps. */
export const synapseConfigFiles = cachedView('stack', function synapseConfigFiles(stack: SynthesizedStack): readonly SynapseConfigFile[] {
  return configMapFiles(stack).flatMap((entry): SynapseConfigFile[] => {
    const own = parseSynapseYaml(entry.text);
    const kind = own ? kindOf(own) : undefined;
    if (!own || !kind) return [];
    if (kind === 'main') return [{ address: entry.address, file: entry.file, kind, own, effective: own }];
    const mains = Object.entries(entry.siblings)
      .filter(([file]) => file !== entry.file)
      .map(([, text]) => parseSynapseYaml(text))
      .filter((config): config is JsonObject => config !== undefined && kindOf(config) === 'main');
    const base = mains.length === 1 ? (mains[0] ?? {}) : {};
    return [{ address: entry.address, file: entry.file, kind, own, effective: { ...base, ...own } }];
  });
});

export interface LdapModule {
  /** Where it is configured, e.g. `modules[0]` or `password_providers[1]`. */
  readonly path: string;
  readonly module: string;
  readonly config: JsonObject;
}

/** The LDAP auth provider entries of a Synapse config (module API and legacy password_providers). */
export function ldapModules(config: JsonObject): LdapModule[] {
  return (['modules', 'password_providers'] as const).flatMap((key) => {
    const list = config[key];
    if (!Array.isArray(list)) return [];
    return list.flatMap((entry, index): LdapModule[] => {
      if (!isObject(entry) || typeof entry.module !== 'string' || !(LDAP_MODULE_NAMES as readonly string[]).includes(entry.module))
        return [];
      return [{ path: `${key}[${index}]`, module: entry.module, config: isObject(entry.config) ? entry.config : {} }];
    });
  });
}

/**
 * How a container starts Synapse: a `synapse.app.*` module in its argv, or the Synapse image's
 * own entrypoint (no command); undefined when it runs something else.
 */
export function synapseStart(container: JsonObject): 'module' | 'image-entrypoint' | undefined {
  const hasCommand = Array.isArray(container.command) && container.command.length > 0;
  if (!hasCommand && typeof container.image === 'string' && /\/synapse(:|@|$)/.test(container.image)) return 'image-entrypoint';
  return argv(container).some((word) => word.includes('synapse.app.')) ? 'module' : undefined;
}

/** The containers of the stack's workloads that run Synapse. */
export const synapseContainers = cachedView('stack', function synapseContainers(stack: SynthesizedStack): readonly {
  readonly view: PodSpecView;
  readonly container: JsonObject;
}[] {
  return podSpecs(stack).flatMap((view) =>
    view.containers.filter((container) => synapseStart(container) !== undefined).map((container) => ({ view, container })),
  );
});

/** A value as a message shows it: `(absent)` or its JSON. */
export function shown(value: unknown): string {
  if (value === undefined) return '(absent)';
  // JSON has no infinity (YAML's .inf); show it as it is.
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}
