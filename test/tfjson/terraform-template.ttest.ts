/**
 * Terraform's template grammar in TypeScript (escaping literal text, splitting templates)
 * against HCL 2's own template parser, the one OpenTofu reads every string of Terraform JSON with.
 * The tables alone are checked in terraform-template.test.ts.
 */
import { escapeTemplateText, parseTemplate, referenceOf, templateLiteral } from '../../tfjson/terraform-template';
import { readTemplates } from '../support/hcl';
import { ESCAPES, TEMPLATES } from './template-tables';

describe('escapeTemplateText', () => {
  it('writes templates that HCL evaluates, with no variables and no functions, to exactly the literal text', () => {
    const reports = readTemplates(ESCAPES.map(([literal]) => escapeTemplateText(literal)));
    expect(reports.map((report) => report.value)).toEqual(ESCAPES.map(([literal]) => literal));
    expect(reports.every((report) => report.parts.every((part) => part.kind === 'literal'))).toBe(true);
  });
});

describe('parseTemplate', () => {
  const reports = readTemplates(TEMPLATES.map(([template]) => template));

  test.each(TEMPLATES.map(([template, kind], index) => ({ template, kind, report: reports[index] })))(
    '$template: $kind',
    ({ template, kind, report }) => {
      const parsed = parseTemplate(template);
      // Directives nest (if/else/endif), which only a full parser pairs; a lone one is malformed for HCL and a directive here.
      if (template === '%{ if true }') {
        expect(report?.error).toMatch(/if/);
        expect(parsed.ok && parsed.parts.some((part) => part.kind === 'directive')).toBe(true);
        return;
      }
      if (kind === 'error') {
        expect(report?.error).toBeDefined();
        expect(report?.parts ?? []).toEqual([]);
        expect(parsed.ok).toBe(false);
        return;
      }
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const ours = parsed.parts.filter((part) => part.kind !== 'literal');
      const theirs = (report?.parts ?? []).filter((part) => part.kind !== 'literal');
      if (kind === 'literal') {
        expect(ours).toEqual([]);
        expect(theirs).toEqual([]);
        expect(templateLiteral(template)).toBe(report?.value);
      } else if (kind === 'reference') {
        expect(theirs).toEqual([expect.objectContaining({ kind: 'reference' })]);
        expect(ours).toHaveLength(1);
        expect(ours[0]?.kind).toBe('interpolation');
        expect(templateLiteral(template)).toBeUndefined();
      } else {
        expect(theirs.some((part) => part.kind === 'expression')).toBe(true);
        expect(ours.length).toBeGreaterThan(0);
        expect(ours.every((part) => part.kind === 'directive' || referenceOf(part.expression) === undefined)).toBe(true);
      }
    },
  );
});
