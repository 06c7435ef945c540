/**
 * Hostile text below the config validation, through the real engines each renderer feeds:
 * External Secrets' template engine and PyYAML (the Secret-held email.yaml, every declared
 * secret file), HCL 1 (OpenBao policies), HAProxy (the well-known answers), a POSIX shell (the
 * configurator's address, the directory's init script), slapd (DNs with inner spaces) and
 * promtool (alert annotations). Each injected marker comes out as the literal text it was, or
 * the renderer refuses to write it; the config refuses all of them earlier (test/config).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { DirectorySettings, HomeserverSettings } from '../../config/deployment-config';
import { loadDeploymentConfig } from '../../model/load-config';
import { type OpenBaoPolicy } from '../../model/secret-access';
import { SECRET_NAMES } from '../../model/secrets';
import { renderHaproxyConfig } from '../../render/gateway/haproxy-config';
import { goTemplate, goTemplateLiteral } from '../../render/go-template';
import { homeserverAlertGroups, renderRuleFile } from '../../render/monitoring/alert-rules';
import { configuratorScript } from '../../render/openbao/configurator';
import { renderOpenBaoPolicy } from '../../render/openbao/policy';
import { DEBIAN_LAYOUT, renderSlapdConfig, slapdInitCommands } from '../../render/openldap';
import { emailConfigTemplate, homeserverConfig } from '../../render/synapse/homeserver-config';
import { toSynapseYaml } from '../../render/synapse/render-yaml';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { renderExternalSecretTemplates } from '../support/eso-template';
import { checkConfig, requireHaproxy, startHaproxy, throwawayPem, waitUntil } from '../support/haproxy';
import { parseHcl } from '../support/hcl';
import { promtool } from '../support/promtool';
import { pyYamlLoad } from '../support/python';
import {
  freePort,
  openLdapPathsUnder,
  requireOpenLdapTools,
  run,
  runInitSteps,
  selfSignedCertificate,
  tempDirectory,
} from '../support/slapd';

// Cold machines build External Secrets' engine, the HCL parser and promtool from Go modules.
jest.setTimeout(30 * 60_000);

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const mailing = fleet.homeservers.find((homeserver) => homeserver.synapse.smtp !== undefined)!;

/** Markers of every engine the strings pass through: Go templates, YAML, HCL, shell, printf, HAProxy, PromQL. */
const MARKERS: readonly string[] = [
  '{{ .password }}',
  '{{ "\\nenable_registration: true" }}',
  '{{`x`|quote|trunc 1}}{{`enable_registration: true #`|nindent 0}}',
  '{{- /* a comment */ -}}',
  '}}{{',
  'ends with a brace {',
  '"\nallow_guest_access: true\n#',
  "'; x: y",
  '\\" \\n \\u0041',
  '${var.x} %{ if true }',
  '$(touch /tmp/pwned) `id` %s %n',
  '# comment',
  'a\u2028b\u0085c',
  "Ministère de l'Intérieur & Cie",
];

/** Hostile passwords (operator-provided values reach the same file). */
const PASSWORDS: readonly string[] = [
  'plain',
  'pa"ss\\word',
  '"\nenable_registration: true\n#',
  '{{ .password }}',
  "it's \u00e9t\u00e9 \u2028 \t",
  '<&>',
];

function withSmtp(smtp: Partial<NonNullable<HomeserverSettings['synapse']['smtp']>>): HomeserverSettings {
  return { ...mailing, synapse: { ...mailing.synapse, smtp: { ...mailing.synapse.smtp!, ...smtp } } };
}

