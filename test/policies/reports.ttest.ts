/**
 * The evidence formats, each read back by a real consumer: SARIF by Microsoft's SARIF
 * Multitool (schema and SDK rules), JUnit XML by junitparser (PyPI), CSV by Python's csv
 * module (RFC 4180). Their own structure is checked in reports.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES } from '../../policies/rules';
import { runPython } from '../support/python';
import { validateSarif } from '../support/sarif-multitool';
import { directory, read, reports, result } from './evidence-fixture';

// First run downloads the SARIF Multitool (npm) and junitparser (PyPI).
jest.setTimeout(10 * 60_000);

const JUNITPARSER = 'junitparser==5.0.3';

describe('evidence reports, read by real consumers', () => {
  it('SARIF passes the SARIF Multitool: schema-valid, no error or warning from its rules', () => {
    const file = path.join(reports, 'audit.sarif');
    expect(validateSarif(file).filter((entry) => entry.level === 'error' || entry.level === 'warning')).toEqual([]);
    const sarif = JSON.parse(read('audit.sarif')) as {
      runs: {
        tool: { driver: { rules: unknown[] } };
        results: { ruleId: string; kind?: string; level: string; suppressions?: unknown[] }[];
      }[];
    };
    expect(sarif.runs[0]?.tool.driver.rules).toHaveLength(ALL_RULES.length);
    const results = sarif.runs[0]?.results ?? [];
    expect(
      results
        .filter((entry) => entry.kind === undefined)
        .map((entry) => `${entry.ruleId}${entry.suppressions ? ' (suppressed)' : ''}`)
        .sort(),
    ).toEqual([...result.findings.map((finding) => finding.ruleId), 'POD-02 (suppressed)'].sort());
  });

  it('the SARIF check is a real check: the Multitool reports a log without results', () => {
    const broken = path.join(directory, 'broken.sarif');
    fs.writeFileSync(broken, JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }));
    expect(validateSarif(broken).some((entry) => entry.level === 'error')).toBe(true);
  });

  it('JUnit XML parses with junitparser: one suite per stack, a case per rule, failures and skips where expected', () => {
    const parsed = runPython<{ suites: { name: string; tests: number; failures: number; skipped: number }[] }>(
      'import json, sys\nfrom junitparser import JUnitXml\nxml = JUnitXml.fromfile(json.load(sys.stdin))\nprint(json.dumps({"suites": [{"name": s.name, "tests": s.tests, "failures": s.failures, "skipped": s.skipped} for s in xml]}))',
      path.join(reports, 'audit.junit.xml'),
      JUNITPARSER,
    );
    const notApplicable = (stack: string) =>
      result.outcomes.filter((entry) => entry.stack === stack && entry.outcome === 'notApplicable').length;
    expect(notApplicable('agency-gateway')).toBeGreaterThan(0);
    expect(parsed.suites).toEqual([
      {
        name: 'agency-homeserver',
        tests: ALL_RULES.length,
        failures: new Set(result.findings.filter((f) => f.stack === 'agency-homeserver').map((f) => f.ruleId)).size,
        skipped: notApplicable('agency-homeserver'),
      },
      {
        name: 'agency-media',
        tests: ALL_RULES.length,
        failures: new Set(result.findings.filter((f) => f.stack === 'agency-media').map((f) => f.ruleId)).size,
        skipped: 1 + notApplicable('agency-media'),
      },
      { name: 'agency-gateway', tests: ALL_RULES.length, failures: 0, skipped: notApplicable('agency-gateway') },
    ]);
  });

  it("CSV parses as RFC 4180 with cdk-nag's columns first, one row per finding or compliant rule and stack", () => {
    const rows = runPython<string[][]>(
      'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(json.load(sys.stdin), newline="")))))',
      path.join(reports, 'audit.csv'),
    );
    expect(rows[0]?.slice(0, 6)).toEqual(['Rule ID', 'Resource ID', 'Compliance', 'Exception Reason', 'Rule Level', 'Rule Info']);
    const body = rows.slice(1);
    for (const row of body) expect(row).toHaveLength(10);
    expect(body.filter((row) => row[2] === 'Non-Compliant')).toHaveLength(result.findings.length);
    expect(body.filter((row) => row[2] === 'Suppressed').map((row) => row[3])).toEqual([
      expect.stringContaining('owner team:platform, expires 2027-02-28'),
    ]);
    expect(body.filter((row) => row[2] === 'Compliant').length).toBeGreaterThan(ALL_RULES.length);
    expect(body.filter((row) => row[2] === 'Not Applicable')).toHaveLength(
      result.outcomes.filter((entry) => entry.outcome === 'notApplicable').length,
    );
  });
});
