/** Where the tests keep what they build or download once per machine, outside the repository. */
import * as os from 'node:os';
import * as path from 'node:path';

export function toolCache(...segments: string[]): string {
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'matrix-sovereign-iac', ...segments);
}
