import { templateStrings, type TemplatePath } from '../../../tfjson/template-positions';
import { isObject, type SynthesizedStack } from '../../../tfjson/terraform-json';
import { parseTemplate, referenceOf, type TemplatePart } from '../../../tfjson/terraform-template';
import type { Rule, Violation } from '../../rule';

/** Resource and data source addresses the stack declares (`type.name`, `data.type.name`). */
function declared(stack: SynthesizedStack): Set<string> {
  const addresses = new Set<string>();
  for (const [mode, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    const byType = stack.json[mode];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType))
      if (isObject(byName)) for (const name of Object.keys(byName)) addresses.add(`${prefix}${type}.${name}`);
  }
  return addresses;
}

const BLOCK_ADDRESS: Readonly<Record<string, (path: TemplatePath) => [string, number]>> = {
  resource: (path) => [`${String(path[1])}.${String(path[2])}`, 3],
  data: (path) => [`data.${String(path[1])}.${String(path[2])}`, 3],
  provider: (path) => [`provider.${String(path[1])}`, typeof path[2] === 'number' ? 3 : 2],
  output: (path) => [`output.${String(path[1])}`, 2],
  module: (path) => [`module.${String(path[1])}`, 2],
  variable: (path) => [`var.${String(path[1])}`, 2],
};

/** The block a template sits in and the field inside it: `kubernetes_config_map_v1.x` and `data["configure.sh"]`. */
function locate(path: TemplatePath): { address: string; field: string } {
  const [address, depth] = BLOCK_ADDRESS[String(path[0])]?.(path) ?? [String(path[0]), 1];
  const field = path
    .slice(depth)
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`,
    )
    .join('')
    .replace(/^\./, '');
  return { address, field: field || '(block)' };
}

function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Why a part of a template is not literal text or a reference to this stack, if it is not. */
function problemOf(part: TemplatePart, addresses: ReadonlySet<string>): string | undefined {
  if (part.kind === 'literal') return undefined;
  if (part.kind === 'directive') return `directive %{ ${shown(part.expression)} }`;
  const reference = referenceOf(part.expression);
  if (!reference)
    return `interpolation \${${shown(part.expression)}} is not a reference to a resource (a function call, variable or expression evaluated at plan time)`;
  return addresses.has(reference.target)
    ? undefined
    : `interpolation \${${shown(part.expression)}} refers to ${reference.target}, which this stack does not declare`;
}

/**
 * Every string the engine reads as a template (resource, data, provider, output, locals and
 * module blocks, object keys included; not the `terraform` block or `//` comments) is literal
 * text, with `${` and `%{` escaped, or interpolates only plain references to resources and data
 * sources of the same stack. No function call, variable or directive runs at plan time, and
 * nothing is malformed.
 */
export const rule: Rule = {
  id: 'SEC-06',
  title: "Strings are literal text or references to this stack's resources",
  level: 'error',
  lesson:
    'A config value that reaches Terraform unescaped is code: `${file(pathexpand("~/.kube/config"))}` in one field would copy the deploying machine\'s credentials into the plan, the state and the cluster, as readable as the hard-coded LDAP credentials were.',
  references: { nsaCisa: 'Secrets: keep them out of configuration', anssi: 'R26' },
  fix: 'Write literal text with `$${` and `%%{` (every stack of this project does it when it writes its JSON), refer only to resources declared in the same stack, and never let a config value carry Terraform syntax.',
  check: (stack) => {
    const addresses = declared(stack);
    const violations: Violation[] = [];
    for (const { text, path, role } of templateStrings(stack.json)) {
      if (!text.includes('{')) continue;
      const { address, field } = locate(role === 'key' ? path.slice(0, -1) : path);
      const where = role === 'key' ? `key ${JSON.stringify(shown(text))} of ${field}` : field;
      const parsed = parseTemplate(text);
      if (!parsed.ok) {
        violations.push({ address, message: `${where}: malformed template (${parsed.error})` });
        continue;
      }
      for (const part of parsed.parts) {
        const problem = problemOf(part, addresses);
        if (problem) violations.push({ address, message: `${where}: ${problem}` });
      }
    }
    return violations;
  },
};
