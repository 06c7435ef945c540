import { EMAIL_CONFIG_PATH } from '../../../model/synapse-email';
import { readGoTemplate, type GoTemplatePart } from '../../../tfjson/go-template';
import { EXTERNAL_SECRETS_GROUP, manifestsOfKind, specOf } from '../../../tfjson/manifests';
import { parseSynapseYaml } from '../../../tfjson/synapse-config';
import { block, isObject, stringMap, type JsonValue, type SynthesizedStack } from '../../../tfjson/terraform-json';
import { templateLiteral } from '../../../tfjson/terraform-template';
import type { Rule, Violation } from '../../rule';

/** The Secret key Synapse loads as an extra `--config-path`, after homeserver.yaml. */
const EMAIL_FILE = EMAIL_CONFIG_PATH.slice(EMAIL_CONFIG_PATH.lastIndexOf('/') + 1);
/** The only place a secret value belongs in that file. */
const PASSWORD_PATH = 'email.smtp_pass';

/** Stands for a value while the template is read: text no literal part of a YAML file holds. */
const slot = (name: string) => `\u0000value:${name}`;

/** Where a value's slot ended up in the parsed document: whole scalars and scalars it was printed into. */
function slotPlaces(value: JsonValue | undefined, marker: string, path: string): { path: string; whole: boolean }[] {
  if (typeof value === 'string') return value.includes(marker) ? [{ path, whole: value === marker }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => slotPlaces(item, marker, `${path}[${index}]`));
  if (isObject(value))
    return Object.entries(value).flatMap(([key, child]) => [
      ...(key.includes(marker) ? [{ path: `${path}.${key} (key)`, whole: false }] : []),
      ...slotPlaces(child, marker, path ? `${path}.${key}` : key),
    ]);
  return [];
}

/** Problems of one email.yaml template, from its own actions and from the document it evaluates to. */
function emailTemplateProblems(template: string): string[] {
  const parts: GoTemplatePart[] = readGoTemplate(template);
  const problems: string[] = [];
  for (const part of parts) {
    if (part.kind === 'unknown')
      problems.push(
        `template action ${JSON.stringify(part.action)} is not one this project writes (literal text, {{ .value }} or {{ .value | toJson }}): it could print a value anywhere or add keys of its own`,
      );
    if (part.kind === 'value' && part.format === 'raw')
      problems.push(
        `prints .${part.name} unquoted: a quote or line break in the value would write YAML of its own; print it with {{ .${part.name} | toJson }}`,
      );
  }
  if (problems.length > 0) return problems;
  const values = [...new Set(parts.flatMap((part) => (part.kind === 'value' ? [part.name] : [])))];
  const text = parts
    .map((part) => (part.kind === 'text' ? part.text : part.kind === 'value' ? JSON.stringify(slot(part.name)) : ''))
    .join('');
  const document = parseSynapseYaml(text);
  if (!document) return ['does not evaluate to a YAML mapping'];
  const extra = Object.keys(document).filter((key) => key !== 'email');
  if (extra.length > 0)
    problems.push(
      `holds top-level ${extra.map((key) => JSON.stringify(key)).join(', ')} beside "email": Synapse loads this file after homeserver.yaml, so its keys override the audited settings`,
    );
  if (!isObject(document.email)) problems.push('has no "email" mapping');
  if (values.length === 0) problems.push(`prints no secret value: ${PASSWORD_PATH} would be empty`);
  for (const name of values) {
    const printed = parts.filter((part) => part.kind === 'value' && part.name === name).length;
    const places = slotPlaces(document, slot(name), '');
    const elsewhere = printed !== 1 || places.length !== 1 || !places.every((place) => place.whole && place.path === PASSWORD_PATH);
    if (elsewhere)
      problems.push(
        `prints .${name} ${printed} time(s), ${places.length === 0 ? 'nowhere the document holds (a comment?)' : `at ${places.map((place) => place.path).join(', ')}`}: a secret value belongs once, whole, in ${PASSWORD_PATH}`,
      );
  }
  return problems;
}

/** The email.yaml templates of the stack's ExternalSecrets, as written. */
function emailTemplates(stack: SynthesizedStack): { address: string; text: string }[] {
  return manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'ExternalSecret').flatMap((view) => {
    const text = stringMap(block(block(block(specOf(view).target)?.template))?.data)[EMAIL_FILE];
    return text === undefined ? [] : [{ address: `${view.resource.address} template "${EMAIL_FILE}"`, text }];
  });
}

/**
 * The Secret-held email.yaml (an External Secrets template loaded by Synapse after
 * homeserver.yaml) evaluates, with the template actions the project writes, to the `email:`
 * section alone, with the password printed once, JSON-quoted, as email.smtp_pass: no other
 * action, no other top-level key, no value anywhere else.
 */
export const rule: Rule = {
  id: 'APP-11',
  title: 'The Secret-held email file holds only the email section',
  level: 'error',
  lesson:
    'Synapse reads the email file last: a key added there (registration, guest access) silently overrides every audited setting, and a template action can print the password wherever it likes.',
  references: { nsaCisa: 'Secrets: keep them out of configuration', anssi: 'R26' },
  fix: 'Render email.yaml with render/synapse (literal text escaped for Go templates, the password as {{ .password | toJson }}) and keep every other setting in homeserver.yaml.',
  appliesTo: {
    subject: `${EMAIL_FILE} template (an ExternalSecret delivering Synapse's email settings)`,
    presentIn: (stack) => emailTemplates(stack).length > 0,
  },
  check: (stack) =>
    emailTemplates(stack).flatMap(({ address, text }): Violation[] =>
      emailTemplateProblems(templateLiteral(text) ?? text).map((message) => ({ address, message })),
    ),
};
