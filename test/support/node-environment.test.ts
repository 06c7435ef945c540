/**
 * The tests' environment (test/support/node-environment.cjs): globals are read from an ordinary
 * global object (as fast as a local, where jest's own context costs about 100 times that), with
 * the context's own built-ins and jest's and Node's globals; a stack captured on an object that
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

/** The fastest of five timings of `reads` reads through `read`, in nanoseconds. */
function fastest(read: (index: number) => boolean, reads = 1_000_000): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    let hits = 0;
    for (let index = 0; index < reads; index++) if (read(index)) hits += 1;
    best = Math.min(best, Number(process.hrtime.bigint() - started));
    expect(hits).toBe(reads / 5);
  }
  return best;
}

it("reads a global about as fast as a local (jest's own context: about 100 times slower)", () => {
  const values: unknown[] = [{}, [], 'text', 1, null];
  const isArray = Array.isArray;
  const local = fastest((index) => isArray(values[index % 5]));
  const global = fastest((index) => Array.isArray(values[index % 5]));
  expect(global / local).toBeLessThan(10);
});

it("keeps the context's own built-ins, and jest's and Node's globals", () => {
  expect(Object.getPrototypeOf([])).toBe(Array.prototype);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(Buffer.from('x')).toBeInstanceOf(Uint8Array);
  expect(new TextEncoder().encode('x')).toBeInstanceOf(Uint8Array);
  expect(structuredClone({ a: [1] })).toEqual({ a: [1] });
  expect(typeof setTimeout).toBe('function');
  expect(typeof process.hrtime.bigint).toBe('function');
  expect(globalThis.global).toBe(globalThis);
  expect(Error.stackTraceLimit).toBe(100);
});

it("runs jest's default fake timers on this global, and refuses the legacy ones", () => {
  jest.useFakeTimers();
  let fired = false;
  setTimeout(() => (fired = true), 1000);
  jest.advanceTimersByTime(1000);
  jest.useRealTimers();
  expect(fired).toBe(true);
  expect(() => jest.useFakeTimers({ legacyFakeTimers: true })).toThrow();
});
