/**
 * Reads a deployment config (YAML), validates it completely and resolves it.
 * Every problem is collected and reported with its field path before anything is synthesized.
 * The entry point is model/load-config.ts, which adds the checks over derived names.
 */
import * as path from 'node:path';
import type { ZodIssue } from 'zod';
import { POSTGRES_BOUNDS } from './backup-schema';
import { ParseError, parseYaml } from './bounded-parse';
import { crossCheck, IMAGE_KEYS, type ConfigIssue, type ImageKey } from './cross-checks';
import type { DeploymentConfig, HomeserverSettings } from './deployment-config';
import { parseSize } from './durations';
import { effectiveImage, parseImageReference, registryOf } from './image-reference';
import { INPUT_LIMITS, InputFileError, readRegularFileBytes } from './input-files';
import { printable } from './printable';
import { projectRoot } from './project-root';
import { deploymentConfigSchema, type DeploymentConfigInput } from './schema';
import { resolveWorkers } from './workers-schema';

export const DEFAULT_CONFIG_PATH = path.join(projectRoot(), 'config', 'default.yaml');

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `invalid deployment config ${printable(source)}:\n${issues.map((issue) => `  - ${printable(issue.path || '(root)')}: ${printable(issue.message, 1000)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment),
    '',
  );
}

function zodIssueToConfigIssue(issue: ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: 'unknown key (not part of the schema; check the spelling)',
    }));
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return [{ path: formatPath(issue.path), message: 'is required' }];
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function resolve(input: DeploymentConfigInput): DeploymentConfig {
  const effective = {} as Record<ImageKey, string>;
  for (const key of IMAGE_KEYS) {
    const reference = parseImageReference(input.images[key]);
    if (typeof reference === 'string') throw new Error(`unreachable: images.${key} passed validation`);
    effective[key] = effectiveImage(reference, input.images.mirrorPrefix);
  }
  const homeservers: HomeserverSettings[] = input.homeservers.map((homeserver) => {
    const { federation } = homeserver;
    const peers = federation.enabled
      ? (federation.peers ?? input.homeservers.filter((other) => other !== homeserver).map((other) => other.serverName))
      : [];
    return {
      name: homeserver.name,
      serverName: homeserver.serverName,
      allowedEmailDomains: homeserver.allowedEmailDomains,
      federation: {
        enabled: federation.enabled,
        peers,
        egressCidrs: federation.enabled ? (federation.egressCidrs ?? ['0.0.0.0/0', '::/0']) : [],
      },
      gateway: homeserver.gateway,
      directory: homeserver.directory,
      media: homeserver.media,
      synapse: homeserver.synapse,
      identity: homeserver.identity,
      postgres: {
        instances: homeserver.postgres.instances ?? POSTGRES_BOUNDS.defaultInstances[input.deployment.profile],
        storageGi: homeserver.postgres.storageGi,
        archive: homeserver.postgres.archive,
        ...(homeserver.postgres.recovery ? { recovery: homeserver.postgres.recovery } : {}),
      },
      workers: resolveWorkers(homeserver.workers, input.deployment.profile, federation.enabled),
      ...(homeserver.client ? { client: homeserver.client } : {}),
      ...(homeserver.calls ? { calls: homeserver.calls } : {}),
    };
  });
  const { kubernetes, state, monitoring } = input;
  return {
    deploymentName: input.deployment.name,
    profile: input.deployment.profile,
    kubernetes: {
      ...(kubernetes.configPath ? { configPath: kubernetes.configPath } : {}),
      ...(kubernetes.context ? { context: kubernetes.context } : {}),
      podSecurityVersion: kubernetes.podSecurityVersion,
      podCidrs: kubernetes.podCidrs,
      serviceCidrs: kubernetes.serviceCidrs,
      nodeCidrs: kubernetes.nodeCidrs,
      metadataCidrs: kubernetes.metadataCidrs,
      dns: kubernetes.dns,
      apiServer: kubernetes.apiServer,
    },
    state:
      state.backend === 'local'
        ? { backend: 'local', directory: state.local.directory }
        : { backend: 'pg', schemaPrefix: state.pg.schemaPrefix },
    images: {
      allowedRegistries: input.images.allowedRegistries,
      ...(input.images.mirrorPrefix ? { mirrorPrefix: input.images.mirrorPrefix } : {}),
      pullRegistries: input.images.mirrorPrefix ? [registryOf(input.images.mirrorPrefix)] : input.images.allowedRegistries,
      effective,
    },
    storage: input.storage,
    platform: input.platform,
    monitoring: {
      namespace: monitoring.namespace,
      prometheusPodLabels: monitoring.prometheusPodLabels,
      resourceLabels: monitoring.resourceLabels,
      alerts: {
        mediaEgressBytesPerHour: parseSize(monitoring.alerts.mediaEgressPerHour) ?? 0,
        userDirectorySearchesPerMinute: monitoring.alerts.userDirectorySearchesPerMinute,
        profileLookupsPerMinute: monitoring.alerts.profileLookupsPerMinute,
        rejectedLoginsPerMinute: monitoring.alerts.rejectedLoginsPerMinute,
      },
    },
    homeservers,
    backup: input.backup,
  };
}

