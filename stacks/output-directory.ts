/**
 * Which directories the app may replace or write into, and how. Every directory it publishes
 * (the synthesized output, the audit evidence) carries a marker file; only a directory that
 * carries it, is empty or does not exist yet is ever replaced or written into. Anything else
 * (the checkout, the home directory, `/`, a parent of the project, a symbolic link, a user's
 * folder) is refused before anything is written. Publication is a swap: the new output is
 * built next to the old one, the old one is renamed aside, the new one renamed in, and only
 * then the old one deleted. Leftovers of a run that was killed are removed by the next run
 * once their process is gone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputFileError, readRegularFile, systemReason } from '../config/input-files';
import { printable } from '../config/printable';
import { projectRoot } from '../config/project-root';

export const OUTPUT_MARKER = '.matrix-sovereign-iac-output';
const MARKER_FIRST_LINE = 'matrix-sovereign-iac output';
const MARKER_FORMAT = 1;

/** The marker's text: the first line identifies it, the second names its format, the third what the directory holds. */
export function markerText(kind: 'synthesized output' | 'audit evidence'): string {
  return `${MARKER_FIRST_LINE}\nformat: ${MARKER_FORMAT}\nholds: ${kind} (replaced as a whole by the next run; do not keep files here)\n`;
}

export class OutputError extends Error {
  constructor(
    /** refused: the location is not ours to write; unwritable: the system would not let us. */
    readonly kind: 'refused' | 'unwritable',
    message: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** A system error (EACCES, ENOSPC, EROFS, ...) met while writing `where`, as an OutputError; anything else unchanged. */
export function asOutputError(error: unknown, where: string): unknown {
  if (error instanceof OutputError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
    return new OutputError('unwritable', `${printable(where)}: cannot write the output: ${systemReason(error)}`);
  return error;
}

/** lstat, or undefined when nothing is there; `refusal` words any other failure. */
function lstatOrUndefined(
  file: string,
  refusal: (problem: string) => OutputError = (problem) => new OutputError('refused', `${printable(file)}: ${problem}`),
): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refusal(`cannot inspect it: ${systemReason(error)}`);
  }
}

/** Whether the directory carries a marker written by this app (a regular file whose first line is ours). */
export function carriesMarker(directory: string): boolean {
  const marker = path.join(directory, OUTPUT_MARKER);
  if (!lstatOrUndefined(marker)?.isFile()) return false;
  try {
    return readRegularFile(marker, 4096, 'marker').split('\n')[0] === MARKER_FIRST_LINE;
  } catch (error) {
    if (error instanceof InputFileError) return false;
    throw error;
  }
}

/** The path with every existing part resolved through symbolic links (the rest appended as given). */
export function realResolve(file: string): string {
  const absolute = path.resolve(file);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** The places no output may ever be: they, and every directory above them. */
function protectedPlaces(): { name: string; directory: string }[] {
  return [
    { name: 'the project', directory: projectRoot() },
    { name: 'the working directory', directory: process.cwd() },
    { name: 'the home directory', directory: os.homedir() },
  ];
}

function refusal(directory: string, problem: string, source?: string): OutputError {
  return new OutputError('refused', `output directory ${printable(directory)}${source ? ` (${source})` : ''}: ${problem}`);
}

/**
 * Checks that `directory` may be replaced by a new output and returns it absolute. `source`
 * names where the path came from (CDKTF_OUTDIR) in messages.
 */
export function checkOutputDirectory(directory: string, source?: string): string {
  if (directory.trim() === '')
    throw new OutputError('refused', `${source ?? 'the output directory'} is empty: name the output directory (default cdktf.out)`);
  const absolute = path.resolve(directory);
  const real = realResolve(absolute);
  const fail = (problem: string): never => {
    throw refusal(directory, problem, source);
  };
  if (path.dirname(real) === real) fail('is the root of the file system');
  for (const place of protectedPlaces()) {
    const guarded = realResolve(place.directory);
    if (isWithin(guarded, real) || isWithin(place.directory, absolute))
      fail(
        `is ${guarded === real ? '' : 'a parent of '}${place.name} (${printable(place.directory)}); choose a directory of its own, e.g. cdktf.out`,
      );
  }
  const stats = lstatOrUndefined(absolute, (problem) => refusal(directory, problem, source));
  if (stats?.isSymbolicLink()) fail('is a symbolic link: name the directory itself');
  if (stats && !stats.isDirectory()) fail('exists and is not a directory');
  if (stats && !isOurs(absolute))
    fail(
      `exists, is not empty and carries no ${OUTPUT_MARKER}: it is not an output of this app, so it is not replaced (remove it yourself, or choose another directory)`,
    );
  const parent = path.dirname(absolute);
  if (!lstatOrUndefined(parent, (problem) => refusal(directory, problem, source)))
    fail(`its parent directory ${printable(parent)} does not exist`);
  let parentIsDirectory = false;
  try {
    parentIsDirectory = fs.statSync(parent).isDirectory();
  } catch {
    // A dangling link: not a directory either.
  }
  if (!parentIsDirectory) fail(`its parent ${printable(parent)} is not a directory`);
  return absolute;
}

function isOurs(directory: string): boolean {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch (error) {
    throw new OutputError('refused', `output directory ${printable(directory)}: cannot list it: ${systemReason(error)}`);
  }
  return entries.length === 0 || carriesMarker(directory);
}

// ---------------------------------------------------------------- staging and publication

const LEFTOVER = /^(.*)\.(staging|old)-([0-9]+)$/;

/** Whether a process with this id runs (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes `<outdir>.staging-<pid>` and `<outdir>.old-<pid>` directories left by runs that were
 * killed: only when their process is gone and they are ours (marked or empty). Returns them.
 */
export function removeLeftovers(outdir: string): string[] {
  const parent = path.dirname(outdir);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = LEFTOVER.exec(name);
    if (!match || match[1] !== path.basename(outdir) || processRuns(Number(match[3]))) continue;
    const leftover = path.join(parent, name);
    const stats = lstatOrUndefined(leftover);
    if (!stats?.isDirectory() || !isOurs(leftover)) continue;
    fs.rmSync(leftover, { recursive: true, force: true });
    removed.push(leftover);
  }
  return removed;
}

/** A fresh, marked staging directory next to `outdir`, for this process. */
export function createStaging(outdir: string): string {
  const staging = `${outdir}.staging-${process.pid}`;
  fs.mkdirSync(staging);
  fs.writeFileSync(path.join(staging, OUTPUT_MARKER), markerText('synthesized output'));
  return staging;
}

/** Removes this process's staging directory (after a failure). */
export function removeStaging(staging: string): void {
  if (lstatOrUndefined(staging)?.isDirectory() && isOurs(staging)) fs.rmSync(staging, { recursive: true, force: true });
}

/** Swaps the staged output in: old output aside, new one in, old one deleted. */
export function publish(staging: string, outdir: string): void {
  // Checked again: the directory may have changed since the run began.
  const stats = lstatOrUndefined(outdir);
  if (stats && (stats.isSymbolicLink() || !stats.isDirectory() || !isOurs(outdir)))
    throw refusal(outdir, `changed during the run and is no longer an output of this app (no ${OUTPUT_MARKER}): nothing replaced`);
  const aside = `${outdir}.old-${process.pid}`;
  if (stats) fs.renameSync(outdir, aside);
  try {
    fs.renameSync(staging, outdir);
  } catch (error) {
    if (stats) fs.renameSync(aside, outdir);
    throw error;
  }
  if (!stats) return;
  try {
    fs.rmSync(aside, { recursive: true, force: true });
  } catch {
    // Published; an old output that cannot be deleted now is a leftover the next run removes.
  }
}

/** Makes `directory` ready to receive audit evidence (ours, empty or new) and marks it. */
export function prepareEvidenceDirectory(directory: string, source: string): string {
  const absolute = checkEvidenceDirectory(directory, source);
  try {
    fs.mkdirSync(absolute, { recursive: true });
    if (!carriesMarker(absolute)) fs.writeFileSync(path.join(absolute, OUTPUT_MARKER), markerText('audit evidence'));
  } catch (error) {
    throw asOutputError(error, absolute);
  }
  return absolute;
}

function checkEvidenceDirectory(directory: string, source: string): string {
  if (directory.trim() === '') throw new OutputError('refused', `${source} is empty: name the evidence directory`);
  const absolute = path.resolve(directory);
  const stats = lstatOrUndefined(absolute);
  const where = `evidence directory ${printable(directory)}`;
  if (stats?.isSymbolicLink()) throw new OutputError('refused', `${where}: is a symbolic link: name the directory itself`);
  if (stats && !stats.isDirectory()) throw new OutputError('refused', `${where}: exists and is not a directory`);
  if (stats && !isOurs(absolute))
    throw new OutputError(
      'refused',
      `${where}: exists, is not empty and carries no ${OUTPUT_MARKER}: its files are not overwritten (choose another --out)`,
    );
  return absolute;
}
