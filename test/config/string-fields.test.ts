/**
 * No string field of the schema accepts the syntax of an engine it reaches. Every string leaf
 * of two complete configs (every optional section present, both state backends) is found by
 * walking the schema, so a new field is covered the day it is added; each gets every marker
 * at its start, middle and end, and the config must be refused with that field's path (exit 2
 * in the CLI, nothing written). The few characters a field accepts by design are listed with
 * the reason; the renderers' own escaping of them is proven in test/render/template-injection.
 *
 * Each attempt is judged in two halves, as the loader works: YAML must carry the text unchanged
 * (printed and read back by the loader's parser in the leaf's outline: its place without the
 * rest of the config), and the parsed value must be refused with the field's path. For one
 * field of every place a scalar can have, the whole config's YAML is checked to read back and
 * be refused exactly as those halves say.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { parseYaml } from '../../config/bounded-parse';
import { ConfigError } from '../../config/load-config';
import { deploymentConfigSchema } from '../../config/schema';
import { parseDeploymentConfig, parseDeploymentConfigValue } from '../../model/load-config';
import { defaultConfigObject, fleetConfigObject, setPath, toYaml, type Mutable } from './config-fixtures';
import { leafOutline, leafVariants, schemaStringFields, stringLeaves, type StringLeaf } from './schema-strings';

/** What the engines read specially: Go templates, YAML, HCL, LDIF/DN/filters, HAProxy, shell, printf, PromQL, Kubernetes labels; controls and invisible characters. */
const MARKERS: readonly string[] = [
  '{{',
  '}}',
  '{',
  '}',
  '"',
  "'",
  '`',
  '$',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0085',
  '\u2028',
  '\u202e',
  '\u200b',
  '\ufeff',
  ';',
  '|',
  '&',
  '#',
  '%',
  '<',
  '>',
  '*',
  '(',
  ')',
  '[',
  ']',
  ' ',
  ',',
  '=',
  '!',
  '?',
  '^',
  '~',
];

/** Markers whose YAML differs most (quoting, escapes, line breaks, comments, leading space): the written text is checked with these. */
const SAMPLE_MARKERS: readonly string[] = ['"', "'", '\\', '\n', '\u0085', '\u2028', '\ufeff', '#', ' ', '{{', '*', '%'];

/** Characters a field accepts by design, and why they are inert where it goes. */
const ACCEPTED: Readonly<Record<string, { readonly characters: readonly string[]; readonly why: string }>> = {
  'homeservers[].synapse.smtp.notifFrom': {
    characters: [' ', "'", '&'],
    why: 'display names have words and apostrophes; written as a YAML string inside a literal Go template',
  },
  'homeservers[].directory.baseDn': { characters: [' '], why: 'inner single spaces in values (RFC 4514 needs no escape for them)' },
  'homeservers[].directory.usersDn': { characters: [' '], why: 'inner single spaces in values' },
  'homeservers[].directory.admissionGroup': { characters: [' '], why: 'inner single spaces in values' },
  'homeservers[].directory.bindDn': { characters: [' '], why: 'inner single spaces in values' },
  'kubernetes.configPath': { characters: ['~'], why: 'a home-relative kubeconfig path, read by the provider only' },
  'platform.charts.allowedRepositories[]': { characters: ['~'], why: 'an unreserved URL character' },
  'platform.charts.openbao.repository': { characters: ['~'], why: 'an unreserved URL character' },
  'platform.charts.externalSecrets.repository': { characters: ['~'], why: 'an unreserved URL character' },
  'platform.charts.certManager.repository': { characters: ['~'], why: 'an unreserved URL character' },
  'platform.charts.trustManager.repository': { characters: ['~'], why: 'an unreserved URL character' },
};

/** The fleet with every optional string present: kubeconfig, an external directory, SMTP, S3, a site issuer, a mirror, pg state, a database restore. */
function fullFleet(): Mutable {
  const config = fleetConfigObject();
  setPath(config, 'kubernetes.configPath', '/etc/kubernetes/admin.conf');
  setPath(config, 'kubernetes.context', 'admin@cluster');
  setPath(config, 'homeservers[0].directory.mode', 'external');
  setPath(config, 'homeservers[0].directory.external', { host: 'ldap.ministry.example.org', cidrs: ['198.51.100.40/32'] });
  setPath(config, 'homeservers[1].postgres', {
    archive: 'postgres-2',
    recovery: { from: 'objectStore', sourceArchive: 'postgres', targetTime: '2026-03-01T08:30:00Z' },
  });
  return config;
}

/** The default first: a field it holds is tested there (a third of the fleet to validate per attempt), the others in the fleet. */
const CONFIGS: readonly (readonly [string, Mutable])[] = [
  ['default', defaultConfigObject()],
  ['fleet', fullFleet()],
];

function issuesOf(config: Mutable): { path: string; message: string }[] {
  return issuesOfText(toYaml(config));
}

