/** Synthesizes constructs in a test scope and reads back their resources by type. */
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';

/** Resource blocks by type, then by logical id (synthesized snake_case JSON, read loosely). */
export type Resources = Record<string, Record<string, Record<string, any>>>;

export function synthResources(build: (scope: Construct) => void): Resources {
  return (JSON.parse(Testing.synthScope(build)) as { resource?: Resources }).resource ?? {};
}

export function resourcesOf(resources: Resources, type: string): Record<string, any>[] {
  return Object.values(resources[type] ?? {});
}

export function onlyResource(resources: Resources, type: string): Record<string, any> {
  const found = resourcesOf(resources, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}
