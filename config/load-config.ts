/**
 * Reads a deployment config (YAML), validates it completely and resolves it.
 * Every problem is collected and reported with its field path before anything is synthesized.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodIssue } from 'zod';
import { crossCheck, IMAGE_KEYS, type ConfigIssue, type ImageKey } from './cross-checks';
import type { DeploymentConfig, HomeserverSettings } from './deployment-config';
import { projectRoot } from './project-root';
import { parseSize } from './durations';
import { effectiveImage, parseImageReference, registryOf } from './image-reference';
import { deploymentConfigSchema, type DeploymentConfigInput } from './schema';

export const DEFAULT_CONFIG_PATH = path.join(projectRoot(), 'config', 'default.yaml');

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid deployment config ${source}:\n${issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');
}

function zodIssueToConfigIssue(issue: ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key (not part of the schema; check the spelling)' }));
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
    };
  });
  const { kubernetes, state, monitoring } = input;
  return {
    deploymentName: input.deployment.name,
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
    state: state.backend === 'local' ? { backend: 'local', directory: state.local.directory } : { backend: 'pg', schemaPrefix: state.pg.schemaPrefix },
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
  };
}

/** Validates a config given as YAML text; throws ConfigError listing every problem. */
export function parseDeploymentConfig(yamlText: string, source = '<inline>'): DeploymentConfig {
  const document = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(source, document.errors.map((error) => ({ path: '(yaml)', message: error.message.split('\n')[0] ?? error.message })));
  }
  const raw: unknown = document.toJS();
  const parsed = deploymentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, parsed.error.issues.flatMap(zodIssueToConfigIssue));
  const issues = crossCheck(parsed.data);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return resolve(parsed.data);
}

export function loadDeploymentConfig(configPath: string = DEFAULT_CONFIG_PATH): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ConfigError(configPath, [{ path: '(file)', message: `cannot read: ${(error as Error).message}` }]);
  }
  return parseDeploymentConfig(text, configPath);
}
