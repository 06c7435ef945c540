/** A 60-homeserver fleet with the longest names the config allows, its stacks and their pg state schemas. */
import { parse, stringify } from 'yaml';
import type { DeploymentConfig } from '../../config/deployment-config';
import { parseDeploymentConfig } from '../../model/load-config';
import { deploymentStackNames, stateSchemaName } from '../../model/stack-names';
import { fleetConfig } from '../../scripts/bench/fleet-config';

/** The longest schema prefix the config accepts with these names (every stack's schema within 63 bytes). */
// The longest stacks are `<homeserver, 37>-homeserver` and `<deployment, 30>-secret-generation` (48 characters).
export const LONGEST_PREFIX = 't'.repeat(63 - 1 - 48);

/** A fleet of `size` with the longest names the config allows, equal but for their last characters. */
export function longFleet(size: number, prefix = LONGEST_PREFIX): DeploymentConfig {
  const config = parse(fleetConfig(size)) as { deployment: { name: string }; state: unknown; homeservers: { name: string }[] };
  config.deployment.name = `${'d'.repeat(26)}-dep`;
  config.state = { backend: 'pg', pg: { schemaPrefix: prefix } };
  for (const homeserver of config.homeservers) homeserver.name = `${'h'.repeat(37 - homeserver.name.length - 1)}-${homeserver.name}`;
  return parseDeploymentConfig(stringify(config), 'long-fleet.yaml');
}

export const FLEET = longFleet(60);
export const STACKS = deploymentStackNames(FLEET);
export const PREFIX = FLEET.state.backend === 'pg' ? FLEET.state.schemaPrefix : '';
export const SCHEMAS = STACKS.map((stack) => stateSchemaName(PREFIX, stack));
