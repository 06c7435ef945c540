/**
 * The evidence formats, each read back by a real consumer: SARIF by Microsoft's SARIF
 * Multitool (schema and SDK rules), JUnit XML by junitparser (PyPI), CSV by Python's csv
 * module (RFC 4180), JSON and Markdown by their own structure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { auditStacks, type AuditResult } from '../../policies/audit';
import { REPORT_FILES, sourceLocations, writeAuditReports } from '../../policies/reports';
import { renderControlCatalogue } from '../../policies/reports/catalogue';
import { resourceLines } from '../../policies/reports/source-lines';
import { ALL_RULES } from '../../policies/rules';
import { cases as POD_02 } from '../../policies/rules/pod/POD-02.cases';
import { cases as POD_03 } from '../../policies/rules/pod/POD-03.cases';
import { cases as RES_01 } from '../../policies/rules/res/RES-01.cases';
import { isObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { runPython } from '../support/python';
import { validateSarif } from '../support/sarif-multitool';
import { tempDirectory } from '../support/slapd';
import { compliantStack, CONFIG_CONTEXT, mutated, table } from './fixtures';

// First run downloads the SARIF Multitool (npm) and junitparser (PyPI).
jest.setTimeout(10 * 60_000);

const NOW = new Date('2026-11-23T12:00:00Z');
const JUNITPARSER = 'junitparser==5.0.3';

/** An audit with something in every section: two failing rules, one suppressed finding, one invalid suppression. */
const audited: SynthesizedStack[] = [];

function mixedResult(): AuditResult {
  const failing = mutated((json) => {
    POD_03.bad[0]!.mutate(json);
    RES_01.bad[0]!.mutate(json);
  });
  const suppressed = mutated((json) => {
    const fired = POD_02.bad[0]!;
    fired.mutate(json);
    const [type, name] = fired.address.split(' ')[0]!.split('.') as [string, string];
    const body = table(json, type)[name]!;
    body['//'] = {
      ...(isObject(body['//']) ? body['//'] : {}),
      suppressions: [
        { ruleId: 'POD-02', reason: 'vendor image, fixed in the next release', owner: 'team:platform', expires: '2027-02-28' },
      ],
    };
  });
  audited.push(
    { ...failing, name: 'agency-homeserver' },
    { ...suppressed, name: 'agency-media' },
    { ...compliantStack(), name: 'agency-gateway' },
  );
  return auditStacks(audited, { ...CONFIG_CONTEXT, now: NOW });
}