function refusals(validate: () => unknown): { path: string; message: string }[] {
  try {
    validate();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

const issuesOfText = (yamlText: string) => refusals(() => parseDeploymentConfig(yamlText, 'hostile.yaml'));
const issuesOfValue = (value: unknown) => refusals(() => parseDeploymentConfigValue(value, 'hostile.yaml'));

/** Whether YAML carries `text` unchanged in the leaf's place: printed and read back (the loader's parser) in the leaf's outline. */
function carriedByYaml(config: Mutable, leaf: StringLeaf, text: string): boolean {
  const { outline, readBack } = leafOutline(config, leaf, text);
  return readBack(parseYaml(stringify(outline), { uniqueKeys: true }));
}

function injected(value: string, marker: string): string[] {
  const middle = Math.floor(value.length / 2);
  return [`${marker}${value}`, `${value.slice(0, middle)}${marker}${value.slice(middle)}`, `${value}${marker}`];
}

const leaves = CONFIGS.flatMap(([name, config]) => stringLeaves(deploymentConfigSchema, config).map((leaf) => ({ name, config, leaf })));
/** One leaf per schema field (and role): the first the complete configs hold. */
const perField = leaves.filter(
  (entry, index) => leaves.findIndex((other) => other.leaf.field === entry.leaf.field && other.leaf.role === entry.leaf.role) === index,
);
/** Where YAML prints a scalar: its depth, each level a mapping or a sequence, and whether it is a key. */
const placeOf = (leaf: StringLeaf) => `${leaf.role} ${leaf.segments.map((segment) => (typeof segment === 'number' ? '-' : 'k')).join('')}`;
/** One field per place: whole-config YAML is compared with the outline's there. */
const perPlace = perField.filter((entry, index) => perField.findIndex((other) => placeOf(other.leaf) === placeOf(entry.leaf)) === index);

describe('every string field of the schema', () => {
  it('is present in the complete configs (so it is tested below)', () => {
    const covered = new Set(leaves.map(({ leaf }) => leaf.field));
    expect(schemaStringFields(deploymentConfigSchema).filter((field) => !covered.has(field))).toEqual([]);
  });

  it('the complete configs themselves are valid', () => {
    for (const [, config] of CONFIGS) expect(issuesOf(config)).toEqual([]);
  });

  it('the leaf outline stands for the whole config: same text read back, same refusal from YAML text as from the value', () => {
    expect(new Set(perPlace.map(({ leaf }) => placeOf(leaf))).size).toBeGreaterThanOrEqual(6);
    const differing: string[] = [];
    for (const { leaf, config } of perPlace) {
      // The read-back check can fail: another text in the same place is not this one.
      const { readBack } = leafOutline(config, leaf, `${leaf.value}-this`);
      if (readBack(parseYaml(stringify(leafOutline(config, leaf, `${leaf.value}-other`).outline))))
        differing.push(`${leaf.path}: another text read back as this one`);
      const variant = leafVariants(config, leaf);
      for (const marker of SAMPLE_MARKERS) {
        for (const text of injected(leaf.value, marker)) {
          const { config: attempt } = variant(text);
          const wholeYaml = toYaml(attempt);
          // As JSON: the copy comes from structuredClone, whose objects belong to another realm than jest's.
          const readWhole = JSON.stringify(parse(wholeYaml)) === JSON.stringify(attempt);
          if (readWhole !== carriedByYaml(config, leaf, text))
            differing.push(`${leaf.path} ${JSON.stringify(text)}: outline and config read back differently`);
          if (!isDeepStrictEqual(issuesOfText(wholeYaml), issuesOfValue(attempt)))
            differing.push(`${leaf.path} ${JSON.stringify(text)}: text and value refused differently`);
        }
      }
    }
    expect(differing).toEqual([]);
  });
});

describe('hostile text in each string field is refused with its field path', () => {
  it.each(perField.map(({ name, leaf, config }) => [`${leaf.field}${leaf.role === 'key' ? ' (key)' : ''}`, name, leaf, config] as const))(
    '%s (in the %s config)',
    (_label, _name, leaf, config) => {
      const accepted = ACCEPTED[leaf.field]?.characters ?? [];
      const accepting: string[] = [];
      // The value the loader validates once the YAML is parsed; the YAML itself is proven to carry each text unchanged.
      const variant = leafVariants(config, leaf);
      for (const marker of MARKERS.filter((candidate) => !accepted.includes(candidate))) {
        for (const text of injected(leaf.value, marker)) {
          if (!carriedByYaml(config, leaf, text)) accepting.push(`${JSON.stringify(text)} (changed by YAML)`);
          const { config: attempt, path } = variant(text);
          if (!issuesOfValue(attempt).some((issue) => issue.path === path)) accepting.push(JSON.stringify(text));
        }
      }
      expect(accepting).toEqual([]);
    },
  );
});