describe('External Secrets renders email.yaml as the literal config and the password, and PyYAML reads only the email section', () => {
  const cases = [
    ...MARKERS.map((marker) => ({
      field: 'notifFrom',
      homeserver: withSmtp({ notifFrom: `${marker} <noreply@agency.example.org>` }),
      expected: { notif_from: `${marker} <noreply@agency.example.org>` },
    })),
    ...MARKERS.map((marker) => ({ field: 'host', homeserver: withSmtp({ host: marker }), expected: { smtp_host: marker } })),
    ...MARKERS.map((marker) => ({ field: 'username', homeserver: withSmtp({ username: marker }), expected: { smtp_user: marker } })),
  ];

  it.each(cases.map((entry) => [entry.field, JSON.stringify(entry.expected), entry] as const))('%s = %s', (_field, _shown, entry) => {
    const template = emailConfigTemplate(entry.homeserver) ?? '';
    for (const password of PASSWORDS) {
      const rendered = renderExternalSecretTemplates({ 'email.yaml': template }, { password })['email.yaml'] ?? '';
      const loaded = pyYamlLoad(rendered);
      expect(Object.keys(loaded)).toEqual(['email']);
      expect(loaded.email).toMatchObject({ ...entry.expected, smtp_pass: password, enable_notifs: false });
    }
  });

  it('the attack of the review: a sender address that printed the password and reopened registration (refused by the config, inert here)', () => {
    const template =
      emailConfigTemplate(
        withSmtp({ notifFrom: '{{`x`|quote|trunc 1}}{{`enable_registration: true #`|nindent 0}} <{{ .password }}@agency.example.org>' }),
      ) ?? '';
    const rendered = renderExternalSecretTemplates({ 'email.yaml': template }, { password: 'the-smtp-password' })['email.yaml'] ?? '';
    expect(rendered.match(/the-smtp-password/g)).toHaveLength(1);
    expect(Object.keys(pyYamlLoad(rendered))).toEqual(['email']);
  });
});

describe('every declared secret file keeps its literal text literal', () => {
  it('the pgpass line of a homeserver whose name carries template actions', () => {
    const hostile: HomeserverSettings = { ...mailing, name: 'x{{ .password }}y{' };
    const database = homeserverSecretDeclarations(hostile).find((declaration) => declaration.name === SECRET_NAMES.database)!;
    const templates = Object.fromEntries(Object.entries(database.files).map(([file, spec]) => [file, spec.template]));
    const rendered = renderExternalSecretTemplates(templates, { password: 'secret0' });
    expect(rendered.pgpass).toBe('postgres-rw.x{{ .password }}y{-homeserver.svc:5432:synapse:synapse:secret0');
  });

  it('goTemplate: literal parts of every shape around value actions', () => {
    const literals = ['{{', '}}', '{', '{{{', 'a{{b}}c', '{{- x -}}', '{{/* c */}}', '{{ template "x" }}', ''];
    const template = goTemplate(...literals.flatMap((literal) => [literal, { value: 'v' }]));
    expect(renderExternalSecretTemplates({ file: template }, { v: '|' }).file).toBe(literals.map((literal) => `${literal}|`).join(''));
    expect(renderExternalSecretTemplates({ file: goTemplateLiteral('{{ .v }}') }, { v: 'no' }).file).toBe('{{ .v }}');
  });
});

describe('YAML written by the yaml library reads back, under PyYAML, as exactly the document', () => {
  const directory: DirectorySettings = {
    ...mailing.directory,
    usersDn: 'ou=people"\nenable_registration: true\n#',
    admissionGroup: "cn=x'\n- y",
  };
  const hostile: HomeserverSettings = {
    ...mailing,
    serverName: 'matrix"\nenable_registration: true\n#',
    allowedEmailDomains: ['a\n  - b', '{{ x }}', 'a\u2028b\u0085c\u2029d'],
    directory,
    media: {
      ...mailing.media,
      s3: { endpoint: 'https://x\n', bucket: '"b"', region: 'off', cidrs: [], protection: { versioning: 'enabled', objectLockDays: 30 } },
    },
  };

  it.each([['homeserver.yaml'], ['header comment']])('%s', (what) => {
    const document = homeserverConfig(fleet, hostile);
    const text = toSynapseYaml(document, what === 'header comment' ? 'header\nenable_registration: true' : 'header');
    const loaded = pyYamlLoad(text);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(document)));
    expect(loaded.enable_registration).toBe(false);
  });
});

describe('HCL: OpenBao policies parse with exactly the declared paths and capabilities', () => {
  const policy: OpenBaoPolicy = {
    name: 'matrix-x-read',
    description: 'hostile\npath "sys/*" { capabilities = ["sudo"] }',
    rules: [
      { path: 'matrix/data/x" {\n  capabilities = ["sudo"]\n}\npath "y', capabilities: ['read'] },
      { path: 'matrix/data/\\"\u00e9', capabilities: ['read'] },
    ],
  };

  it('quotes the paths and keeps the description in its comment', () => {
    const parsed = parseHcl(renderOpenBaoPolicy(policy));
    const rules = (parsed.path as Record<string, { capabilities: string[] }[]>[]).map((entry) =>
      Object.entries(entry).map(([path, body]) => ({ path, capabilities: body[0]?.capabilities })),
    );
    expect(rules.flat()).toEqual(policy.rules.map((rule) => ({ path: rule.path, capabilities: [...rule.capabilities] })));
    expect(Object.keys(parsed)).toEqual(['path']);
  });

  it('refuses interpolation sequences (HCL 1 has no escape for them)', () => {
    expect(() => renderOpenBaoPolicy({ ...policy, rules: [{ path: 'matrix/data/${x}', capabilities: ['read'] }] })).toThrow(
      /interpolation sequence/,
    );
  });
});

