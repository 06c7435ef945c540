/**
 * Read-only views of the calls compartment in synthesized JSON: LiveKit's configuration files
 * (a ConfigMap file naming `rtc` and `turn` settings, YAML or JSON) and the containers of the
 * MatrixRTC authorisation service (recognised by its LIVEKIT_* environment).
 */
import { parse as parseYaml } from 'yaml';
import { podSpecs } from './pod-specs';
import { configMapFiles } from './synapse-config';
import { blocks, isObject, type JsonObject, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface LivekitConfigFile {
  readonly address: string;
  readonly config: JsonObject;
}

/** Recently parsed files: both RTC rules read the same few files of a stack, twice each. Values are shared: read-only. */
const parsed = new Map<string, JsonObject | undefined>();
const PARSED_LIMIT = 64;

function parsedMapping(text: string): JsonObject | undefined {
  if (parsed.has(text)) return parsed.get(text);
  let result: JsonObject | undefined;
  try {
    const value: unknown = parseYaml(text, { maxAliasCount: 0 });
    result = isObject(value) ? value : undefined;
  } catch {
    result = undefined;
  }
  if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value ?? '');
  parsed.set(text, result);
  return result;
}

export const livekitConfigFiles = cachedView('stack', function livekitConfigFiles(stack: SynthesizedStack): readonly LivekitConfigFile[] {
  return configMapFiles(stack).flatMap((file) => {
    if (!/\.(ya?ml|json)$/.test(file.file)) return [];
    const config = parsedMapping(file.text);
    // Any of LiveKit's own sections marks its file; one without `rtc` still is one (and then opens LiveKit's default port range).
    return config && (isObject(config.rtc) || isObject(config.turn) || typeof config.key_file === 'string')
      ? [{ address: file.address, config }]
      : [];
  });
});

export interface RtcAuthContainer {
  readonly address: string;
  /** Literal environment values by name (values from references are absent). */
  readonly env: Readonly<Record<string, string>>;
  /** Every variable the container sets, literal or taken from a reference (a Secret's key, a ConfigMap's). */
  readonly names: readonly string[];
}

/** Environment names only the authorisation service reads. */
const RTC_AUTH_MARKERS = ['LIVEKIT_FULL_ACCESS_HOMESERVERS', 'LIVEKIT_JWT_BIND', 'LIVEKIT_JWT_PORT', 'LIVEKIT_URL'];

export const rtcAuthContainers = cachedView('stack', function rtcAuthContainers(stack: SynthesizedStack): readonly RtcAuthContainer[] {
  return podSpecs(stack).flatMap((view) =>
    view.containers.flatMap((container) => {
      const variables = blocks(container.env);
      if (!variables.some((variable) => RTC_AUTH_MARKERS.includes(String(variable.name)))) return [];
      const env = Object.fromEntries(
        variables.flatMap((variable) => (typeof variable.value === 'string' ? [[String(variable.name), variable.value]] : [])),
      );
      const names = variables.map((variable) => String(variable.name));
      return [{ address: `${view.resource.address} container "${String(container.name ?? '?')}"`, env, names }];
    }),
  );
});
