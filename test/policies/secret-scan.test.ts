import { loadDeploymentConfig } from '../../model/load-config';
import { scanJson, scanText, shannonEntropy } from '../../policies/secrets/secret-scan';
import { certManagerValues } from '../../render/charts/cert-manager-values';
import { renderValues } from '../../render/charts/chart-values';
import { externalSecretsValues } from '../../render/charts/external-secrets-values';
import { openbaoValues } from '../../render/charts/openbao-values';
import { trustManagerValues } from '../../render/charts/trust-manager-values';
import { renderRealmFile } from '../../render/keycloak/realm';
import { escapeTemplateText } from '../../tfjson/terraform-template';
import { workloadsOf } from '../../workloads/catalogue';
import { configuratorWorkload } from '../../workloads/platform-workloads';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

describe('secret scanner: planted secrets are found', () => {
  it.each([
    ['yaml key with a literal', 'smtp_pass: "correct horse battery"\n', /secret-like key "smtp_pass"/],
    ['conf directive', 'requirepass s3cr3t\n', /secret-like key "requirepass"|literal/],
    ['ini password', 'password = Winter2026!\n', /secret-like key "password"/],
    ['PEM key', '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n', /PEM private key/],
    ['Synapse signing key', 'ed25519 a_AbCd ' + 'q'.repeat(10) + 'Zx9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0GcK7Qz9Lm2Vx8R' + '\n', /Synapse signing key/],
    ['libpq passfile line', 'postgres.agency-homeserver.svc:5432:synapse:synapse:k7Qz9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0Gc\n', /high-entropy token/],
    ['Redis ACL with a clear-text password', 'user default on >hunter2 ~* +@all\n', /Redis ACL password/],
    ['AWS key', 'aws_access_key_id AKIAIOSFODNN7EXAMPLE\n', /AWS access key id/],
    ['hex API key', 'key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n', /high-entropy token|secret-like key/],
    ['OpenBao token in a script', 'export BAO_TOKEN=s.Q7xK2mV9pL4tR8wN3bZ6cY1d\n', /OpenBao\/Vault token|secret-like key/],
    ['Vault token in HCL', 'token = "hvs.CAESIJlWh3hRkq8pZ0zYx7Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0GcK7Q"\n', /OpenBao\/Vault token|secret-like key/],
    [
      'static seal key in the OpenBao config',
      'seal "static" {\n  current_key = "k7Qz9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0GcX2aB4dE6fG8h"\n}\n',
      /high-entropy token/,
    ],
    [
      'generated password in Helm values',
      'server:\n  extraEnvironmentVars:\n    BAO_TOKEN: Zx9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0Gc\n',
      /secret-like key "BAO_TOKEN"|high-entropy/,
    ],
    [
      'a lower-case-looking key in a path with a mixed-case base64 segment',
      'path "matrix/data/Zx9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0Gc/x" {\n',
      /high-entropy token/,
    ],
    [
      'a key hidden as one directory of a kubeconfig path',
      'config_path: /home/ops/Zx9Lm2Vx8Rt4Np6Ws1Yb3Hd5Jf0GcQ/kubeconfig\n',
      /high-entropy token/,
    ],
    ['a lower-case 32-character random path segment', 'path "matrix/data/k7qz9lm2vx8rt4np6ws1yb3hd5jf0gcx2/x" {\n', /high-entropy token/],
    [
      'S3 credentials file',
      '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
      /AWS access key id|secret-like key/,
    ],
  ])('%s', (_name, text, reason) => {
    const hits = scanText(text, 'planted.conf');
    expect(hits.map((hit) => hit.reason)).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
    for (const hit of hits) expect(text).not.toContain(hit.preview.length > 12 ? hit.preview : '\u0000');
  });

  it.each([
    ['PEM private key', '-----BEGIN PRIVATE KEY-----'],
    ['AWS access key id', 'ASIAIOSFODNN7EXAMPLE'],
    ['JSON web token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXBhcnQ'],
    ['URL with embedded credentials', 'ldaps://admin:hunter2@ldap.example.org'],
    ['Synapse signing key', `ed25519 a_AbCd ${'Zx9Lm2Vx8R'.repeat(5)}`],
    ['Synapse access token', 'syt_YWxpY2U_AbCdEfGhIjKlMnOpQrSt_1a2B3c'],
    ['GitHub token', `ghp_${'Ab1'.repeat(12)}`],
    ['Slack token', 'xoxb-1234567890-abcdef'],
    ['Redis ACL password', 'user default on >hunter2'],
    ['OpenBao/Vault token', 'hvs.CAESIJlWh3hRkq8pZ0zYx7Lm2V'],
  ])('names the format of a %s under a key that says nothing', (format, value) => {
    expect(scanJson({ note: value }).map((hit) => hit.reason)).toContain(format);
  });

  it('names the JSON path of a planted value and never echoes it', () => {
    const hits = scanJson({
      resource: { kubernetes_deployment_v1: { x: { env: [{ name: 'LDAP_BIND_PASSWORD', value: 'Winter2026!' }] } } },
    });
    expect(hits).toEqual([
      expect.objectContaining({ location: '$.resource.kubernetes_deployment_v1.x.env[0](LDAP_BIND_PASSWORD)', preview: 'Wi…(11 chars)' }),
    ]);
  });
});

