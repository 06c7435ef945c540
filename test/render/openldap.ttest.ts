/**
 * The rendered OpenLDAP configuration, validated by slaptest and then enforced by a real
 * slapd (Debian's) on loopback: LDAPS only, no anonymous bind, the Synapse reader sees only
 * the attributes Synapse needs, the admission filter admits only group members of an allowed
 * domain, and bulk reads stop at the size limit.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirectorySettings } from '../../config/deployment-config';
import { loadDeploymentConfig } from '../../model/load-config';
import { scanText } from '../../policies/secrets/secret-scan';
import { admissionFilter } from '../../render/ldap-filter';
import {
  accessRules,
  bindAccountEntry,
  DEBIAN_LAYOUT,
  renderSlapdConfig,
  slapdInitCommands,
  READER_ATTRIBUTES,
  type OpenLdapPaths,
} from '../../render/openldap';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import {
  hashPassword,
  requireOpenLdapTools,
  run,
  runInitSteps,
  selfSignedCertificate,
  serveSlapd,
  tempDirectory,
  type RunningSlapd,
  openLdapPathsUnder,
} from '../support/slapd';

jest.setTimeout(120_000);

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const directory: DirectorySettings = homeserver.directory;

const password = () => randomBytes(18).toString('base64url');
const passwords = { reader: password(), alice: password(), bob: password() };
const base = directory.baseDn;
const people = directory.usersDn;

function person(uid: string, mail: string, hash: string, member: boolean): string {
  return [
    `dn: uid=${uid},${people}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    `mail: ${mail}`,
    'telephoneNumber: +33 1 00 00 00 00',
    `userPassword: ${hash}`,
    ...(member ? [`memberOf: ${directory.admissionGroup}`] : []),
    '',
  ].join('\n');
}

function bootstrap(): string {
  const [dc] = /dc=([^,]+)/.exec(base) ?? [];
  const members = ['alice', 'carol', 'dave', ...Array.from({ length: 60 }, (_, i) => `bulk${i}`)];
  return [
    [`dn: ${base}`, 'objectClass: dcObject', 'objectClass: organization', `o: test`, dc?.replace('=', ': ') ?? 'dc: test', ''].join('\n'),
    ...[people, 'ou=groups,' + base, 'ou=services,' + base].map((dn) =>
      [`dn: ${dn}`, 'objectClass: organizationalUnit', `ou: ${/ou=([^,]+)/.exec(dn)?.[1]}`, ''].join('\n'),
    ),
    person('alice', 'alice@agency.example.org', hashPassword(passwords.alice), true),
    person('bob', 'bob@agency.example.org', hashPassword(passwords.bob), false),
    person('carol', 'carol@evil-agency.example.org', hashPassword(password()), true),
    person('dave', 'dave@agency.example.org.evil.com', hashPassword(password()), true),
    ...Array.from({ length: 60 }, (_, i) => person(`bulk${i}`, `bulk${i}@agency.example.org`, '{SSHA}x', false)),
    [
      `dn: ${directory.admissionGroup}`,
      'objectClass: groupOfNames',
      'cn: matrix-users',
      ...members.map((uid) => `member: uid=${uid},${people}`),
      '',
    ].join('\n'),
  ].join('\n');
}

let slapd: RunningSlapd;
let url = '';
let paths: OpenLdapPaths;
const tlsEnv = (root: string) => ({ LDAPTLS_CACERT: path.join(root, 'tls', 'ca.crt'), LDAPTLS_REQCERT: 'demand' });

/** Lays out the files as the pod mounts them: rendered config, bootstrap entries, the delivered bind password (no newline, as External Secrets writes it). */
function writePodFiles(root: string, readerPassword: string): OpenLdapPaths {
  const layout = openLdapPathsUnder(root);
  for (const directoryPath of [layout.runtimeConfigDirectory, layout.dataDirectory, path.dirname(layout.bindPasswordFile)])
    fs.mkdirSync(directoryPath, { recursive: true });
  fs.writeFileSync(path.join(layout.configDirectory, 'slapd-config.ldif'), renderSlapdConfig(directory, DEBIAN_LAYOUT, layout));
  fs.writeFileSync(layout.bootstrapLdif, bootstrap());
  fs.writeFileSync(layout.bindPasswordFile, readerPassword);
  return layout;
}

