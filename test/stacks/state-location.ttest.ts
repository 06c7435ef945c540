/**
 * The pg state backend's schema names on a real PostgreSQL (Debian's), created as OpenTofu's pg
 * backend creates them: every derived name kept as written, one schema per stack, and the merge
 * longer names would cause. The names themselves are checked in state-location.test.ts.
 */
import { POSTGRES_IDENTIFIER_MAX } from '../../model/stack-names';
import { startScratchPostgres, type ScratchPostgres } from '../support/postgres';
import { PREFIX, SCHEMAS, STACKS } from './state-names-fixture';

jest.setTimeout(180_000);

describe('pg schema names on a real PostgreSQL', () => {
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
