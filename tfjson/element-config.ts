/**
 * Read-only view of the web client's config.json files carried in ConfigMaps: a `config.json`
 * whose JSON names a default homeserver in any of the ways Element Web reads one.
 */
import { LABEL_HOMESERVER } from '../model/compartments';
import { CONFIG_MAP_TYPES } from './resource-types';
import { configMapFiles } from './synapse-config';
import { block, isObject, resources, type JsonObject, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface ElementConfigFile {
  readonly address: string;
  readonly config: JsonObject;
  /** The homeserver the ConfigMap is labelled for, if any. */
  readonly homeserver?: string;
}

const SERVER_KEYS = ['default_server_config', 'default_server_name', 'default_hs_url'];

function parsedObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const elementConfigFiles = cachedView('stack', function elementConfigFiles(stack: SynthesizedStack): readonly ElementConfigFile[] {
  const homeserverOf = new Map(
    resources(stack, ...CONFIG_MAP_TYPES).map((configMap) => {
      const labels = block(block(configMap.body.metadata)?.labels);
      const value = labels?.[LABEL_HOMESERVER];
      return [configMap.address, typeof value === 'string' ? value : undefined] as const;
    }),
  );
  return configMapFiles(stack).flatMap((file) => {
    if (file.file !== 'config.json') return [];
    const config = parsedObject(file.text);
    if (!config || !SERVER_KEYS.some((key) => key in config)) return [];
    const homeserver = homeserverOf.get(file.address.replace(/ data ".*"$/, ''));
    return [{ address: file.address, config, ...(homeserver ? { homeserver } : {}) }];
  });
});