describe('secret scanner: JSON documents and Keycloak realms', () => {
  const realmText = renderRealmFile(loadDeploymentConfig(FLEET_CONFIG_FILE).homeservers[0]!);
  const realm = JSON.parse(realmText) as Record<string, unknown> & { clients: Record<string, unknown>[] };
  const withSecret = (secret: unknown) => `${JSON.stringify({ ...realm, clients: [{ ...realm.clients[0], secret }] }, null, 2)}\n`;
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

  it("accepts the realm's two references, rendered and as Terraform JSON writes them ($${ escaped)", () => {
    expect(realmText).toContain('"secret": "${MATRIX_SYNAPSE_CLIENT_SECRET}"');
    expect(realmText).toContain('"${vault.ldapbind}"');
    expect(scanText(realmText, 'realm.json')).toEqual([]);
    expect(scanJson({ data: { 'realm.json': escapeTemplateText(realmText) } })).toEqual([]);
  });

  it.each([
    ['a literal', 'Winter2026-synapse'],
    ['a placeholder with a literal default', '${MATRIX_SYNAPSE_CLIENT_SECRET:Winter2026}'],
    ['a lower-case placeholder', '${client_secret}'],
    ['a placeholder inside text', 'x${MATRIX_SYNAPSE_CLIENT_SECRET}'],
    ['an env. prefixed placeholder', '${env.MATRIX_SYNAPSE_CLIENT_SECRET}'],
    ['a file path (a realm has no path options)', '/secrets/oidc-client/secret'],
    ['a shell substitution (a realm runs no shell)', '$(cat /secrets/oidc-client/secret)'],
    ['a number', 123456],
  ])('flags %s as the client secret, rendered and in Terraform JSON, on its line', (_name, secret) => {
    const text = withSecret(secret);
    const line = lineOf(text, '"secret":');
    expect(scanText(text, 'realm.json')).toContainEqual(
      expect.objectContaining({ location: `realm.json:${line}`, reason: 'secret-like key "secret" holds a literal value' }),
    );
    expect(scanJson({ data: { 'realm.json': escapeTemplateText(text) } })).toContainEqual(
      expect.objectContaining({ location: `$.data.realm.json:${line}`, reason: 'secret-like key "secret" holds a literal value' }),
    );
  });

  it('reads a realm written on one line (minified) as a file too', () => {
    const text = JSON.stringify(JSON.parse(withSecret('Winter2026-synapse')));
    expect(scanJson({ data: { 'realm.json': escapeTemplateText(text) } })).toContainEqual(
      expect.objectContaining({ location: '$.data.realm.json:1', reason: 'secret-like key "secret" holds a literal value' }),
    );
    expect(scanJson({ data: { 'realm.json': escapeTemplateText(JSON.stringify(realm)) } })).toEqual([]);
  });

  it("reads a list item under the list's key, and a credential's value under its credentials", () => {
    const text = JSON.stringify(
      {
        realm: 'matrix',
        components: { ldap: [{ config: { bindCredential: ['Winter2026!'] } }] },
        users: [{ credentials: [{ type: 'password', value: 'hunter2' }] }],
      },
      null,
      2,
    );
    expect(scanText(text, 'realm.json').map((hit) => [hit.location, hit.reason])).toEqual([
      [`realm.json:${lineOf(text, 'Winter2026!')}`, 'secret-like key "bindCredential" holds a literal value'],
      [`realm.json:${lineOf(text, 'hunter2')}`, 'secret-like key "credentials" holds a literal value'],
    ]);
  });

  it('outside a realm, a placeholder stays a reference of the program reading the file (the realm forms are no exception there)', () => {
    expect(scanText('{\n  "secret": "${DB_SECRET}"\n}\n', 'app.json')).toEqual([]);
    expect(scanText('{\n  "secret": ["Winter2026!"]\n}\n', 'app.json')).toEqual([
      expect.objectContaining({ location: 'app.json:2', reason: 'secret-like key "secret" holds a literal value' }),
    ]);
  });
});

