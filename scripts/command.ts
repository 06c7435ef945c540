/**
 * What every command (the app, the audit, the review, post-review) does at its boundary: the
 * documented exit codes, and one line for an error it did not expect (a bug), never a stack
 * trace unless asked for with MATRIX_DEBUG=1.
 */
import { printable } from '../config/printable';

/** README, "Exit codes". */
export const EXIT = {
  ok: 0,
  /** The audit found errors. */
  findings: 1,
  /** Invalid config, bad usage or an unreadable input. */
  invalidInput: 2,
  /** The policy audit of a synthesis failed. */
  policy: 3,
  /** The output location is not one this app may write (not ours, unsafe, missing parent). */
  outputRefused: 4,
  /** The system refused the write (permissions, read-only file system, disk full). */
  outputUnwritable: 5,
  /** An error the command did not expect: a bug. */
  internal: 70,
} as const;

export const DEBUG_VARIABLE = 'MATRIX_DEBUG';

/** The line printed for an unexpected error: its first line, escaped; the stack trace only with MATRIX_DEBUG=1. */
export function internalErrorText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (env[DEBUG_VARIABLE] === '1' && error instanceof Error && error.stack) return `internal error: ${error.stack}`;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error (a bug; please report it): ${printable(text.split('\n')[0] ?? text, 500)}; run with ${DEBUG_VARIABLE}=1 for the stack trace`;
}

type Write = (text: string) => void;
const STANDARD_ERROR: Write = (text) => process.stderr.write(text);

/** Runs a command's body and returns its exit code; an unexpected error becomes one line and EXIT.internal. */
export function runCommand(body: () => number, err: Write = STANDARD_ERROR): number {
  try {
    return body();
  } catch (error) {
    err(`${internalErrorText(error)}\n`);
    return EXIT.internal;
  }
}

export async function runCommandAsync(body: () => Promise<number>, err: Write = STANDARD_ERROR): Promise<number> {
  try {
    return await body();
  } catch (error) {
    err(`${internalErrorText(error)}\n`);
    return EXIT.internal;
  }
}
