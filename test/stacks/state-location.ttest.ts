/**
 * Where state lives: with the pg backend one schema per stack that PostgreSQL keeps as written
 * (proved on a real server, the way OpenTofu's pg backend creates it), for a generated fleet with
 * the longest names the config allows; local state never inside, equal to or around the output.
 */
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import type { DeploymentConfig } from '../../config/deployment-config';
import { homeserverCompartments } from '../../model/compartments';
import { loadDeploymentConfig, parseDeploymentConfig } from '../../model/load-config';
import { POSTGRES_IDENTIFIER_MAX, stateSchemaName } from '../../model/stack-names';
import { fleetConfig } from '../../scripts/bench/fleet-config';
import { compartmentStackName } from '../../stacks/compartment-stack';
import { platformStackName } from '../../stacks/platform-stack';
import { secretGenerationStackName } from '../../stacks/secret-generation-stack';
import { secretStoreStackName } from '../../stacks/secret-store-stack';
import { localStateDirectory, stateLocationIssues } from '../../stacks/state-location';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { startScratchPostgres, type ScratchPostgres } from '../support/postgres';

jest.setTimeout(180_000);

/** The stacks composeDeployment creates for a config, by name. */
function stackNames(config: DeploymentConfig): string[] {
  const compartments = (homeserver: DeploymentConfig['homeservers'][number]) => homeserverCompartments(homeserver);
  return [
    platformStackName(config),
    secretStoreStackName(config),
    secretGenerationStackName(config),
    ...config.homeservers.flatMap((homeserver) =>
      compartments(homeserver).map((compartment) => compartmentStackName(homeserver, compartment)),
    ),
  ];
}

/** The longest schema prefix the config accepts with these names (every stack's schema within 63 bytes). */
// The longest stacks are `<homeserver, 37>-homeserver` and `<deployment, 30>-secret-generation` (48 characters).
const LONGEST_PREFIX = 't'.repeat(63 - 1 - 48);

/** A fleet of `size` with the longest names the config allows, equal but for their last characters. */
function longFleet(size: number, prefix = LONGEST_PREFIX): DeploymentConfig {
  const config = parse(fleetConfig(size)) as { deployment: { name: string }; state: unknown; homeservers: { name: string }[] };
  config.deployment.name = `${'d'.repeat(26)}-dep`;
  config.state = { backend: 'pg', pg: { schemaPrefix: prefix } };
  for (const homeserver of config.homeservers) homeserver.name = `${'h'.repeat(37 - homeserver.name.length - 1)}-${homeserver.name}`;
  return parseDeploymentConfig(stringify(config), 'long-fleet.yaml');
}

const FLEET = longFleet(60);
const STACKS = stackNames(FLEET);
const PREFIX = FLEET.state.backend === 'pg' ? FLEET.state.schemaPrefix : '';
const SCHEMAS = STACKS.map((stack) => stateSchemaName(PREFIX, stack));

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

  describe('on a real PostgreSQL', () => {
    let server: ScratchPostgres | undefined;
    beforeAll(async () => {
      server = await startScratchPostgres();
    });
    afterAll(() => server?.stop());

    /** As OpenTofu's pg backend does: look the name up as given, create it quoted when absent. */
    function createAsTheBackend(names: readonly string[]): string[] {
      const statements = names.map(
        (name) =>
          `DO $$ BEGIN IF (SELECT count(1) FROM information_schema.schemata WHERE schema_name = '${name}') < 1 THEN CREATE SCHEMA IF NOT EXISTS "${name}"; END IF; END $$;`,
      );
      server?.psql(statements.join('\n'));
      return (server?.psql(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${PREFIX.slice(0, 20)}%' ORDER BY nspname`) ?? '')
        .split('\n')
        .filter(Boolean);
    }

    it('keeps every derived name as written, one schema per stack', () => {
      const created = createAsTheBackend(SCHEMAS);
      expect(created).toEqual([...SCHEMAS].sort());
      server?.psql(`DROP SCHEMA ${SCHEMAS.map((name) => `"${name}"`).join(', ')}`);
    });

    it('would merge stacks under longer names, which PostgreSQL cuts at 63 bytes (why the config bounds them)', () => {
      const former = STACKS.map((stack) => `${PREFIX}xxxxxxxxxx_${stack.replace(/-/g, '_')}`);
      const created = createAsTheBackend(former);
      expect(created.length).toBeLessThan(new Set(former).size);
      expect(created.every((name) => Buffer.byteLength(name) === POSTGRES_IDENTIFIER_MAX)).toBe(true);
    });
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
