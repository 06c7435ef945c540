/**
 * Read-only view of `helm_release` resources: the values a release installs with, as Helm
 * computes them (each `values` string is one YAML document, later strings override earlier
 * ones map by map, `set` entries override both), and the container images those values
 * configure. YAML is read as YAML 1.1 with unique keys, as Helm's Go parser does.
 */
import { ParseError, parseFirstYamlDocument } from '../config/bounded-parse';
import { HELM_RELEASE_TYPE } from './resource-types';
import { blocks, isObject, resources, type JsonObject, type JsonValue, type ResourceView, type SynthesizedStack } from './terraform-json';
import { templateLiteral } from './terraform-template';
import { cachedView } from './view-cache';

export const helmReleases = cachedView('stack', function helmReleases(stack: SynthesizedStack): readonly ResourceView[] {
  return resources(stack, HELM_RELEASE_TYPE);
});

/** The chart's name: the last path segment of `chart` (which may be an oci:// reference). */
export function chartName(release: ResourceView): string | undefined {
  const chart = release.body.chart;
  return typeof chart === 'string' ? chart.replace(/\/+$/, '').split('/').pop() : undefined;
}

export interface HelmValues {
  /** The effective values; {} when none are set. */
  readonly values: JsonObject;
  /** Why some values could not be read (`values[1]: ...`); a rule cannot vouch for unread values. */
  readonly errors: readonly string[];
}

/** Helm's coalescing: mappings merge key by key, a null deletes, anything else replaces. */
function merge(base: JsonObject, override: JsonObject): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    if (value === null) delete result[key];
    else if (isObject(current) && isObject(value)) result[key] = merge(current, value);
    else result[key] = value;
  }
  return result;
}

/** Splits a `--set` name on unescaped dots: `a.b\.c` -> [a, b.c]. */
function setPath(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < name.length; index += 1) {
    const character = name[index] ?? '';
    if (character === '\\' && index + 1 < name.length) {
      current += name[index + 1] ?? '';
      index += 1;
    } else if (character === '.') {
      parts.push(current);
      current = '';
    } else current += character;
  }
  parts.push(current);
  return parts;
}

/** A `--set` value as Helm types it: `auto` turns true/false/null and integers into their types. */
function setValue(value: unknown, type: unknown): JsonValue {
  if (typeof value !== 'string') return (value ?? null) as JsonValue;
  if (type === 'string' || type === 'literal') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)$/.test(value)) return Number(value);
  return value;
}

function applySet(values: JsonObject, path: string[], value: JsonValue): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return values;
  const result: JsonObject = { ...values };
  if (rest.length === 0) {
    if (value === null) delete result[head];
    else result[head] = value;
  } else {
    const current = result[head];
    result[head] = applySet(isObject(current) ? current : {}, rest, value);
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Values already computed, by release body: five rules read every release. Frozen, since shared. */
const computed = new WeakMap<object, HelmValues>();

/** The effective values of a release (`values` strings, then `set` entries); frozen. */
export function helmValues(release: ResourceView): HelmValues {
  const known = computed.get(release.body);
  if (known) return known;
  const result = deepFreeze(computeHelmValues(release));
  computed.set(release.body, result);
  return result;
}

/** Recently read values texts: a stack's releases are audited again in every copy of it. Frozen, since shared. */
const readTexts = new Map<string, { readonly parsed: unknown } | { readonly problem: string }>();
const READ_LIMIT = 64;

/** A values string as Helm reads it (its first YAML document), or the parse problem. */
function readValuesText(text: string): { readonly parsed: unknown } | { readonly problem: string } {
  const known = readTexts.get(text);
  if (known) return known;
  let read: { readonly parsed: unknown } | { readonly problem: string };
  try {
    read = { parsed: deepFreeze(parseFirstYamlDocument(text, { version: '1.1', uniqueKeys: true }, { maxAliases: 1000 })) };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    read = { problem: error.message };
  }
  if (readTexts.size >= READ_LIMIT) readTexts.delete(readTexts.keys().next().value ?? '');
  readTexts.set(text, read);
  return read;
}

function computeHelmValues(release: ResourceView): HelmValues {
  const errors: string[] = [];
  let values: JsonObject = {};
  const raw = release.body.values;
  const documents = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  documents.forEach((text, index) => {
    const where = `values[${index}]`;
    if (typeof text !== 'string') {
      errors.push(`${where} is not a YAML string`);
      return;
    }
    // The engine hands Helm the template's literal text; Helm reads the first document of each values string only.
    const read = readValuesText(templateLiteral(text) ?? text);
    if ('problem' in read) {
      errors.push(`${where} is not valid YAML: ${read.problem}`);
      return;
    }
    const { parsed } = read;
    if (parsed === null || parsed === undefined) return;
    if (!isObject(parsed)) {
      errors.push(`${where} is not a YAML mapping (values that cannot be read cannot be audited)`);
      return;
    }
    values = merge(values, parsed);
  });
  for (const entry of blocks(release.body.set)) {
    if (typeof entry.name !== 'string') continue;
    if (/\[[0-9]+\]/.test(entry.name)) {
      errors.push(`set "${entry.name}": list indices are not audited`);
      continue;
    }
    values = applySet(values, setPath(entry.name), setValue(entry.value, entry.type));
  }
  return { values, errors };
}

export interface ImageSetting {
  /** Values path of the mapping, e.g. `webhook.image`. */
  readonly path: string;
  /** `[registry/]repository[:tag][@digest]` as the chart composes it. */
  readonly reference: string;
  /** The registry host (first path segment with a dot or a colon), if the reference names one. */
  readonly registry?: string;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Image settings in the values: every mapping with a string `repository` plus a `tag` and/or
 * `digest` (optionally `registry`); a mapping under an `image` key with a `repository` alone
 * counts too (the chart then pulls its default tag). The tag may carry `@sha256:...` itself.
 */
export function imageSettings(values: JsonValue, path = ''): ImageSetting[] {
  const found: ImageSetting[] = [];
  if (Array.isArray(values)) {
    values.forEach((item, index) => found.push(...imageSettings(item, `${path}[${index}]`)));
    return found;
  }
  if (!isObject(values)) return found;
  const repository = values.repository;
  const isImage = typeof repository === 'string' && ('tag' in values || 'digest' in values || /(^|\.)image$/i.test(path));
  if (isImage) {
    const registry = scalar(values.registry);
    const tag = scalar(values.tag);
    const digest = scalar(values.digest);
    const reference = `${registry ? `${registry}/` : ''}${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
    const segments = reference.split('/');
    const host = segments.length > 1 ? segments[0] : undefined;
    found.push({ path: path || '(root)', reference, ...(host !== undefined && /[.:]/.test(host) ? { registry: host } : {}) });
  }
  for (const [key, child] of Object.entries(values)) {
    if (isObject(child) || Array.isArray(child)) found.push(...imageSettings(child, path ? `${path}.${key}` : key));
  }
  return found;
}
