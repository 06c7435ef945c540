/** Jest's global setup: a directory for what the run's suites share (test/support/test-run.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIRECTORY_VARIABLE } from './test-run';

export default function setup(): void {
  // Set before the workers start, so they inherit it.
  process.env[RUN_DIRECTORY_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-test-run-'));
}
