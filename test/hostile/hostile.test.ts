/**
 * The hostile-input table: every case in test/hostile/cases/*.ts (a new file there is picked up
 * as it is) runs the real command in a scratch copy of the project, and must end with its
 * documented exit code and a message naming the field, rule or reason, in a few lines, with no
 * stack trace, no echo of file content and no raw control characters, having written or
 * deleted nothing but what the case allows (a snapshot of the whole canary tree before and after).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTENT_CANARY, type HostileCase } from './hostile-case';
import { prepareTemplates, removeSandbox, removeTemplates, runCase, type Templates } from './run-case';

const CASES_DIRECTORY = path.join(__dirname, 'cases');
const tables = fs
  .readdirSync(CASES_DIRECTORY)
  .filter((file) => file.endsWith('.ts'))
  .sort()
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- every case table in the folder, found at run time
  .map((file) => ({ file, cases: (require(path.join(CASES_DIRECTORY, file)) as { cases: readonly HostileCase[] }).cases }));

// Made on first use: concurrent tests may start before a beforeAll hook has finished.
let templates: Promise<Templates> | undefined;
const ready = (): Promise<Templates> => (templates ??= Promise.resolve().then(prepareTemplates));
afterAll(async () => {
  if (templates) removeTemplates(await templates);
});

const STACK_FRAME = /^\s*at .*(:[0-9]+:[0-9]+\)?|\(native\)|\(node:[^)]*\))$/m;
/** Control characters (but the line feed), bidirectional controls and zero-width characters: echoed input must be escaped. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

function problemsOf(testCase: HostileCase, run: Awaited<ReturnType<typeof runCase>>): string[] {
  const { result, unexpected } = run;
  const output = `${result.stdout}${result.stderr}`;
  const problems: string[] = [];
  if (result.status !== testCase.exit)
    problems.push(`exit ${result.status ?? `signal ${result.signal}`} after ${result.milliseconds} ms, expected ${testCase.exit}`);
  const messages = testCase.message === undefined ? [] : Array.isArray(testCase.message) ? testCase.message : [testCase.message as RegExp];
  for (const message of messages) if (!message.test(output)) problems.push(`the output does not match ${message}`);
  if (STACK_FRAME.test(output)) problems.push('the output holds a stack trace');
  if (output.includes(CONTENT_CANARY)) problems.push('the output echoes file content');
  if (RAW_CONTROL.test(output)) problems.push('the output holds raw control characters');
  const lines = output.split('\n').filter((line) => line.trim() !== '').length;
  if (lines > (testCase.maxLines ?? 3)) problems.push(`${lines} lines of output (at most ${testCase.maxLines ?? 3})`);
  if (unexpected.length > 0)
    problems.push(
      `written or deleted: ${unexpected.slice(0, 10).join(', ')}${unexpected.length > 10 ? ` and ${unexpected.length - 10} more` : ''}`,
    );
  if (problems.length === 0 && testCase.verify) {
    try {
      testCase.verify(run.sandbox, result);
    } catch (error) {
      problems.push(`verify: ${(error as Error).message}`);
    }
  }
  return problems.length === 0 ? [] : [...problems, `output:\n${output.slice(0, 4000)}`];
}

describe.each(tables)('$file', ({ cases }) => {
  it.concurrent.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const prepared = await ready();
    // Cases that switch to nobody or need a private mount namespace need root: they cannot run elsewhere.
    if ((testCase.mount && !prepared.mountNamespaces) || (testCase.asNobody && process.getuid?.() !== 0)) return;
    const run = await runCase(testCase, prepared);
    try {
      expect(problemsOf(testCase, run)).toEqual([]);
    } finally {
      removeSandbox(run.sandbox);
    }
  });
});
