import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sourceFingerprint } from '../../scripts/bench/machine';
import { fingerprintDirectory } from '../../scripts/bench/measure';
import { linearFit, median, segmentSlopes, summarize } from '../../scripts/bench/stats';
import { parseElapsed, parseTimeVerbose } from '../../scripts/bench/time-output';

describe('statistics', () => {
  it('takes the middle value, or the mean of the two middle values, of unsorted samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it('summarizes median, min, max and count', () => {
    expect(summarize([1.2, 0.9, 1.1, 5])).toEqual({ median: 1.15, min: 0.9, max: 5, count: 4 });
  });

  it('fits a line exactly through collinear points and reports r² = 1', () => {
    const fit = linearFit([
      [1, 1.5],
      [5, 3.5],
      [20, 11],
      [50, 26],
    ]);
    expect(fit.slope).toBeCloseTo(0.5, 10);
    expect(fit.intercept).toBeCloseTo(1, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
  });

  it('reports a worse fit for a convex curve, and refuses degenerate input', () => {
    expect(linearFit([1, 5, 20, 50].map((x) => [x, x * x] as const)).r2).toBeLessThan(0.99);
    expect(() => linearFit([[1, 1]])).toThrow(RangeError);
    expect(() =>
      linearFit([
        [2, 1],
        [2, 3],
      ]),
    ).toThrow(RangeError);
  });

  it('gives the slope of each step between consecutive sizes', () => {
    expect(
      segmentSlopes([
        [20, 11],
        [1, 1.5],
        [5, 3.5],
      ]),
    ).toEqual([
      { from: 1, to: 5, slope: 0.5 },
      { from: 5, to: 20, slope: 0.5 },
    ]);
  });
});

// As GNU time 1.9 (Debian) writes it with -v -o FILE, for a command that failed.
const GNU_TIME_REPORT = `Command exited with non-zero status 3
\tCommand being timed: "node dist/main.js config/default.yaml"
\tUser time (seconds): 1.25
\tSystem time (seconds): 0.16
\tPercent of CPU this job got: 121%
\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:01.16
\tAverage shared text size (kbytes): 0
\tMaximum resident set size (kbytes): 158776
\tAverage resident set size (kbytes): 0
\tMajor (requiring I/O) page faults: 0
\tExit status: 3
`;

describe('GNU time reports', () => {
  it('reads wall time, peak RSS, CPU time and exit status', () => {
    const sample = parseTimeVerbose(GNU_TIME_REPORT);
    expect(sample.wallSeconds).toBeCloseTo(1.16, 10);
    expect(sample.maxRssKb).toBe(158776);
    expect(sample.cpuSeconds).toBeCloseTo(1.41, 10);
    expect(sample.exitStatus).toBe(3);
  });

  it('converts m:ss.cc and h:mm:ss elapsed times to seconds', () => {
    expect(parseElapsed('0:00.18')).toBeCloseTo(0.18, 10);
    expect(parseElapsed('2:03.45')).toBeCloseTo(123.45, 10);
    expect(parseElapsed('1:02:03')).toBe(3723);
    expect(() => parseElapsed('1.5')).toThrow();
    expect(() => parseElapsed('a:bc')).toThrow();
  });

  it('names the missing line when the report is not from GNU time', () => {
    expect(() => parseTimeVerbose('real 0m1.16s\nuser 0m1.25s\n')).toThrow(/Elapsed \(wall clock\) time/);
  });
});

describe('output fingerprints', () => {
  it('changes with a file content or name, not with the directory it sits in', () => {
    const make = (files: Record<string, string>): string => {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fingerprint-'));
      for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
        fs.writeFileSync(path.join(directory, name), content);
      }
      try {
        return fingerprintDirectory(directory);
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    };
    const base = make({ 'a/cdk.tf.json': '{}', 'b/cdk.tf.json': '{"x":1}' });
    expect(make({ 'b/cdk.tf.json': '{"x":1}', 'a/cdk.tf.json': '{}' })).toBe(base);
    expect(make({ 'a/cdk.tf.json': '{}', 'b/cdk.tf.json': '{"x":2}' })).not.toBe(base);
    expect(make({ 'a/cdk.tf.json': '{}', 'c/cdk.tf.json': '{"x":1}' })).not.toBe(base);
  });
});

describe('source fingerprint', () => {
  it('changes when an app source changes, not when an unrelated file does', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sources-'));
    try {
      fs.writeFileSync(path.join(root, 'main.ts'), 'export {};\n');
      fs.mkdirSync(path.join(root, 'config'));
      fs.writeFileSync(path.join(root, 'config', 'default.yaml'), 'a: 1\n');
      const before = sourceFingerprint(root);
      fs.writeFileSync(path.join(root, 'notes.txt'), 'unrelated\n');
      expect(sourceFingerprint(root)).toBe(before);
      fs.writeFileSync(path.join(root, 'config', 'default.yaml'), 'a: 2\n');
      expect(sourceFingerprint(root)).not.toBe(before);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
