/** Jest's global teardown: fails the run if a suite wrote into a shared synthesis, then removes the run's directory. */
import * as fs from 'node:fs';
import { changedSharedSyntheses, RUN_DIRECTORY_VARIABLE } from './test-run';

export default function teardown(): void {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (!directory) return;
  try {
    const changed = changedSharedSyntheses(directory);
    if (changed.length > 0)
      throw new Error(`a suite wrote into the shared synthesis of: ${changed.join(', ')} (read it, never write into it)`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
