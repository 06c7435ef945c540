/** The case table of APP-11 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import type { HomeserverSettings } from '../../../config/deployment-config';
import { SECRET_NAMES } from '../../../model/secrets';
import { externalSecret } from '../../../render/manifests/secret-delivery';
import { emailSection } from '../../../render/synapse/homeserver-config';
import { toSynapseYaml } from '../../../render/synapse/render-yaml';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import { add, HOMESERVER_NAMESPACE, manifestResource, SITE_HOMESERVER, type Mutation } from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';
import { escapeTemplateText } from '../../../tfjson/terraform-template';
import { homeserverSecretDeclarations } from '../../../workloads/secrets';

// ---------------------------------------------------------------- APP-11: the Secret-held email.yaml
/** The default homeserver sending mail, with `notifFrom` as given (the renderers are called below the config validation). */
function mailingHomeserver(notifFrom = 'Agency Matrix <matrix@agency.example.org>'): HomeserverSettings {
  return {
    ...SITE_HOMESERVER,
    synapse: { ...SITE_HOMESERVER.synapse, smtp: { host: 'smtp.agency.example.org', port: 587, username: 'matrix', notifFrom } },
  };
}

/** The email.yaml template the real renderer writes. */
function renderedEmailTemplate(homeserver = mailingHomeserver()): string {
  const email = homeserverSecretDeclarations(homeserver).find((declaration) => declaration.name === SECRET_NAMES.email);
  const template = email?.files['email.yaml']?.template;
  if (template === undefined) throw new Error('no email.yaml template');
  return template;
}

const EMAIL_SECRET = 'kubernetes_manifest.secret-delivery_synapse-email_manifest';

const emailTemplateAddress = `${EMAIL_SECRET} template "email.yaml"`;

/** Adds the synapse-email ExternalSecret, as the homeserver stack writes it, with `template` as its email.yaml. */
function withEmailSecret(template: string = renderedEmailTemplate()): Mutation {
  return (j) => {
    const declaration = homeserverSecretDeclarations(mailingHomeserver()).find((candidate) => candidate.name === SECRET_NAMES.email);
    if (!declaration) throw new Error('no synapse-email declaration');
    const object = externalSecret({
      declaration: {
        ...declaration,
        files: { 'email.yaml': { ...declaration.files['email.yaml']!, template: escapeTemplateText(template) } },
      },
      homeserverName: 'agency',
      namespace: HOMESERVER_NAMESPACE,
      refreshInterval: '1h',
      labels: {},
    });
    add(
      j,
      { type: 'kubernetes_manifest', name: 'secret-delivery_synapse-email_manifest' },
      manifestResource(JSON.parse(JSON.stringify(object)) as JsonObject),
    );
  };
}

/** The rendered template with one substring replaced. */
function editedEmail(from: string, to: string): Mutation {
  const template = renderedEmailTemplate();
  if (!template.includes(from)) throw new Error(`email.yaml has no ${JSON.stringify(from)}`);
  return withEmailSecret(template.replace(from, to));
}

const PASSWORD_ACTION = '{{ .password | toJson }}';

const emailFires = (name: string, mutate: Mutation, message: BadCase['message']): BadCase => ({
  name,
  mutate,
  address: emailTemplateAddress,
  message,
});

export const cases: RuleCases = {
  bad: [
    emailFires(
      "the review's attack: a sender that prints the password, templated without escaping (as before)",
      withEmailSecret(
        toSynapseYaml(emailSection(mailingHomeserver('{{ .password }} <matrix@agency.example.org>'), '{{ .password }}') ?? {}, 'email'),
      ),
      /prints \.password unquoted/,
    ),
    emailFires(
      'a top-level key beside email, as literal text',
      withEmailSecret(`${renderedEmailTemplate()}enable_registration: true\n`),
      'holds top-level "enable_registration" beside "email"',
    ),
    emailFires(
      'a key beside email in explicit-key syntax',
      withEmailSecret(`${renderedEmailTemplate()}? allow_guest_access\n: true\n`),
      'holds top-level "allow_guest_access" beside "email"',
    ),
    emailFires(
      'an action printing a key',
      editedEmail('  enable_notifs: false', '  enable_notifs: false{{ "\\nenable_registration: true" }}'),
      /template action "\{\{ \\"\\\\nenable_registration: true\\" \}\}" is not one this project writes/,
    ),
    emailFires(
      'a sprig pipeline',
      editedEmail('  enable_notifs: false', '  enable_notifs: false{{`allow_guest_access: true`|nindent 0}}'),
      'is not one this project writes',
    ),
    emailFires(
      'a trim marker around the password',
      editedEmail(PASSWORD_ACTION, '{{- .password | toJson -}}'),
      'is not one this project writes',
    ),
    emailFires('an unclosed action', withEmailSecret(`${renderedEmailTemplate()}{{ .password`), 'is not one this project writes'),
    emailFires('the password printed raw', editedEmail(PASSWORD_ACTION, '"{{ .password }}"'), 'prints .password unquoted'),
    emailFires(
      'the password printed twice (once into the sender)',
      editedEmail('"Agency Matrix <matrix@agency.example.org>"', PASSWORD_ACTION),
      /prints \.password 2 time\(s\), at email\.smtp_pass, email\.notif_from/,
    ),
    emailFires(
      'the password printed into a comment as well',
      withEmailSecret(`${renderedEmailTemplate()}# ${PASSWORD_ACTION}\n`),
      /prints \.password 2 time\(s\)/,
    ),
    emailFires(
      'the password moved to another setting',
      (j) =>
        withEmailSecret(
          renderedEmailTemplate()
            .replace(PASSWORD_ACTION, '"literal"')
            .replace('"Agency Matrix <matrix@agency.example.org>"', PASSWORD_ACTION),
        )(j),
      /prints \.password 1 time\(s\), at email\.notif_from/,
    ),
    emailFires('no password at all', editedEmail(PASSWORD_ACTION, '""'), 'prints no secret value'),
    emailFires('not YAML', withEmailSecret(`email: [${PASSWORD_ACTION}\n`), 'does not evaluate to a YAML mapping'),
    emailFires('the password as the whole email section', withEmailSecret(`email: ${PASSWORD_ACTION}\n`), 'has no "email" mapping'),
  ],
  good: [
    { name: 'the synapse-email ExternalSecret as the homeserver stack renders it', mutate: withEmailSecret() },
    {
      name: 'a sender holding template actions, rendered below the config validation (printed as text)',
      mutate: withEmailSecret(
        renderedEmailTemplate(
          mailingHomeserver('{{`x`|quote|trunc 1}}{{`enable_registration: true #`|nindent 0}} <{{ .password }}@agency.example.org>'),
        ),
      ),
    },
    {
      name: 'literal braces written as the renderer writes them',
      mutate: editedEmail('  enable_notifs: false', '  enable_notifs: false\n  subjects: { x: "{{ "{{" }} y {{ "{" }}" }'),
    },
  ],
};
