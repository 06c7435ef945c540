/**
 * The ESO template CLI is ESO's real engine (engineVersion v2), not a look-alike: it links
 * ESO's module and sprig fork, knows ESO's own functions, refuses what ESO removes, fails
 * where ESO fails and returns the rendered bytes unchanged.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  ESO_TEMPLATE_ENGINE_VERSION,
  esoTemplateBinary,
  esoTemplateLinkedModules,
  renderExternalSecretTemplates,
} from '../support/eso-template';

const PASSWORD = 'c0rrect horse:battery\\staple #1';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const SEED = privateKey.export({ format: 'jwk' }).d ?? '';

const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

interface Rendered {
  readonly name: string;
  readonly template: string;
  readonly data: Readonly<Record<string, string>>;
  readonly expected: string;
}

/** Templates ESO renders, and the exact Secret value it writes for each. */
const RENDERED: readonly Rendered[] = [
  {
    name: 'substitutes a value into a libpq passfile line',
    template: 'host:5432:synapse:synapse:{{ .password }}',
    data: { password: PASSWORD },
    expected: `host:5432:synapse:synapse:${PASSWORD}`,
  },
  {
    name: 'sprig sha256sum is the hex SHA-256 of the value (Redis ACL)',
    template: 'user default on #{{ .password | sha256sum }} ~* &* +@all',
    data: { password: PASSWORD },
    expected: `user default on #${sha256Hex(PASSWORD)} ~* &* +@all`,
  },
  {
    name: 'substitutes a Synapse signing key seed',
    template: 'ed25519 a_x {{ .seed }}',
    data: { seed: SEED },
    expected: `ed25519 a_x ${SEED}`,
  },
  { name: 'keeps a multi-line PEM value byte-exact', template: '{{ .key }}', data: { key: PRIVATE_PEM }, expected: PRIVATE_PEM },
  {
    name: 'adds no trailing newline to a value without one',
    template: '{{ .key }}',
    data: { key: PRIVATE_PEM.trimEnd() },
    expected: PRIVATE_PEM.trimEnd(),
  },
  {
    name: "keeps the template's own trailing newline",
    template: '{{ .password }}\n',
    data: { password: PASSWORD },
    expected: `${PASSWORD}\n`,
  },
  {
    name: "ESO's own filterPEM function picks one block from a bundle",
    template: '{{ .bundle | filterPEM "PUBLIC KEY" }}',
    data: { bundle: PRIVATE_PEM + PUBLIC_PEM },
    expected: PUBLIC_PEM,
  },
  {
    name: '`index` on a missing key yields empty: missingkey=error only covers field syntax',
    template: '[{{ index . "absent" }}]',
    data: { password: PASSWORD },
    expected: '[]',
  },
];

interface Refused {
  readonly name: string;
  readonly template: string;
  readonly data: Readonly<Record<string, string>>;
  readonly error: RegExp;
}

/** Templates on which ESO fails the sync, and the error it reports. */
const REFUSED: readonly Refused[] = [
  {
    name: 'sprig env, removed by ESO',
    template: '{{ env "HOME" }}',
    data: {},
    error: /unable to parse template at key out: .*function "env" not defined/,
  },
  { name: 'sprig expandenv, removed by ESO', template: '{{ expandenv "$HOME" }}', data: {}, error: /function "expandenv" not defined/ },
  {
    name: "sha512sum, absent from ESO's sprig fork (upstream sprig 3.3.0 has it)",
    template: '{{ .password | sha512sum }}',
    data: { password: PASSWORD },
    error: /function "sha512sum" not defined/,
  },
  {
    name: 'a malformed template',
    template: 'host:5432:synapse:synapse:{{ .password ',
    data: { password: PASSWORD },
    error: /unable to parse template at key out: .*unclosed action/,
  },
  {
    name: 'a missing key (ESO parses with missingkey=error)',
    template: 'host:5432:synapse:synapse:{{ .pasword }}',
    data: { password: PASSWORD },
    error: /unable to execute template at key out: .*map has no entry for key "pasword"/,
  },
  {
    name: 'a missing key even with a default (the lookup fails first)',
    template: '{{ .absent | default "fallback" }}',
    data: {},
    error: /map has no entry for key "absent"/,
  },
];

describe(`ESO ${ESO_TEMPLATE_ENGINE_VERSION} template engine (engineVersion v2)`, () => {
  beforeAll(() => {
    esoTemplateBinary(); // a cold build links client-go, as ESO's engine package does
  }, 30 * 60_000);

  test('the CLI links the ESO module and the ESO sprig fork, not upstream sprig', () => {
    expect(esoTemplateLinkedModules()).toEqual({ eso: ESO_TEMPLATE_ENGINE_VERSION, sprig: 'github.com/external-secrets/sprig/v3@v3.3.0' });
  });

  test.each(RENDERED)('renders: $name', ({ template, data, expected }) => {
    expect(renderExternalSecretTemplates({ out: template }, data)).toStrictEqual({ out: expected });
  });

  test.each(REFUSED)('refuses: $name', ({ template, data, error }) => {
    expect(() => renderExternalSecretTemplates({ out: template }, data)).toThrow(error);
  });

  test('renders every key of a template map into its own Secret key', () => {
    const templates = {
      passfile: 'host:5432:synapse:synapse:{{ .password }}',
      'users.acl': 'user default on #{{ .password | sha256sum }}',
    };
    expect(renderExternalSecretTemplates(templates, { password: PASSWORD })).toStrictEqual({
      passfile: `host:5432:synapse:synapse:${PASSWORD}`,
      'users.acl': `user default on #${sha256Hex(PASSWORD)}`,
    });
  });

  test('the CLI exits non-zero on a refused template, with the engine error on stderr', () => {
    expect(() => renderExternalSecretTemplates({ a: '{{ .x }}', b: '{{ .y }}' }, {})).toThrow(
      /^ESO v0\.20\.4 template engine: unable to execute template at key [ab]:/,
    );
  });
});