beforeAll(async () => {
  requireOpenLdapTools();
  const root = tempDirectory('slapd-');
  selfSignedCertificate(path.join(root, 'tls'), '127.0.0.1');
  paths = writePodFiles(root, passwords.reader);
  // The pod's own init steps: config into a fresh directory, first-start bootstrap, bind account from the delivered password.
  runInitSteps(slapdInitCommands(DEBIAN_LAYOUT, directory, paths));
  slapd = await serveSlapd(root, paths.runtimeConfigDirectory);
  url = `ldaps://127.0.0.1:${slapd.port}`;
});

afterAll(async () => {
  await slapd?.stop();
});

function search(bind: { dn: string; password: string } | null, searchBase: string, filter: string, attributes: string[] = []) {
  const auth = bind ? ['-D', bind.dn, '-w', bind.password] : [];
  return run('/usr/bin/ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-H', url, '-x', ...auth, '-b', searchBase, filter, ...attributes], {
    env: tlsEnv(slapd.root),
  });
}

const reader = () => ({ dn: directory.bindDn, password: passwords.reader });

function entries(ldif: string): { dn: string; attributes: string[] }[] {
  return ldif
    .split('\n\n')
    .filter((block) => block.startsWith('dn: '))
    .map((block) => {
      const lines = block.split('\n').filter(Boolean);
      return { dn: lines[0]!.slice(4), attributes: [...new Set(lines.slice(1).map((line) => line.split(':')[0]!))] };
    });
}

describe('rendered slapd configuration', () => {
  it.each([
    ['default', config],
    ['fleet', loadDeploymentConfig(FLEET_CONFIG_FILE)],
  ])('passes slaptest (%s)', (_name, deployment) => {
    for (const member of deployment.homeservers) {
      const root = tempDirectory('slaptest-');
      selfSignedCertificate(path.join(root, 'tls'), 'openldap');
      const paths = openLdapPathsUnder(root);
      fs.mkdirSync(paths.runtimeConfigDirectory);
      fs.mkdirSync(paths.dataDirectory);
      fs.writeFileSync(path.join(root, 'config.ldif'), renderSlapdConfig(member.directory, DEBIAN_LAYOUT, paths));
      const loaded = run('/usr/sbin/slapadd', ['-n', '0', '-F', paths.runtimeConfigDirectory, '-l', path.join(root, 'config.ldif')]);
      expect(loaded.stderr).toBe('');
      const tested = run('/usr/sbin/slaptest', ['-F', paths.runtimeConfigDirectory, '-u']);
      expect(`${tested.stdout}${tested.stderr}`).toMatch(/config file testing succeeded/);
    }
  });

  it('holds no secret and no root DN', () => {
    const ldif = renderSlapdConfig(directory, DEBIAN_LAYOUT);
    expect(scanText(ldif, 'slapd-config.ldif')).toEqual([]);
    expect(ldif).not.toMatch(/olcRootDN|olcRootPW/);
  });

  it('ends its access list with "to * by * none"', () => {
    expect(accessRules(directory).at(-1)).toBe('to * by * none');
  });
});

