/** Synthesizes constructs in a test scope and reads back their resources by type. */
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';

/** A synthesized JSON object read loosely: tests index it freely and expect() asserts its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type LooseJson = Record<string, any>;

/** Resource blocks by type, then by logical id (synthesized snake_case JSON). */
export type Resources = Record<string, Record<string, LooseJson>>;

export function synthResources(build: (scope: Construct) => void): Resources {
  return (JSON.parse(Testing.synthScope(build)) as { resource?: Resources }).resource ?? {};
}

export function resourcesOf(resources: Resources, type: string): LooseJson[] {
  return Object.values(resources[type] ?? {});
}

export function onlyResource(resources: Resources, type: string): LooseJson {
  const found = resourcesOf(resources, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}
