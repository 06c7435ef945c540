import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The app command of the checkout at `directory`: cdktf.json's `app`, what `cdktf synth|deploy`
 * run (and `npm run synth`), or undefined when cdktf.json names none.
 */
export function appCommandOf(directory: string): string | undefined {
  const cdktfJson = JSON.parse(readFileSync(path.join(directory, 'cdktf.json'), 'utf8')) as { app?: unknown };
  return typeof cdktfJson.app === 'string' ? cdktfJson.app : undefined;
}
