/**
 * The one way to load a deployment config: config/ validates it on its own terms and the
 * model's checks (model/config-checks.ts) run in the same pass, so no caller can skip them
 * and every problem is reported at once.
 */
import { createHash } from 'node:crypto';
import type { DeploymentConfig } from '../config/deployment-config';
import {
  DEFAULT_CONFIG_PATH,
  readConfigFile,
  validateConfigValue,
  validateDeploymentConfig,
  type LoadedConfig,
} from '../config/load-config';
import { modelConfigChecks } from './config-checks';

/** Validates a config given as YAML text; throws ConfigError listing every problem. */
export function parseDeploymentConfig(yamlText: string, source = '<inline>'): DeploymentConfig {
  return validateDeploymentConfig(yamlText, source, modelConfigChecks);
}

/** Validates the value a config's YAML parses to (what parseDeploymentConfig does after parsing); throws ConfigError listing every problem. */
export function parseDeploymentConfigValue(value: unknown, source = '<inline>'): DeploymentConfig {
  return validateConfigValue(value, source, modelConfigChecks);
}

/** Reads (a regular file of at most INPUT_LIMITS.configBytes) and validates a config file. */
export function readDeploymentConfig(configPath: string = DEFAULT_CONFIG_PATH): LoadedConfig {
  const bytes = readConfigFile(configPath);
  return { config: parseDeploymentConfig(bytes.toString('utf8'), configPath), sha256: createHash('sha256').update(bytes).digest('hex') };
}

export function loadDeploymentConfig(configPath: string = DEFAULT_CONFIG_PATH): DeploymentConfig {
  return readDeploymentConfig(configPath).config;
}
