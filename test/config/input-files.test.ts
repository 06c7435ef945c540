/**
 * The shared readers of untrusted input: regular files within a cap, JSON and YAML within a
 * nesting depth and alias budget, and echoed strings made printable. Table-driven; the commands
 * that use them are exercised end to end by test/hostile.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_NESTING, ParseError, parseJson, parseYaml } from '../../config/bounded-parse';
import { InputFileError, readRegularFile } from '../../config/input-files';
import { printable } from '../../config/printable';
import { internalErrorText } from '../../scripts/command';
import { tempDirectory } from '../support/slapd';

const directory = tempDirectory('input-files-');
const file = (name: string, content: string) => {
  fs.writeFileSync(path.join(directory, name), content);
  return path.join(directory, name);
};

describe('readRegularFile', () => {
  it('reads a regular file up to its cap, and a link to one', () => {
    const exact = file('exact.txt', 'x'.repeat(64));
    expect(readRegularFile(exact, 64)).toBe('x'.repeat(64));
    fs.symlinkSync(exact, path.join(directory, 'link.txt'));
    expect(readRegularFile(path.join(directory, 'link.txt'), 64)).toBe('x'.repeat(64));
  });

  const fifo = path.join(directory, 'pipe');
  spawnSync('mkfifo', [fifo]);
  it.each([
    ['one byte over the cap', () => file('over.txt', 'x'.repeat(65)), /has 65 bytes, more than the limit of 64 bytes/],
    ['a FIFO (no wait for a writer)', () => fifo, /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', () => '/dev/zero', /is a character device/],
    ['a directory', () => directory, /is a directory/],
    ['a missing file', () => path.join(directory, 'missing'), /does not exist \(ENOENT\)/],
  ])('refuses %s', (_name, target, message) => {
    expect(() => readRegularFile(target(), 64, 'input')).toThrow(InputFileError);
    expect(() => readRegularFile(target(), 64, 'input')).toThrow(message);
  });

  it('a /proc file (size 0 in stat) is read to its end, within the cap', () => {
    expect(readRegularFile('/proc/self/status', 1024 * 1024)).toMatch(/^Name:/);
    expect(() => readRegularFile('/proc/self/status', 16)).toThrow(/grew past the limit of 16 bytes/);
  });
});

describe('parseJson and parseYaml', () => {
  const nestedJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nestedYaml = (depth: number) => `${Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n')} x\n`;

  it(`accept nesting up to ${MAX_NESTING} levels and refuse one more`, () => {
    expect(() => parseJson(nestedJson(MAX_NESTING))).not.toThrow();
    expect(() => parseJson(nestedJson(MAX_NESTING + 1))).toThrow(`nested deeper than ${MAX_NESTING} levels`);
    expect(() => parseYaml(nestedYaml(MAX_NESTING))).not.toThrow();
    expect(() => parseYaml(nestedYaml(MAX_NESTING + 1))).toThrow(`nested deeper than ${MAX_NESTING} levels`);
  });

  it('ignore brackets inside JSON strings when measuring depth', () => {
    expect(parseJson(JSON.stringify({ text: '['.repeat(1000) }))).toEqual({ text: '['.repeat(1000) });
  });

  it('report syntax errors by position, never with the text', () => {
    const secret = 'do-not-echo-7f3a';
    for (const parse of [() => parseJson(`{"a": ${secret}}`), () => parseYaml(`a: [${secret}\n`)]) {
      expect(parse).toThrow(ParseError);
      try {
        parse();
      } catch (error) {
        expect((error as Error).message).not.toContain(secret);
      }
    }
  });

  it('refuse YAML whose aliases expand beyond the budget', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 5 },
        (_, level) =>
          `${String.fromCharCode(98 + level)}: &${String.fromCharCode(98 + level)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + level)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(() => parseYaml(bomb)).toThrow(/aliases expand to too much data/);
    expect(parseYaml('a: &a [1]\nb: *a\n')).toEqual({ a: [1], b: [1] });
  });
});

describe('printable', () => {
  it.each([
    ['a line feed and a carriage return', 'a\nb\rc', 'a\\nb\\rc'],
    ['an escape sequence', '\u001b[2Jcleared', '\\u001b[2Jcleared'],
    ['a bidi override and a zero-width space', 'abc\u202efed\u200b', 'abc\\u202efed\\u200b'],
    ['a lone surrogate', 'x\ud800y', 'x\\ud800y'],
    ['plain text and emoji', 'café 🙂', 'café 🙂'],
  ])('escapes %s', (_name, input, output) => {
    expect(printable(input)).toBe(output);
  });

  it('shortens long values and says how long they were', () => {
    expect(printable('x'.repeat(500), 10)).toBe('xxxxxxxxxx...(500 characters)');
  });
});

describe('internal errors', () => {
  const error = new TypeError('boom\n    at secret (/somewhere.ts:1:1)');
  it('are one line without the stack trace', () => {
    expect(internalErrorText(error, {})).toBe(
      'internal error (a bug; please report it): TypeError: boom; run with MATRIX_DEBUG=1 for the stack trace',
    );
  });
  it('carry the stack trace with MATRIX_DEBUG=1', () => {
    expect(internalErrorText(error, { MATRIX_DEBUG: '1' })).toContain(error.stack ?? '');
  });
});
