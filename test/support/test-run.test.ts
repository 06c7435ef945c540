/** The run's shared outputs are checked at teardown: any file written, changed or removed by a suite fails the run. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fingerprintDirectory } from '../../scripts/bench/measure';
import { changedSharedSyntheses, OUTPUT, TREE_DIGEST } from './test-run';

const created: string[] = [];

function runWithDefaultOutput(): { directory: string; output: string } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'test-run-'));
  created.push(directory);
  const output = path.join(directory, 'default', OUTPUT);
  fs.mkdirSync(path.join(output, 'stacks', 'agency-homeserver'), { recursive: true });
  fs.writeFileSync(path.join(output, 'manifest.json'), '{}');
  fs.writeFileSync(path.join(output, 'stacks', 'agency-homeserver', 'cdk.tf.json'), '{"resource":{}}');
  fs.writeFileSync(path.join(directory, 'default', TREE_DIGEST), fingerprintDirectory(output));
  return { directory, output };
}

afterEach(() => {
  for (const directory of created.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

it('an untouched output passes, and a deployment never built is not judged', () => {
  const { directory } = runWithDefaultOutput();
  expect(changedSharedSyntheses(directory)).toEqual([]);
});

it.each([
  ['a file written into it', (output: string) => fs.writeFileSync(path.join(output, 'stacks', 'extra.json'), '{}')],
  ['a file changed', (output: string) => fs.writeFileSync(path.join(output, 'manifest.json'), '{"changed":true}')],
  ['a file removed', (output: string) => fs.rmSync(path.join(output, 'manifest.json'))],
  ['a file renamed', (output: string) => fs.renameSync(path.join(output, 'manifest.json'), path.join(output, 'manifest.json.old'))],
])('%s is found', (_name, edit) => {
  const { directory, output } = runWithDefaultOutput();
  edit(output);
  expect(changedSharedSyntheses(directory)).toEqual(['default']);
});