const result = mixedResult();
const directory = tempDirectory('reports-');
// The stacks as files, pretty-printed as cdktf writes them, so locations carry line numbers.
const stackFiles = new Map(
  result.stacks.map((stack, index) => {
    const file = path.join(directory, 'stacks', stack, 'cdk.tf.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(audited[index]!.json, null, 2));
    return [stack, file];
  }),
);
writeAuditReports(result, path.join(directory, 'audit'), sourceLocations(stackFiles, directory));
const reports = path.join(directory, 'audit');
const read = (file: string) => fs.readFileSync(path.join(reports, file), 'utf8');

describe('evidence reports', () => {
  it('writes every format', () => {
    expect(fs.readdirSync(reports).sort()).toEqual([...REPORT_FILES].sort());
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.suppressed.length).toBe(1);
  });

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

  it('SARIF reports each rule that does not apply to a stack as a result of kind notApplicable, level none', () => {
    const sarif = JSON.parse(read('audit.sarif')) as {
      runs: { results: { ruleId: string; kind?: string; level: string; message: { text: string } }[] }[];
    };
    const notApplicable = (sarif.runs[0]?.results ?? []).filter((entry) => entry.kind !== undefined);
    const expected = result.outcomes.filter((entry) => entry.outcome === 'notApplicable');
    expect(expected.length).toBeGreaterThan(0);
    expect(notApplicable.map((entry) => [entry.ruleId, entry.kind, entry.level])).toEqual(
      expected.map((entry) => [entry.ruleId, 'notApplicable', 'none']),
    );
    expect(notApplicable[0]?.message.text).toMatch(/^Not applicable to stack [a-z-]+: the stack has no .+\.$/);
  });

  it('locates each result on the line its resource starts in the stack file', () => {
    const sarif = JSON.parse(read('audit.sarif')) as {
      runs: {
        results: {
          kind?: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
            logicalLocations: { fullyQualifiedName: string }[];
          }[];
        }[];
      }[];
    };
    for (const entry of (sarif.runs[0]?.results ?? []).filter((candidate) => candidate.kind === undefined)) {
      const [location] = entry.locations;
      const text = fs.readFileSync(path.join(directory, location!.physicalLocation.artifactLocation.uri), 'utf8');
      const line = text.split('\n')[(location!.physicalLocation.region?.startLine ?? 0) - 1] ?? '';
      const address = location!.logicalLocations[0]!.fullyQualifiedName.split('/')[1]!;
      expect(line.trim()).toBe(`"${address.split('.')[1]}": {`);
    }
  });

  it('finds resource lines in any JSON layout', () => {
    expect([...resourceLines('{"resource":{"a_b":{"x":{"y":1},"z":{}}},"output":{"o":{}}}')]).toEqual([
      ['a_b.x', 1],
      ['a_b.z', 1],
    ]);
    expect(resourceLines('{\n "resource": {\n  "t": {\n   "n": {\n    "k": "{\\"}"\n   },\n   "m": {}\n  }\n }\n}').get('t.m')).toBe(7);
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

  it('Markdown states the verdict first and lists findings and suppressions', () => {
    const markdown = read('audit.md');
    expect(markdown.split('\n')[2]).toMatch(/^\*\*FAIL\*\*: 3 stacks/);
    expect(markdown).toContain('## Findings');
    expect(markdown).toMatch(
      /\| POD-02 \| agency-media \| `[^`]+` \| vendor image, fixed in the next release \| team:platform \| 2027-02-28 \| valid \(1 findings suppressed\) \|/,
    );
    expect(markdown).toContain('## Outcome per stack');
    // The fixture has no media compartment; only agency-media carries a suppression.
    expect(markdown).toMatch(/^\| NET-05 \| n\/a \| n\/a \| n\/a \|$/m);
    expect(markdown).toMatch(
      /^\| NET-05 \| agency-homeserver, agency-media, agency-gateway \| the stack has no namespace of the media compartment \|$/m,
    );
    expect(markdown).toMatch(/^\| GOV-01 \| n\/a \| pass \| n\/a \|$/m);
  });

  it('JSON carries rule metadata without the check functions', () => {
    const json = JSON.parse(read('audit.json')) as { rules: Record<string, unknown>[]; suppressed: unknown[] };
    expect(json.rules).toHaveLength(ALL_RULES.length);
    for (const rule of json.rules)
      expect(
        Object.keys(rule)
          .filter((key) => key !== 'siteFacts' && key !== 'appliesTo')
          .sort(),
      ).toEqual(['fix', 'id', 'lesson', 'level', 'references', 'title']);
    expect(json.rules.filter((rule) => 'appliesTo' in rule).map((rule) => rule.id)).toEqual(
      ALL_RULES.filter((rule) => rule.appliesTo).map((rule) => rule.id),
    );
    expect(json.rules.filter((rule) => 'siteFacts' in rule).map((rule) => rule.id)).toEqual(
      ALL_RULES.filter((rule) => rule.siteFacts).map((rule) => rule.id),
    );
    expect(json.suppressed).toHaveLength(1);
  });
});

describe('control catalogue', () => {
  it('docs/controls.md is generated from the rules and up to date (npm run docs)', () => {
    expect(fs.readFileSync(path.join(projectRoot(), 'docs', 'controls.md'), 'utf8')).toBe(renderControlCatalogue());
  });

  it('every rule states its lesson, its fix and at least one external reference', () => {
    for (const rule of ALL_RULES) {
      expect({
        id: rule.id,
        lesson: rule.lesson.length >= 20,
        fix: rule.fix.length >= 20,
        referenced: Object.values(rule.references).some((value) => (Array.isArray(value) ? value.length > 0 : Boolean(value))),
      }).toEqual({ id: rule.id, lesson: true, fix: true, referenced: true });
    }
  });
});
