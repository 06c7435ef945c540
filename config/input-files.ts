/**
 * The one way the commands read a file a user names (the deployment config, every audit input,
 * the review files): regular files only, up to a stated size. A path that leads to a device
 * (`/dev/zero` grows without end), a FIFO (blocks forever), a socket or a directory is refused
 * after open, by what the opened file is (fstat), so a symbolic link is followed only to a
 * regular file and a swap between check and read changes nothing.
 */
import * as fs from 'node:fs';
import { printable } from './printable';

const MiB = 1024 * 1024;

/** The documented caps (README, "Limits"). */
export const INPUT_LIMITS = {
  /** A deployment config (a 50-homeserver fleet is about 40 KiB). */
  configBytes: 1 * MiB,
  /** One Terraform JSON file, or one other file the audit reads. */
  auditFileBytes: 32 * MiB,
  /** Everything one audit reads. */
  auditTotalBytes: 256 * MiB,
  /** Terraform JSON files in one audited directory. */
  auditFiles: 5000,
  /** A review file posted as a comment, or a CI event file. */
  reviewFileBytes: 4 * MiB,
} as const;

export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${printable(file)}: ${problem}`);
    this.name = 'InputFileError';
  }
}

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The reason a system error gives, without its echo of the path (the caller names the file). */
export function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Readonly<Record<string, string>> = {
    ENOENT: 'does not exist',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent of it is not a directory',
    ELOOP: 'too many levels of symbolic links',
    ENXIO: 'is a socket or a device without a reader',
    ENAMETOOLONG: 'the name is too long',
    EMFILE: 'too many open files',
    ENFILE: 'too many open files',
    EIO: 'input/output error',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    EDQUOT: 'disk quota exceeded',
    EEXIST: 'already exists',
    ENOTEMPTY: 'the directory is not empty',
    EBUSY: 'the resource is busy',
    EXDEV: 'on another file system',
  };
  if (code && reasons[code]) return `${reasons[code]} (${code})`;
  return code ? `system error ${code}` : 'cannot be read';
}

function describeSize(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/** O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after, by fstat). */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/**
 * The bytes of a regular file of at most `maxBytes`; InputFileError otherwise (never the
 * content in the message). `what` names the file's role in messages ("config", "Terraform JSON").
 */
export function readRegularFileBytes(file: string, maxBytes: number, what = 'file'): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw new InputFileError(file, `cannot read the ${what}: ${systemReason(error)}`);
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) throw new InputFileError(file, `the ${what} is ${kindOf(stats)}, not a regular file`);
    if (stats.size > maxBytes)
      throw new InputFileError(file, `the ${what} has ${stats.size} bytes, more than the limit of ${describeSize(maxBytes)}`);
    // Read until the end, but never more than one byte past the limit: a file that grows
    // while it is read (or reports no size, as /proc files do) is bounded the same way.
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - length, Math.max(stats.size - length + 1, 64 * 1024), MiB));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      length += read;
    }
    if (length > maxBytes) throw new InputFileError(file, `the ${what} grew past the limit of ${describeSize(maxBytes)} while being read`);
    return Buffer.concat(chunks, length);
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(file, `cannot read the ${what}: ${systemReason(error)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text (UTF-8) of a regular file of at most `maxBytes`. */
export function readRegularFile(file: string, maxBytes: number, what = 'file'): string {
  return readRegularFileBytes(file, maxBytes, what).toString('utf8');
}

/** Size of the regular file at `file` (following links), or a description of what it is instead. */
export function regularFileSize(file: string): number | string {
  try {
    const stats = fs.statSync(file);
    return stats.isFile() ? stats.size : `is ${kindOf(stats)}, not a regular file`;
  } catch (error) {
    return systemReason(error);
  }
}
