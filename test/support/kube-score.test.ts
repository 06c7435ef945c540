/**
 * The workload scanner's exception table: new findings printed as entries to paste, stale ones to
 * remove, known defects counted apart, and the repository's table read with every reason. The
 * pinned kube-score build itself runs in kube-score.ttest.ts (npm run test:tools).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import {
  countsByCheck,
  judgeFindings,
  parseExceptions,
  readExceptions,
  verdictMessage,
  type ScannerException,
  type ScannerFinding,
} from '../engine/support/scanner-findings';
import { EXCEPTIONS_FILE } from '../engine/support/workload-scan';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-score-'));
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describe('the exception table', () => {
  const finding = (check: string, object: string, grade: ScannerFinding['grade'] = 'critical'): ScannerFinding => ({
    check,
    object,
    grade,
    summaries: ['c: something'],
  });
  const exception = (check: string, object: string): ScannerException => ({ check, object, reason: 'a concrete reason, long enough' });

  it.each<[string, ScannerFinding[], ScannerException[], { unjustified: string[]; stale: string[]; justified: number }]>([
    ['nothing found, nothing listed', [], [], { unjustified: [], stale: [], justified: 0 }],
    [
      'a critical finding listed',
      [finding('a', 'Deployment n/x')],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: [], justified: 1 },
    ],
    ['a new critical finding', [finding('a', 'Deployment n/x')], [], { unjustified: ['a Deployment n/x'], stale: [], justified: 0 }],
    ['a warning needs no entry', [finding('a', 'Deployment n/x', 'warning')], [], { unjustified: [], stale: [], justified: 0 }],
    [
      'an entry for a finding now fixed is stale',
      [],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'an entry for a finding now only a warning is stale',
      [finding('a', 'Deployment n/x', 'warning')],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'the same object, another check',
      [finding('b', 'Deployment n/x')],
      [exception('a', 'Deployment n/x')],
      { unjustified: ['b Deployment n/x'], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'a name prefix covers generated names, and only those',
      [finding('a', 'Job n/configure-1a2b'), finding('a', 'Job n/other')],
      [exception('a', 'Job n/configure-*')],
      { unjustified: ['a Job n/other'], stale: [], justified: 1 },
    ],
  ])('%s', (_name, findings, exceptions, expected) => {
    const verdict = judgeFindings(findings, exceptions);
    expect({
      unjustified: verdict.unjustified.map((item) => `${item.check} ${item.object}`),
      stale: verdict.stale.map((item) => `${item.check} ${item.object}`),
      justified: verdict.accepted.length,
    }).toEqual(expected);
    expect(verdictMessage(verdict, 'table.yaml') === '').toBe(expected.unjustified.length === 0 && expected.stale.length === 0);
  });

  it('prints new findings as entries to paste, and stale ones to remove', () => {
    const message = verdictMessage(judgeFindings([finding('a', 'Deployment n/x')], [exception('b', 'Service n/y')]), 'table.yaml');
    expect(message).toContain('a on Deployment n/x: c: something');
    expect(message).toContain('  - check: a\n    objects:\n      - Deployment n/x\n    reason: TODO');
    expect(message).toContain('stale exceptions (no such critical finding any more; remove them from table.yaml):\n  b on Service n/y');
  });

  it('reads a known defect with the change it awaits, and counts it apart from the justified', () => {
    const exceptions = parseExceptions(
      [
        '- { check: a, objects: [Deployment n/x, Job n/y-*], reason: "a concrete reason, long enough" }',
        '- { check: b, objects: [Deployment n/x], reason: "a concrete reason, long enough", awaiting: "the change that fixes it" }',
      ].join('\n'),
    );
    expect(exceptions.map((entry) => [entry.check, entry.object, entry.awaiting])).toEqual([
      ['a', 'Deployment n/x', undefined],
      ['a', 'Job n/y-*', undefined],
      ['b', 'Deployment n/x', 'the change that fixes it'],
    ]);
    const verdict = judgeFindings([finding('a', 'Deployment n/x'), finding('a', 'Job n/y-1'), finding('b', 'Deployment n/x')], exceptions);
    expect(countsByCheck(verdict)).toEqual([
      { check: 'a', critical: 2, justified: 2, awaiting: 0, warning: 0 },
      { check: 'b', critical: 1, justified: 0, awaiting: 1, warning: 0 },
    ]);
  });

  it.each([
    ['an unknown key', '- { check: a, objects: [Deployment n/x], reason: "a concrete reason, long enough", owner: me }', /unrecognized/i],
    ['no reason', '- { check: a, objects: [Deployment n/x] }', /reason/],
    ['a reason too short to say why', '- { check: a, objects: [Deployment n/x], reason: singleton }', /say why/],
    [
      'an object without its namespace',
      '- { check: a, objects: [Deployment x], reason: "a concrete reason, long enough" }',
      /Kind namespace\/name/,
    ],
    [
      'a pair listed twice',
      '- { check: a, objects: [Deployment n/x], reason: "a concrete reason, long enough" }\n- { check: a, objects: [Deployment n/x], reason: "another reason, long enough" }',
      /listed twice/,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseExceptions(text)).toThrow(message);
  });

  it("the repository's table reads, every entry with its reason", () => {
    const exceptions = readExceptions(path.join(projectRoot(), EXCEPTIONS_FILE));
    for (const entry of exceptions) expect(entry.reason.length).toBeGreaterThanOrEqual(20);
  });
});
