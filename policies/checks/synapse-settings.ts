/**
 * Shared machinery of the APP rules: each rule is a list of setting checks run over every
 * Synapse configuration file of the stack (tfjson/synapse-config.ts).
 *
 * - A main config (`server_name`) must state every checked setting explicitly, even where
 *   today's Synapse default is the secure value: defaults move between releases, and the
 *   renderer writes every Synapse control (docs/design.md, "The workloads").
 * - A worker file (`worker_app`, no `server_name`) is loaded on top of the shared config, and
 *   Synapse merges the files key by key at the top level: a key the worker sets replaces the
 *   shared one. So only the checks about keys the worker file itself sets run on it (over the
 *   merged config); the keys it does not set are inherited and audited in the main config.
 */
import { containerAddress } from '../../tfjson/pod-specs';
import { shown, synapseConfigFiles, synapseContainers, type SynapseConfigFile } from '../../tfjson/synapse-config';
import { valueAt, type JsonObject, type JsonValue, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { Applicability, AuditContext, Violation } from '../rule';

/** Synapse: a process of it, or a configuration file of it. */
export const SYNAPSE: Applicability = {
  subject: 'Synapse process or Synapse configuration',
  presentIn: (stack) => synapseConfigFiles(stack).length > 0 || synapseContainers(stack).length > 0,
};

export interface SettingCheck {
  /** The top-level keys the check reads (a worker file runs it only if it sets one of them). */
  readonly keys: readonly string[];
  /** Problems found, each a message naming the setting. */
  readonly check: (config: JsonObject, context: AuditContext, file: SynapseConfigFile) => string[];
}

/**
 * The violations of `checks` in every Synapse config file of the stack. A stack that runs
 * Synapse without any configuration file in view fails: settings nobody can read are not
 * settings anybody verified.
 */
export function auditSynapseSettings(stack: SynthesizedStack, context: AuditContext, checks: readonly SettingCheck[]): Violation[] {
  const files = synapseConfigFiles(stack);
  if (files.length === 0) {
    return synapseContainers(stack).map(({ view, container }) => ({
      address: containerAddress(view, container),
      message:
        'runs Synapse, but no Synapse configuration (a ConfigMap YAML file with server_name or worker_app) is in the stack: its settings cannot be verified',
    }));
  }
  return files.flatMap((file) =>
    checks
      .filter((entry) => file.kind === 'main' || entry.keys.some((key) => key in file.own))
      .flatMap((entry) => entry.check(file.effective, context, file))
      .map((message) => ({ address: file.address, message })),
  );
}

function topKey(path: string): string {
  return path.split('.')[0] ?? path;
}

/** `path` must be exactly `expected` (absent fails; `note` says what Synapse does without it). */
export function mustEqual(path: string, expected: JsonValue, note?: string): SettingCheck {
  return {
    keys: [topKey(path)],
    check: (config) => {
      const value = valueAt(config, path);
      if (value === expected) return [];
      return [`${path} is ${shown(value)}, must be ${JSON.stringify(expected)}${value === undefined && note ? ` (${note})` : ''}`];
    },
  };
}

/** `path` must be absent. */
export function mustBeAbsent(path: string, why: string): SettingCheck {
  return { keys: [topKey(path)], check: (config) => (valueAt(config, path) === undefined ? [] : [`${path} is set (${why})`]) };
}

const DURATION = /^([0-9]+)(ms|s|m|h|d|w|y)?$/;

/** Synapse's parse_duration: an integer of milliseconds, or digits with a unit (ms, s, m, h, d, w, y). */
export function isFiniteDuration(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0;
  if (typeof value !== 'string') return false;
  const match = DURATION.exec(value);
  return match !== null && Number(match[1]) > 0;
}

/** Synapse's parse_size: an integer of bytes, or digits with K, M, G or T. */
export function isSize(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0;
  if (typeof value !== 'string') return false;
  const match = /^([0-9]+)[KMGT]?$/.exec(value);
  return match !== null && Number(match[1]) > 0;
}

/** `path` must be a finite, positive duration. */
export function finiteDuration(path: string, meaning: string): SettingCheck {
  return {
    keys: [topKey(path)],
    check: (config) => {
      const value = valueAt(config, path);
      return isFiniteDuration(value) ? [] : [`${path} is ${shown(value)}, not a finite duration (${meaning})`];
    },
  };
}

/** The value as a list of strings, or undefined when it is not one. */
export function stringList(value: JsonValue | undefined): string[] | undefined {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string') ? value : undefined;
}
