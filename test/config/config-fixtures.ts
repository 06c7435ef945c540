/** Builds config YAML variants from the shipped default, so tests break only where they mean to. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { projectRoot } from '../../config/project-root';

export const DEFAULT_CONFIG_FILE = path.join(projectRoot(), 'config', 'default.yaml');
export const FLEET_CONFIG_FILE = path.join(projectRoot(), 'config', 'examples', 'fleet.yaml');

export type Mutable = Record<string, unknown>;

export function defaultConfigObject(): Mutable {
  return parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Mutable;
}

export function fleetConfigObject(): Mutable {
  return parse(readFileSync(FLEET_CONFIG_FILE, 'utf8')) as Mutable;
}

/** Sets a value at a dotted path with [index] segments, e.g. `homeservers[0].serverName`. */
export function setPath(target: Mutable, pathText: string, value: unknown): Mutable {
  const segments = pathText.match(/[^.[\]]+/g) ?? [];
  let current: Record<string, unknown> | unknown[] = target;
  segments.forEach((segment, index) => {
    const key: string | number = /^[0-9]+$/.test(segment) ? Number(segment) : segment;
    const container = current as Record<string | number, unknown>;
    if (index === segments.length - 1) {
      if (value === undefined) delete container[key];
      else container[key] = value;
      return;
    }
    current = container[key] as Record<string, unknown>;
  });
  return target;
}

export function toYaml(value: Mutable): string {
  return stringify(value);
}
