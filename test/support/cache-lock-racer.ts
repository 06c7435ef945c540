/**
 * One contender in cache-lock.test.ts's races, run as its own node process: asks the cache for
 * an entry, and if it gets to build it, writes it slowly in chunks (so a kill lands mid-build),
 * logging `start`/`done`; then checks that what it was handed is whole and logs `saw`.
 * argv[2]: JSON RacerOptions.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedArtifact, cachedInPlace, READY_MARKER } from './cache-lock';

export interface RacerOptions {
  readonly mode: 'artifact' | 'in-place';
  readonly target: string;
  readonly log: string;
  readonly chunks: number;
  readonly chunkMs: number;
}

const CHUNK = 'x'.repeat(4096);

function sleep(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

/** The data file of an entry: `chunks` chunks, then a footer with their digest. */
export function dataFile(options: Pick<RacerOptions, 'mode' | 'target'>): string {
  return options.mode === 'artifact' ? options.target : path.join(options.target, 'data');
}

/** Whether an entry is whole: every chunk there and the footer's digest matching them. */
export function entryWhole(options: Pick<RacerOptions, 'mode' | 'target' | 'chunks'>): boolean {
  const text = fs.readFileSync(dataFile(options), 'utf8');
  const footer = /\ncomplete ([0-9a-f]{64})\n$/.exec(text);
  if (!footer) return false;
  const body = text.slice(0, footer.index + 1);
  return body === `${CHUNK}\n`.repeat(options.chunks) && createHash('sha256').update(body).digest('hex') === footer[1];
}

function writeSlowly(file: string, options: RacerOptions): void {
  const log = (line: string) => fs.appendFileSync(options.log, `${line} ${process.pid}\n`);
  log('start');
  const hash = createHash('sha256');
  for (let chunk = 0; chunk < options.chunks; chunk += 1) {
    fs.appendFileSync(file, `${CHUNK}\n`);
    hash.update(`${CHUNK}\n`);
    if (chunk === 0) log('writing');
    sleep(options.chunkMs);
  }
  fs.appendFileSync(file, `complete ${hash.digest('hex')}\n`);
  log('done');
}

function main(): void {
  const options = JSON.parse(process.argv[2] ?? '{}') as RacerOptions;
  if (options.mode === 'artifact') {
    cachedArtifact(options.target, (staging) => writeSlowly(staging, options), { pollMs: 50 });
  } else {
    cachedInPlace(
      options.target,
      (directory) => {
        fs.mkdirSync(directory, { recursive: true });
        writeSlowly(path.join(directory, 'data'), options);
      },
      { pollMs: 50 },
    );
    if (!fs.existsSync(path.join(options.target, READY_MARKER))) throw new Error('returned before the ready marker');
  }
  fs.appendFileSync(options.log, `saw-${entryWhole(options) ? 'whole' : 'torn'} ${process.pid}\n`);
}

if (require.main === module) main();
