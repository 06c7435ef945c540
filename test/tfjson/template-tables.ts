/** The template tables both the pure tests and the comparison with HCL 2's own parser read. */

/** Literal text and the template that must evaluate to it. */
export const ESCAPES: readonly (readonly [string, string])[] = [
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

/** Templates and how HCL splits them: literal only, with a reference, with another expression or directive, or malformed. */
export const TEMPLATES: readonly (readonly [string, 'literal' | 'reference' | 'expression' | 'error'])[] = [
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
