/**
 * Terraform's template grammar in TypeScript (escaping literal text, splitting templates)
 * against HCL 2's own template parser, the one OpenTofu reads every string of Terraform JSON with.
 */
import { escapeLiteralText } from '../../stacks/template-safe-stack';
import { escapeTemplateText, parseTemplate, referenceOf, templateLiteral } from '../../tfjson/terraform-template';
import { readTemplates } from '../support/hcl';

/** Literal text and the template that must evaluate to it. */
const ESCAPES: readonly (readonly [string, string])[] = [
  ['plain text', 'plain text'],
  ['', ''],
  ['${x}', '$${x}'],
  ['%{ if true }x%{ endif }', '%%{ if true }x%%{ endif }'],
  ['${file("/etc/passwd")}', '$${file("/etc/passwd")}'],
  // An author's escape is literal text too: it must survive as written.
  ['$${x}', '$$${x}'],
  ['%%{ if }', '%%%{ if }'],
  ['$$', '$$'],
  ['$', '$'],
  ['%', '%'],
  ['100% {done}', '100% {done}'],
  ['$ {x}', '$ {x}'],
  ['${${nested}}', '$${$${nested}}'],
  ['${a{b}c}', '$${a{b}c}'],
  ['{{ .password }}', '{{ .password }}'],
  ['name="${file#policy.}"; name="${name%.hcl}"', 'name="$${file#policy.}"; name="$${name%.hcl}"'],
  ['ends with $', 'ends with $'],
  ['ends with ${', 'ends with $${'],
  ['\\${x} and \\n', '\\$${x} and \\n'],
  ['${~ x ~}', '$${~ x ~}'],
  ['line\n${x}\r\n%{y}', 'line\n$${x}\r\n%%{y}'],
];

describe('escapeTemplateText', () => {
  test.each(ESCAPES)('%j is written as %j', (literal, template) => {
    expect(escapeTemplateText(literal)).toBe(template);
  });

  it('writes templates that HCL evaluates, with no variables and no functions, to exactly the literal text', () => {
    const reports = readTemplates(ESCAPES.map(([literal]) => escapeTemplateText(literal)));
    expect(reports.map((report) => report.value)).toEqual(ESCAPES.map(([literal]) => literal));
    expect(reports.every((report) => report.parts.every((part) => part.kind === 'literal'))).toBe(true);
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

/** Templates and how HCL splits them: literal only, with a reference, with another expression or directive, or malformed. */
const TEMPLATES: readonly (readonly [string, 'literal' | 'reference' | 'expression' | 'error'])[] = [
  ['plain', 'literal'],
  ['$${x}', 'literal'],
  ['%%{ if }', 'literal'],
  ['$', 'literal'],
  ['a $ b % c', 'literal'],
  ['$$${x}', 'literal'],
  ['${kubernetes_namespace_v1.ns_1.metadata[0].name}', 'reference'],
  ['prefix-${kubernetes_service_v1.a-b.metadata[0].name}.svc', 'reference'],
  ['${data.terraform_remote_state.x.outputs["k"]}', 'reference'],
  ['${~ kubernetes_namespace_v1.ns.id ~}', 'reference'],
  ['${x}', 'reference'],
  ['${var.secret}', 'reference'],
  ['${file("/etc/passwd")}', 'expression'],
  ['${upper("}")}', 'expression'],
  ['${ { a = "}" }.a }', 'expression'],
  ['${"${x}"}', 'expression'],
  ['%{ if true }x%{ endif }', 'expression'],
  ['%{ for x in [1] }${x}%{ endfor }', 'expression'],
  ['${', 'error'],
  ['${x', 'error'],
  ['a ${ "}" ', 'error'],
  ['%{ if true }', 'error'],
  ['${}', 'error'],
];

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