describe('POSIX shell', () => {
  it("takes the configurator's OpenBao address as one literal word", () => {
    const address = "https://x'$(touch /tmp/pwned)`id`\"; echo '";
    const line = configuratorScript(address)
      .split('\n')
      .find((candidate) => candidate.startsWith('export BAO_ADDR='))!;
    const result = spawnSync('/bin/sh', ['-c', `${line}\nprintf %s "$BAO_ADDR"`], { encoding: 'utf8' });
    expect(result.stdout).toBe(address);
  });
});

describe('slapd: DNs with inner spaces (valid config) reach cn=config, LDIF and the init script intact; others are refused', () => {
  const spaced: DirectorySettings = {
    ...mailing.directory,
    baseDn: 'dc=agency,dc=example,dc=org',
    usersDn: 'ou=people and staff,dc=agency,dc=example,dc=org',
    admissionGroup: 'cn=matrix users,ou=groups,dc=agency,dc=example,dc=org',
    bindDn: 'cn=synapse reader,ou=service accounts,dc=agency,dc=example,dc=org',
  };

  it('loads the config, creates the bind account under its exact DN and lets it bind', () => {
    requireOpenLdapTools();
    const root = tempDirectory('slapd-dn-');
    const paths = openLdapPathsUnder(root);
    for (const directory of [paths.runtimeConfigDirectory, paths.dataDirectory, path.dirname(paths.bindPasswordFile)])
      fs.mkdirSync(directory, { recursive: true });
    selfSignedCertificate(paths.tlsDirectory, '127.0.0.1');
    fs.writeFileSync(path.join(root, 'slapd-config.ldif'), renderSlapdConfig(spaced, DEBIAN_LAYOUT, paths));
    fs.writeFileSync(
      paths.bootstrapLdif,
      [
        'dn: dc=agency,dc=example,dc=org\nobjectClass: dcObject\nobjectClass: organization\no: agency\ndc: agency\n',
        'dn: ou=service accounts,dc=agency,dc=example,dc=org\nobjectClass: organizationalUnit\nou: service accounts\n',
      ].join('\n'),
    );
    fs.writeFileSync(paths.bindPasswordFile, 'reader-password');
    runInitSteps(slapdInitCommands(DEBIAN_LAYOUT, spaced, paths));
    expect(run('/usr/sbin/slaptest', ['-u', '-F', paths.runtimeConfigDirectory]).status).toBe(0);
    const stored = run('/usr/sbin/slapcat', ['-n', '1', '-F', paths.runtimeConfigDirectory, '-a', `(entryDN=${spaced.bindDn})`]);
    expect(stored.stdout).toContain(`dn: ${spaced.bindDn}\n`);
    expect(stored.stdout).toContain('cn: synapse reader\n');
    const config = run('/usr/sbin/slapcat', ['-n', '0', '-F', paths.runtimeConfigDirectory, '-a', '(olcSuffix=*)']).stdout;
    expect(config).toContain(`olcAccess: {1}to dn.subtree="${spaced.usersDn}"`);
  });

  it.each([
    ['a quote closing the ACL string', 'cn=x" by * write,dc=agency,dc=example,dc=org'],
    ['a printf directive', 'cn=%s%n,dc=agency,dc=example,dc=org'],
    ['a command substitution', 'cn=$(id),dc=agency,dc=example,dc=org'],
    ['a line break starting an LDIF attribute', 'cn=x\nuserPassword: y,dc=agency,dc=example,dc=org'],
    ['a trailing space', 'cn=x ,dc=agency,dc=example,dc=org'],
  ])('refuses %s', (_what, bindDn) => {
    expect(() => slapdInitCommands(DEBIAN_LAYOUT, { bindDn })).toThrow(/cannot be written into the directory configuration/);
    expect(() => renderSlapdConfig({ ...spaced, bindDn }, DEBIAN_LAYOUT)).toThrow(/cannot be written into the directory configuration/);
  });
});

