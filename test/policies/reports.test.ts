/**
 * The evidence formats by their own structure: every report written, SARIF results and their
 * locations, Markdown and JSON; the control catalogue. The real consumers (SARIF Multitool,
 * junitparser, Python's csv) read them in reports.ttest.ts (npm run test:tools).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { REPORT_FILES } from '../../policies/reports';
import { renderControlCatalogue } from '../../policies/reports/catalogue';
import { resourceLines } from '../../policies/reports/source-lines';
import { ALL_RULES } from '../../policies/rules';
import { directory, read, reports, result } from './evidence-fixture';

describe('evidence reports', () => {
  it('writes every format', () => {
    expect(fs.readdirSync(reports).sort()).toEqual([...REPORT_FILES].sort());
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.suppressed.length).toBe(1);
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
