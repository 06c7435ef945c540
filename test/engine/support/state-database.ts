/**
 * The `pg` state backend's database for the engine proof: Debian's PostgreSQL, initialised as
 * an unprivileged account and started inside the tier on loopback, trusting loopback
 * connections (the engine's connection string carries no password to leak).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { giveToServer, postgresBinDirectory, runAsServer } from '../../support/postgres';
import { eventually } from './kube-client';
import type { Tier } from './tier';

export interface StateDatabase {
  readonly connectionString: string;
  /** Its data, outside the tier's directory (which only root may enter); removed by the caller. */
  readonly directory: string;
  /** Runs SQL as the superuser; rows of `psql -At` (fields split on "|"). */
  query(sql: string): Promise<string[][]>;
}

export async function startStateDatabase(tier: Tier): Promise<StateDatabase> {
  const bin = postgresBinDirectory();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-state-database-'));
  fs.chmodSync(directory, 0o755);
  const data = path.join(directory, 'data');
  fs.mkdirSync(data);
  giveToServer(data);
  const init = runAsServer(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-instructions',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const socketDirectory = path.join(directory, 'socket');
  fs.mkdirSync(socketDirectory, { recursive: true });
  giveToServer(socketDirectory);
  const server = tier.sandbox.start(
    'state-database',
    path.join(bin, 'postgres'),
    ['-D', data, '-h', '127.0.0.1', '-p', '5432', '-k', socketDirectory, '-c', 'fsync=off'],
    { asNobody: true },
  );
  const psql = path.join(bin, 'psql');
  const query = async (sql: string): Promise<string[][]> => {
    const result = await tier.run(psql, [
      '-h',
      '127.0.0.1',
      '-p',
      '5432',
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('|'));
  };
  await eventually('the state database', 60_000, async () => {
    tier.sandbox.assertRunning(server);
    return (await query('select 1'))[0]?.[0] === '1' ? true : undefined;
  });
  return { connectionString: 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable', directory, query };
}