describe('HAProxy answers the well-known documents with the host as literal JSON', () => {
  const host = `matrix.agency.example.org'\\"#x`;

  it('passes haproxy -c and serves the exact text', async () => {
    requireHaproxy();
    const directory = tempDirectory('haproxy-hostile-');
    const port = await freePort();
    const file = path.join(directory, 'haproxy.cfg');
    const text = renderHaproxyConfig({
      serverName: host,
      federationEnabled: true,
      maxUploadBytes: 1024,
      rateLimit: { requestsPer10s: 1000, loginRequestsPer10s: 3 },
      listenPort: port,
      metricsPort: await freePort(),
      certificateFile: throwawayPem(directory),
      backendCaFile: throwawayPem(directory),
      backends: {
        synapse: { host: '127.0.0.1', port: 9, tlsName: 'synapse.x.svc' },
        media: { host: '127.0.0.1', port: 9, tlsName: 'media.x.svc' },
        identity: { host: '127.0.0.1', port: 9, tlsName: 'keycloak.x.svc' },
      },
    }).replace(/^ {2}bind :(\d+)/gm, '  bind 127.0.0.1:$1');
    fs.writeFileSync(file, text);
    expect(checkConfig(file)).toMatchObject({ status: 0 });
    const haproxy = startHaproxy(file);
    const get = (requestPath: string) =>
      new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: requestPath, rejectUnauthorized: false, agent: false }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    try {
      let client = '';
      await waitUntil(async () => {
        client = await get('/.well-known/matrix/client');
        return client.length > 0;
      }, 'haproxy');
      expect(JSON.parse(client)).toEqual({ 'm.homeserver': { base_url: `https://${host}` } });
      expect(JSON.parse(await get('/.well-known/matrix/server'))).toEqual({ 'm.server': `${host}:443` });
    } finally {
      haproxy.kill('SIGTERM');
    }
  });

  it('refuses a backend host that is not one bare word', () => {
    expect(() =>
      renderHaproxyConfig({
        serverName: 'matrix.example.org',
        federationEnabled: false,
        maxUploadBytes: 1,
        rateLimit: { requestsPer10s: 10, loginRequestsPer10s: 1 },
        listenPort: 1,
        metricsPort: 2,
        certificateFile: '/x',
        backendCaFile: '/y',
        backends: { synapse: { host: 'a b', port: 1 }, media: { host: 'c', port: 1 }, identity: { host: 'd', port: 1 } },
      }),
    ).toThrow(/bare HAProxy word/);
  });
});

describe('Prometheus expands alert annotations and labels with the server and homeserver names as literal text', () => {
  const serverName = 'matrix.example.org{{ .Value }}{{ "{{" }}{{ $labels }}{';
  const homeserverName = 'agency{{ 1 }}';

  it('promtool checks the rules and a unit test sees the literal names', () => {
    const directory = tempDirectory('promtool-hostile-');
    const thresholds = {
      mediaEgressBytesPerHour: 1024,
      userDirectorySearchesPerMinute: 1,
      profileLookupsPerMinute: 1,
      rejectedLoginsPerMinute: 1,
    };
    const namespaces = { gateway: 'g.x', homeserver: 'h', media: 'm' };
    const groups = homeserverAlertGroups({
      homeserverName,
      serverName,
      namespaces,
      backupIntervalSeconds: 86400,
      storeBackups: [{ store: 'media', namespace: namespaces.media, cronJob: 'media-backup', intervalSeconds: 86400 }],
      targets: [{ namespace: 'g.x', workload: 'haproxy' }],
      thresholds,
    });
    fs.writeFileSync(path.join(directory, 'rules.yaml'), renderRuleFile(groups, 'hostile'));
    expect(promtool(['check', 'rules', path.join(directory, 'rules.yaml')]).status).toBe(0);
    const media = groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'MatrixMediaExfiltration')!;
    // As Prometheus expands the description: the value action printed, the literal braces printed as text.
    const description = media.annotations.description
      .replace('{{ $value | humanize1024 }}', '60Mi')
      .split('{{ "{{" }}')
      .join('{{')
      .split('{{ "{" }}')
      .join('{');
    const unit = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'haproxy_backend_bytes_out_total{namespace="g.x", proxy="media"}', values: '0+1048576x90' }],
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: media.alert,
              exp_alerts: [
                {
                  exp_labels: { severity: 'critical', 'matrix.sovereign/signal': 'media-exfiltration', homeserver: homeserverName },
                  exp_annotations: { summary: `Bulk media download from ${serverName}`, description },
                },
              ],
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(directory, 'rules.test.yaml'), stringify(unit, { lineWidth: 0 }));
    const result = promtool(['test', 'rules', 'rules.test.yaml'], directory);
    expect(result.output).toContain('SUCCESS');
    expect(media.annotations.description).toContain('the media worker log in m for the media ids');
  });
});
