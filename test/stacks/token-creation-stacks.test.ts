/** During a synthesis cdktf's creation stacks are left empty; errors keep theirs, and the formatter is put back. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lazy } from 'cdktf';
import { withoutTokenCreationStacks } from '../../stacks/token-creation-stacks';

interface CreationStack {
  readonly creationStack: readonly string[];
}

const lazyToken = () => Lazy.anyValue({ produce: () => 'value' }) as unknown as CreationStack;

function capturedOnObject(): string {
  const target = { stack: '' };
  Error.captureStackTrace(target);
  return target.stack;
}

const framesOf = (stack: string | undefined) => (stack ?? '').split('\n').filter((line) => line.startsWith('    at ')).length;

describe('withoutTokenCreationStacks', () => {
  it("leaves a cdktf token's creation stack empty inside, and only inside", () => {
    expect(lazyToken().creationStack.length).toBeGreaterThan(0);
    expect(withoutTokenCreationStacks(() => lazyToken().creationStack)).toEqual([]);
    expect(lazyToken().creationStack.length).toBeGreaterThan(0);
  });

  it('leaves a stack captured on a plain object empty', () => {
    expect(capturedOnObject()).not.toBe('');
    expect(withoutTokenCreationStacks(capturedOnObject)).toBe('');
  });

  it('keeps the stacks of errors, those of Node itself included, in the usual layout', () => {
    const outside = new Error('broken').stack ?? '';
    const inside = withoutTokenCreationStacks(() => new Error('broken').stack ?? '');
    expect(inside.split('\n')[0]).toBe('Error: broken');
    expect(framesOf(inside)).toBeGreaterThan(0);
    expect(outside.split('\n')[0]).toBe('Error: broken');
    const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'creation-stacks-')), 'missing');
    const nodeError = withoutTokenCreationStacks(() => {
      try {
        fs.readFileSync(missing);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    });
    expect(nodeError?.stack).toMatch(/^Error: ENOENT/);
    expect(framesOf(nodeError?.stack)).toBeGreaterThan(0);
  });

  it('puts the previous formatter back, also when the work throws', () => {
    const before = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    expect(() =>
      withoutTokenCreationStacks(() => {
        throw new Error('failed synthesis');
      }),
    ).toThrow('failed synthesis');
    expect(Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace')).toEqual(before);
    expect(capturedOnObject()).not.toBe('');
  });
});
