/**
 * The names of the deployment's Terraform stacks and of the state each one keeps: one stack per
 * compartment of each homeserver (named as its namespace) and three for the shared platform.
 */
import type { DeploymentConfig } from '../config/deployment-config';
import { homeserverCompartments, homeserverNamespace, type HomeserverCompartment } from './compartments';

export const PLATFORM_STACKS = ['platform', 'secret-store', 'secret-generation'] as const;
export type PlatformStack = (typeof PLATFORM_STACKS)[number];

export function platformStackName(deploymentName: string, stack: PlatformStack): string {
  return `${deploymentName}-${stack}`;
}

export function compartmentStackName(homeserverName: string, compartment: HomeserverCompartment): string {
  return homeserverNamespace(homeserverName, compartment);
}

/**
 * Every stack of a deployment, in the order they are composed: the platform's three, then each
 * homeserver's compartments. Known before anything is built, so where their state would live
 * is checked before cdktf is loaded.
 */
export function deploymentStackNames(config: Pick<DeploymentConfig, 'deploymentName' | 'homeservers'>): string[] {
  return [
    ...PLATFORM_STACKS.map((stack) => platformStackName(config.deploymentName, stack)),
    ...config.homeservers.flatMap((homeserver) =>
      homeserverCompartments(homeserver).map((compartment) => compartmentStackName(homeserver.name, compartment)),
    ),
  ];
}

/** PostgreSQL schema of a stack's state (pg backend). PostgreSQL cuts identifiers at 63 bytes without an error, so a longer name could merge two states. */
export function stateSchemaName(schemaPrefix: string, stackName: string): string {
  return `${schemaPrefix}_${stackName.replace(/-/g, '_')}`;
}

/** NAMEDATALEN - 1. */
export const POSTGRES_IDENTIFIER_MAX = 63;
