/**
 * Terraform's template grammar in TypeScript: escaping literal text, splitting templates, reading
 * literal values and references. HCL 2's own template parser, the one OpenTofu reads every string
 * of Terraform JSON with, is the reference in terraform-template.ttest.ts (npm run test:tools).
 */
import { escapeLiteralText } from '../../stacks/template-safe-stack';
import { escapeTemplateText, parseTemplate, referenceOf, templateLiteral } from '../../tfjson/terraform-template';
import { ESCAPES, TEMPLATES } from './template-tables';

describe('escapeTemplateText', () => {
  test.each(ESCAPES)('%j is written as %j', (literal, template) => {
    expect(escapeTemplateText(literal)).toBe(template);
  });

  it('reads them back as literal text', () => {
    for (const [literal, template] of ESCAPES) expect(templateLiteral(template)).toBe(literal);
  });
});

describe('escapeLiteralText (unresolved cdktf strings)', () => {
  it.each([
    ['${TfToken[TOKEN.12]}', '${TfToken[TOKEN.12]}'],
    ['prefix ${x} ${TfToken[TOKEN.3]}.svc %{y}', 'prefix $${x} ${TfToken[TOKEN.3]}.svc %%{y}'],
    ['${TfToken[TOKEN.1]}${TfToken[TOKEN.2]}', '${TfToken[TOKEN.1]}${TfToken[TOKEN.2]}'],
    ['#{TfToken[TOKEN.4]} &{TfToken[TOKEN.5]}', '#{TfToken[TOKEN.4]} &{TfToken[TOKEN.5]}'],
  ])('keeps the token markers of %j', (text, expected) => {
    expect(escapeLiteralText(text)).toBe(expected);
  });
});

describe('parseTemplate', () => {
  test.each(TEMPLATES)('%j: %s', (template, kind) => {
    const parsed = parseTemplate(template);
    if (kind === 'error') {
      // A lone directive is malformed for HCL (only a full parser pairs if/endif); here it splits as a directive.
      if (template === '%{ if true }') expect(parsed.ok && parsed.parts.some((part) => part.kind === 'directive')).toBe(true);
      else expect(parsed.ok).toBe(false);
      return;
    }
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const ours = parsed.parts.filter((part) => part.kind !== 'literal');
    if (kind === 'literal') {
      expect(ours).toEqual([]);
      expect(templateLiteral(template)).toBeDefined();
    } else if (kind === 'reference') {
      expect(ours).toHaveLength(1);
      expect(ours[0]?.kind).toBe('interpolation');
      expect(templateLiteral(template)).toBeUndefined();
    } else {
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.every((part) => part.kind === 'directive' || referenceOf(part.expression) === undefined)).toBe(true);
    }
  });
});

describe('referenceOf', () => {
  it.each([
    ['kubernetes_namespace_v1.compartment_namespace_B7ED5003.metadata[0].name', 'kubernetes_namespace_v1.compartment_namespace_B7ED5003'],
    ['data.terraform_remote_state.cross-stack.outputs["x"]', 'data.terraform_remote_state.cross-stack'],
    ['helm_release.openbao_release.name', 'helm_release.openbao_release'],
  ])('%s names %s', (expression, target) => {
    expect(referenceOf(expression)?.target).toBe(target);
  });

  it.each([
    'var.x',
    'local.x',
    'module.m.out',
    'path.module',
    'self.id',
    'count.index',
    'each.key',
    'terraform.workspace',
    'x',
    'data.x',
    'file("/etc/passwd")',
    'a.b + 1',
    'a.b[x]',
    'a.b["${c}"]',
    'a.b.*.c',
  ])('%s is not a plain resource reference', (expression) => {
    expect(referenceOf(expression)).toBeUndefined();
  });
});
