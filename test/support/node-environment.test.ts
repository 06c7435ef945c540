/**
 * The tests' environment (test/support/node-environment.cjs): a stack captured on an object that
 * is not an error (cdktf captures one for every token) is formatted by the environment in V8's
 * layout, which cdktf reads line by line; errors' stacks are still formatted by jest.
 */
import * as path from 'node:path';

it('formats a stack captured on a plain object itself, in V8 layout', () => {
  const holder = { stack: '' };
  Error.captureStackTrace(holder);
  const [header, ...frames] = holder.stack.split('\n');
  // jest's formatter writes "Error: " for an object without a message: this header is the environment's.
  expect(header).toBe('Error');
  expect(frames.length).toBeGreaterThan(0);
  for (const frame of frames) expect(frame).toMatch(/^ {4}at /);
  expect(frames[0]).toContain(path.basename(__filename));
});

it("leaves errors' stacks to jest: the message, then frames in this file", () => {
  const error = new Error('here');
  const [header, first] = (error.stack ?? '').split('\n');
  expect(header).toBe('Error: here');
  expect(first).toMatch(new RegExp(`^ {4}at .*${path.basename(__filename).replace('.', '\\.')}:[0-9]+:[0-9]+\\)$`));
});
