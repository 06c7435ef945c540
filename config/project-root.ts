import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The directory holding package.json, whether running from sources (ts-jest) or from dist/. */
export function projectRoot(start: string = __dirname): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${start}`);
    directory = parent;
  }
  return directory;
}
