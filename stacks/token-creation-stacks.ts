/**
 * cdktf records where each of its tokens and nested attribute objects was created: it captures a
 * stack trace of unlimited depth on a plain object and formats it at once, thousands of times per
 * synthesis, only to name that place if the token later fails to resolve. The app prints one line
 * per failure and never a stack trace, so during a synthesis those captures are left empty: about
 * a tenth of a synthesis's CPU (docs/benchmarks.md). Errors keep their stacks, formatted as before.
 */
import { types } from 'node:util';

type StackFormatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** Node's own layout (`<name>: <message>` then one `    at <frame>` line per frame). */
function nodeLayout(error: Error, frames: NodeJS.CallSite[]): string {
  let heading: string;
  try {
    heading = Error.prototype.toString.call(error);
  } catch {
    heading = '<error>';
  }
  return frames.length === 0 ? heading : `${heading}\n    at ${frames.join('\n    at ')}`;
}

/** Runs `work` with stacks captured on objects that are not errors left empty; the previous formatter is restored after. */
export function withoutTokenCreationStacks<T>(work: () => T): T {
  // The property as it was (Node's own formatter, which also applies --enable-source-maps, or a test runner's), put back as it was.
  const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  const errorLayout = (saved?.value as StackFormatter | undefined) ?? nodeLayout;
  // Errors of every realm (Node's own errors come from the main one), not only `instanceof Error`.
  Error.prepareStackTrace = (target: Error, frames) => (types.isNativeError(target) ? errorLayout(target, frames) : '');
  try {
    return work();
  } finally {
    if (saved) Object.defineProperty(Error, 'prepareStackTrace', saved);
    else Reflect.deleteProperty(Error, 'prepareStackTrace');
  }
}