describe('live slapd enforces the directory controls', () => {
  it('refuses anonymous binds', () => {
    const result = search(null, base, '(objectClass=*)');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/anonymous bind disallowed/);
  });

  it('offers no plain-LDAP service on its port', () => {
    const result = run(
      '/usr/bin/ldapsearch',
      ['-H', `ldap://127.0.0.1:${slapd.port}`, '-x', '-D', directory.bindDn, '-w', passwords.reader, '-b', base],
      { env: tlsEnv(slapd.root) },
    );
    expect(result.status).not.toBe(0);
  });

  it('shows the reader only the attributes the identity provider needs (entryUUID included), and never userPassword', () => {
    const result = search(reader(), people, '(uid=alice)', [
      '*',
      'memberOf',
      'entryUUID',
      'createTimestamp',
      'userPassword',
      'telephoneNumber',
    ]);
    expect(result.status).toBe(0);
    const [alice] = entries(result.stdout);
    expect(alice?.attributes.sort()).toEqual(READER_ATTRIBUTES.filter((a) => a !== 'entry').sort());
  });

  it('hides everything outside the people subtree from the reader', () => {
    for (const dn of [`ou=groups,${base}`, `ou=services,${base}`, base]) {
      const result = search(reader(), dn, '(objectClass=*)');
      expect(entries(result.stdout)).toEqual([]);
    }
  });

  it('admits only members of the admission group with a mail in an allowed domain', () => {
    const result = search(reader(), people, admissionFilter(directory, homeserver.allowedEmailDomains), ['uid']);
    const admitted = entries(result.stdout).map((entry) => entry.dn);
    expect(admitted).toContain(`uid=alice,${people}`);
    for (const refused of ['bob', 'carol', 'dave']) expect(admitted).not.toContain(`uid=${refused},${people}`);
  });

  it('lets a user bind with their own password (what Synapse checks at login)', () => {
    const ok = run('/usr/bin/ldapwhoami', ['-H', url, '-x', '-D', `uid=alice,${people}`, '-w', passwords.alice], {
      env: tlsEnv(slapd.root),
    });
    expect(ok.stdout.trim()).toBe(`dn:uid=alice,${people}`);
    const wrong = run('/usr/bin/ldapwhoami', ['-H', url, '-x', '-D', `uid=alice,${people}`, '-w', passwords.bob], {
      env: tlsEnv(slapd.root),
    });
    expect(wrong.status).not.toBe(0);
  });

  it(`stops bulk reads at the size limit (${directory.sizeLimit} entries)`, () => {
    const result = search(reader(), people, '(objectClass=inetOrgPerson)', ['uid']);
    expect(result.status).toBe(4);
    expect(entries(result.stdout).length).toBeLessThanOrEqual(directory.sizeLimit);
  });
});

describe('the bind account comes from the delivered ldap-bind secret', () => {
  it('is added on first start with the delivered password, hashed (never stored in clear)', () => {
    const ok = run('/usr/bin/ldapwhoami', ['-H', url, '-x', '-D', directory.bindDn, '-w', passwords.reader], { env: tlsEnv(slapd.root) });
    expect(ok.stdout.trim()).toBe(`dn:${directory.bindDn}`);
    const stored = run('/usr/sbin/slapcat', ['-n', '1', '-F', paths.runtimeConfigDirectory, '-a', `(entryDN=${directory.bindDn})`]);
    expect(stored.stdout).toMatch(/userPassword:: /);
    expect(stored.stdout).not.toContain(passwords.reader);
  });

  it('renders an entry of the right class for cn= and uid= bind DNs, and refuses others', () => {
    expect(bindAccountEntry('cn=synapse-reader,ou=services,dc=a,dc=b')).toContain('objectClass: applicationProcess');
    expect(bindAccountEntry('uid=synapse,ou=services,dc=a,dc=b')).toContain('objectClass: account');
    expect(() => bindAccountEntry('o=synapse,dc=a,dc=b')).toThrow(/must start with cn= or uid=/);
  });

  it('takes a rotated password at the next start (the same init steps re-hash it into the existing directory)', async () => {
    const rotated = password();
    await slapd.stop();
    fs.writeFileSync(paths.bindPasswordFile, rotated);
    // A restarted pod gets a fresh (memory) config directory; the data volume persists.
    fs.rmSync(paths.runtimeConfigDirectory, { recursive: true });
    fs.mkdirSync(paths.runtimeConfigDirectory);
    runInitSteps(slapdInitCommands(DEBIAN_LAYOUT, directory, paths));
    slapd = await serveSlapd(slapd.root, paths.runtimeConfigDirectory);
    url = `ldaps://127.0.0.1:${slapd.port}`;
    const whoami = (secret: string) =>
      run('/usr/bin/ldapwhoami', ['-H', url, '-x', '-D', directory.bindDn, '-w', secret], { env: tlsEnv(slapd.root) });
    expect(whoami(rotated).stdout.trim()).toBe(`dn:${directory.bindDn}`);
    expect(whoami(passwords.reader).status).not.toBe(0);
    // The people loaded at first start are still there: the bootstrap LDIF is not reloaded.
    expect(search({ dn: directory.bindDn, password: rotated }, people, '(uid=alice)', ['uid']).stdout).toContain(`uid=alice,${people}`);
  });
});
