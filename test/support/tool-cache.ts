/** Where the tests keep what they build or download once per machine, outside the repository. */
import * as os from 'node:os';
import * as path from 'node:path';

export function toolCache(...segments: string[]): string {
  // The XDG base directory rule: an unset, empty or relative XDG_CACHE_HOME means ~/.cache.
  const configured = process.env.XDG_CACHE_HOME;
  const cacheRoot = configured && path.isAbsolute(configured) ? configured : path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'matrix-sovereign-iac', ...segments);
}
