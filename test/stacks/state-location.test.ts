/**
 * Where state lives: with the pg backend one schema per stack within PostgreSQL's 63 bytes, for a
 * generated fleet with the longest names the config allows (a real server keeps them as written:
 * state-location.ttest.ts); local state never inside, equal to or around the output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { DeploymentConfig } from '../../config/deployment-config';
import { loadDeploymentConfig } from '../../model/load-config';
import { deploymentStackNames, POSTGRES_IDENTIFIER_MAX, stateSchemaName } from '../../model/stack-names';
import { composeDeployment } from '../../stacks/compose-deployment';
import { localStateDirectory, stateLocationIssues } from '../../stacks/state-location';
import { checkSynthesisRequest } from '../../stacks/synthesis-request';
import { DEFAULT_CONFIG_FILE, defaultConfigObject, FLEET_CONFIG_FILE, setPath, toYaml } from '../config/config-fixtures';
import { FLEET, LONGEST_PREFIX, PREFIX, SCHEMAS, STACKS, longFleet } from './state-names-fixture';

describe('pg schema names', () => {
  it('are at most 63 bytes, plain identifiers, and one per stack across a generated fleet', () => {
    // Five compartments each, and a web client for every homeserver generated from the example's ministry (one in three).
    expect(STACKS).toHaveLength(3 + 60 * 5 + 20);
    expect(SCHEMAS.filter((schema) => Buffer.byteLength(schema) > POSTGRES_IDENTIFIER_MAX || !/^[a-z_][a-z0-9_]*$/.test(schema))).toEqual(
      [],
    );
    expect(new Set(SCHEMAS).size).toBe(STACKS.length);
    expect(stateLocationIssues(FLEET, STACKS, '/srv/project/cdktf.out')).toEqual([]);
  });

  it('are <prefix>_<stack>, predictable for an operator looking for a state', () => {
    expect(stateSchemaName('tfstate', 'agency-homeserver')).toBe('tfstate_agency_homeserver');
  });

  it('a prefix that would make one longer than 63 bytes is refused by the config, naming state.pg.schemaPrefix', () => {
    expect(() => longFleet(2, `${LONGEST_PREFIX}x`)).toThrow(/state\.pg\.schemaPrefix/);
  });

  it('a collision is refused at synthesis, naming state.pg.schemaPrefix', () => {
    const config = { ...FLEET, state: { backend: 'pg', schemaPrefix: PREFIX } } as const;
    expect(stateLocationIssues(config, ['a-b', 'a-b'], '/srv/project/cdktf.out')).toEqual([
      { path: 'state.pg.schemaPrefix', message: expect.stringMatching(/stacks a-b and a-b .* would share one state/) },
    ]);
  });
});

describe('local state', () => {
  const config = (directory: string): DeploymentConfig => {
    const base = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
    return { ...base, state: { backend: 'local', directory } };
  };
  const outdir = path.join(path.sep, 'srv', 'project', 'cdktf.out');

  it("lives next to the output directory, three levels above the stacks' working directories", () => {
    expect(localStateDirectory(outdir, 'state')).toBe(path.join(path.sep, 'srv', 'project', 'state'));
    expect(localStateDirectory('/srv/build/out', 'state')).toBe('/srv/build/state');
  });

  it.each([
    ['the output directory', 'cdktf.out', /inside the output directory/],
    ['inside it', 'cdktf.out/state', /inside the output directory/],
    ['around it', '.', /contains the output directory/],
    ['a staging directory', 'cdktf.out.staging-12', /temporary directories/],
    ['a set-aside directory', 'cdktf.out.old-12/x', /temporary directories/],
  ])('refuses %s', (_name, directory, message) => {
    expect(stateLocationIssues(config(directory), [], outdir)).toEqual([
      { path: 'state.local.directory', message: expect.stringMatching(message) },
    ]);
  });

  it.each(['state', 'cdktf.outer', 'states/cdktf.out', 'cdktf.out.staging'])('accepts %s', (directory) => {
    expect(stateLocationIssues(config(directory), [], outdir)).toEqual([]);
  });
});

describe('checked before anything is built', () => {
  it.each([
    ['default', DEFAULT_CONFIG_FILE],
    ['fleet', FLEET_CONFIG_FILE],
  ])('the stacks known from the %s config are those composed from it, in order', (_name, file) => {
    const config = loadDeploymentConfig(file);
    const composed = composeDeployment(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stack-names-')) }), config, {}, []);
    expect(deploymentStackNames(config)).toEqual(composed.all.map((stack) => stack.node.id));
  });

  it('a request whose local state lies inside the output is refused with the field, the output untouched', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'state-request-'));
    const configPath = path.join(project, 'deployment.yaml');
    fs.writeFileSync(configPath, toYaml(setPath(defaultConfigObject(), 'state', { backend: 'local', local: { directory: 'out/state' } })));
    const checked = checkSynthesisRequest({ configPath, outdir: path.join(project, 'out') });
    expect(checked).toMatchObject({ ok: false, reason: 'config' });
    expect('error' in checked && checked.error.message).toMatch(/state\.local\.directory.*inside the output directory/s);
    expect(fs.readdirSync(project)).toEqual(['deployment.yaml']);
    fs.rmSync(project, { recursive: true, force: true });
  });
});