describe('secret scanner: look-alikes are not flagged', () => {
  it.each([
    ['path option', 'bind_password_file: "/secrets/ldap/password"'],
    ['passfile path', 'passfile: "/run/secrets/pgpass"'],
    ['image digest', 'image: ghcr.io/element-hq/synapse:v1.159.0@sha256:edf259d2b575b669a3e81024918ab8d5cfb7d2fba5a53c9e09695f1abc5645cb'],
    ['secret reference by name', 'secret_name: synapse-signing-key'],
    ['words joined by underscores', 'module: ldap_auth_provider.LdapAuthProviderModule'],
    ['postgres setting', 'password_encryption=scram-sha-256'],
    ['OpenBao policy path of a homeserver named with digits', 'path "matrix/data/hs001/synapse-database" {'],
    ['OpenBao metadata path', 'path "matrix/metadata/region2/synapse-signing-key" {'],
  ])('%s', (_name, text) => {
    expect(scanText(text, 'ok.conf')).toEqual([]);
  });

  it('a kubeconfig path through a temporary directory with a mixed-case random suffix', () => {
    expect(scanJson({ provider: { kubernetes: [{ config_path: '/tmp/engine-default-VpTLdn/world/tier/admin.kubeconfig' }] } })).toEqual([]);
  });

  it('computes entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});

describe('secret scanner over real output', () => {
  const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);

  it('finds nothing in any rendered config file of the fleet', () => {
    const files = fleet.homeservers
      .flatMap((homeserver) => workloadsOf(fleet, homeserver))
      .flatMap((w) =>
        (w.configFiles ?? []).flatMap((c) => Object.entries(c.files).map(([name, text]) => ({ name: `${w.name}/${name}`, text }))),
      );
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.flatMap((file) => scanText(file.text, file.name))).toEqual([]);
  });

  it('finds nothing in the platform: OpenBao configuration, configurator input, chart values', () => {
    const configurator = configuratorWorkload(fleet).configFiles?.[0]?.files ?? {};
    const charts = {
      'openbao-values.yaml': openbaoValues(fleet),
      'cert-manager-values.yaml': certManagerValues(fleet),
      'trust-manager-values.yaml': trustManagerValues(fleet),
      'external-secrets-values.yaml': externalSecretsValues(fleet),
    };
    const texts = [
      ...Object.entries(configurator).map(([name, text]) => ({ name: `configurator/${name}`, text })),
      ...Object.entries(charts).map(([name, values]) => ({ name, text: renderValues(name, values) })),
    ];
    expect(Object.keys(configurator).filter((name) => name.startsWith('policy.')).length).toBeGreaterThanOrEqual(
      fleet.homeservers.length * 3,
    );
    expect(texts.flatMap((file) => scanText(file.text, file.name))).toEqual([]);
  });

  it('finds nothing in the ExternalSecret templates (they hold placeholders, never values)', () => {
    const templates = fleet.homeservers
      .flatMap((homeserver) => homeserverSecretDeclarations(homeserver))
      .flatMap((declaration) =>
        Object.entries(declaration.files).map(([name, file]) => ({ name: `${declaration.name}/${name}`, text: file.template })),
      );
    expect(templates.flatMap((file) => scanText(file.text, file.name))).toEqual([]);
  });
});