/**
 * Numbers in the range CDK for Terraform uses to encode its number tokens: in a config they
 * would be resolved (or fail) inside cdktf instead of being written as given. (Its string and
 * list token markers are refused with every other template syntax by the schema.)
 */
const LARGEST_PLAIN_NUMBER = 1e21;

/** Every number of the parsed YAML that cdktf would take for one of its tokens, by field path. */
function tokenIssues(value: unknown, segments: (string | number)[] = [], issues: ConfigIssue[] = []): ConfigIssue[] {
  if (typeof value === 'number' && Math.abs(value) >= LARGEST_PLAIN_NUMBER)
    issues.push({ path: formatPath(segments), message: `is too large a number (at most ${LARGEST_PLAIN_NUMBER})` });
  if (Array.isArray(value)) value.forEach((item, index) => tokenIssues(item, [...segments, index], issues));
  else if (typeof value === 'object' && value !== null)
    for (const [key, child] of Object.entries(value)) tokenIssues(child, [...segments, key], issues);
  return issues;
}

/**
 * One problem per field: the first one found (the walk over every string, then the field's own
 * grammar) says what is wrong; a second (e.g. "Expected object" after a refused character) would
 * only repeat it in the schema's words.
 */
function firstPerField(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => !seen.has(issue.path) && seen.add(issue.path));
}

/**
 * Checks of the parsed config that config/ cannot make on its own (they need the names the
 * model derives from it). model/load-config.ts supplies them; every caller loads through it.
 */
export type ConfigCheck = (input: DeploymentConfigInput) => readonly ConfigIssue[];

/** Validates a config given as YAML text, with `modelChecks` in the same pass; throws ConfigError listing every problem. */
export function validateDeploymentConfig(yamlText: string, source: string, modelChecks: ConfigCheck): DeploymentConfig {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText, { uniqueKeys: true });
  } catch (error) {
    if (error instanceof ParseError) throw new ConfigError(source, [{ path: '(yaml)', message: error.message }]);
    throw error;
  }
  return validateConfigValue(raw, source, modelChecks);
}

/** Validates the value a config's YAML parsed to (the second half of validateDeploymentConfig); throws ConfigError listing every problem. */
export function validateConfigValue(raw: unknown, source: string, modelChecks: ConfigCheck): DeploymentConfig {
  const tokens = tokenIssues(raw);
  if (tokens.length > 0) throw new ConfigError(source, tokens);
  const parsed = deploymentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, firstPerField(parsed.error.issues.flatMap(zodIssueToConfigIssue)));
  const issues = [...crossCheck(parsed.data), ...modelChecks(parsed.data)];
  if (issues.length > 0) throw new ConfigError(source, issues);
  return resolve(parsed.data);
}

/** A validated config and the sha256 of the bytes it was read from (recorded with the output it produces). */
export interface LoadedConfig {
  readonly config: DeploymentConfig;
  readonly sha256: string;
}

/** The bytes of a config file (a regular file of at most INPUT_LIMITS.configBytes); an unreadable one is a ConfigError. */
export function readConfigFile(configPath: string): Buffer {
  try {
    return readRegularFileBytes(configPath, INPUT_LIMITS.configBytes, 'config');
  } catch (error) {
    if (error instanceof InputFileError) throw new ConfigError(configPath, [{ path: '(file)', message: error.problem }]);
    throw error;
  }
}
