/**
 * Keycloak smoke test (temporary, until the identity workload boots inside bootHomeserver):
 * the cached distribution, built with the deployment's kind of build options, started in
 * production mode (`start --optimized`) in the tier's sandbox, HTTPS only with a certificate of
 * the test CA, on a real PostgreSQL over TLS, federating a real slapd over LDAPS, with a realm
 * imported from JSON. It measures build and start time and checks the Keycloak behaviours the
 * identity compartment relies on instead of assuming them:
 *
 *  1. realm import resolves `${ENV_VAR}` placeholders from the server's environment;
 *  2. `--import-realm` skips a realm that already exists (a restart keeps the stored realm);
 *  3. the files-plaintext vault (`vault=file`, `vault-dir`, file `<realm>_<key>`) resolves
 *     `${vault.<key>}` in the LDAP federation's `bindCredential` (the directory gives nothing to
 *     anonymous binds, so any LDAP login proves the bind);
 *  4. `hostname` as a full URL with a path plus `hostname-backchannel-dynamic=true`: a code
 *     exchanged on the in-cluster name yields tokens whose `iss` is the public URL;
 *  5. without bootstrap admin options there is no admin user at all (master realm, no users).
 *
 * It also walks a browser login with the test's HTML client: login form, TOTP enrolment (code
 * computed from the secret the page shows), then a second login with the OTP form.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, formOf, keycloakMessage, keycloakPageKind, totpEnrolment, type Page } from '../support/html-form';
import { ensureKeycloak, keycloakEnvironment, keycloakRunHome, recordedBuildMs, type BuiltKeycloak } from '../support/keycloak';
import { giveToServer, postgresBinDirectory, runAsServer } from '../support/postgres';
import { Sandbox, stopProcess, tail, waitFor, type SandboxProcess } from '../support/sandbox';
import { hashPassword, requireOpenLdapTools, run, tempDirectory } from '../support/slapd';
import { issueServerCertificate, testCa } from '../support/test-ca';
import { base32Decode, msLeftInStep, totpFromBase32 } from '../support/totp';
import { call, type Answer, type Endpoint } from './support/matrix-client';

const BRIDGE_SCRIPT = path.join(__dirname, 'support', 'loopback_bridge.py');

// `vault` is a build-time option in 26.7.3 (`start --optimized` with vault=file only in keycloak.conf exits 2: "build time options ... differ ... kc.vault").
const BUILD_OPTIONS = {
  db: 'postgres',
  'health-enabled': 'true',
  'metrics-enabled': 'true',
  'http-relative-path': '/auth',
  vault: 'file',
} as const;
const REALM = 'matrix';
const ADDRESSES = { keycloak: '127.0.10.7', postgres: '127.0.10.3', ldap: '127.0.10.5', gateway: '127.0.10.6' } as const;
const NAMES = {
  public: 'matrix.smoke.test',
  keycloak: 'keycloak.identity.svc',
  postgres: 'postgres.homeserver.svc',
  ldap: 'openldap.directory.svc',
} as const;
const PUBLIC_BASE = `https://${NAMES.public}/auth`;
const BACKCHANNEL_BASE = `https://${NAMES.keycloak}:8443/auth`;
const ISSUER = `${PUBLIC_BASE}/realms/${REALM}`;
const CALLBACK = `https://${NAMES.public}/_synapse/client/oidc/callback`;
const BASE_DN = 'dc=smoke,dc=test';
const BIND_DN = `cn=admin,${BASE_DN}`;
const PEOPLE_DN = `ou=people,${BASE_DN}`;
const USERS = { alice: 'alice-password-1' } as const;
const BOOT_DEADLINE_MS = 5 * 60_000;

function realmJson(): unknown {
  const mapper = (name: string, ldapAttribute: string, userAttribute: string, mandatory: boolean) => ({
    name,
    providerId: 'user-attribute-ldap-mapper',
    subComponents: {},
    config: {
      'ldap.attribute': [ldapAttribute],
      'user.model.attribute': [userAttribute],
      'read.only': ['true'],
      'always.read.value.from.ldap': ['true'],
      'is.mandatory.in.ldap': [String(mandatory)],
    },
  });
  return {
    realm: REALM,
    enabled: true,
    displayName: '${SMOKE_DISPLAY_NAME}',
    sslRequired: 'all',
    registrationAllowed: false,
    bruteForceProtected: true,
    requiredActions: [
      {
        alias: 'CONFIGURE_TOTP',
        name: 'Configure OTP',
        providerId: 'CONFIGURE_TOTP',
        enabled: true,
        defaultAction: true,
        priority: 10,
        config: {},
      },
    ],
    clients: [
      {
        clientId: 'smoke-service',
        enabled: true,
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret: '${SMOKE_CLIENT_SECRET}',
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        directAccessGrantsEnabled: false,
        protocol: 'openid-connect',
      },
      {
        clientId: 'synapse',
        enabled: true,
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret: '${SMOKE_CLIENT_SECRET}',
        standardFlowEnabled: true,
        directAccessGrantsEnabled: false,
        redirectUris: [CALLBACK],
        webOrigins: [],
        protocol: 'openid-connect',
      },
    ],
    components: {
      'org.keycloak.storage.UserStorageProvider': [
        {
          name: 'directory',
          providerId: 'ldap',
          subComponents: {
            'org.keycloak.storage.ldap.mappers.LDAPStorageMapper': [
              mapper('username', 'uid', 'username', true),
              mapper('email', 'mail', 'email', false),
              mapper('first name', 'cn', 'firstName', true),
              mapper('last name', 'sn', 'lastName', true),
            ],
          },
          config: {
            enabled: ['true'],
            priority: ['0'],
            vendor: ['other'],
            editMode: ['READ_ONLY'],
            importEnabled: ['true'],
            syncRegistrations: ['false'],
            connectionUrl: [`ldaps://${NAMES.ldap}:636`],
            useTruststoreSpi: ['always'],
            authType: ['simple'],
            bindDn: [BIND_DN],
            bindCredential: ['${vault.ldap-bind}'],
            usersDn: [PEOPLE_DN],
            searchScope: ['1'],
            usernameLDAPAttribute: ['uid'],
            rdnLDAPAttribute: ['uid'],
            uuidLDAPAttribute: ['entryUUID'],
            userObjectClasses: ['inetOrgPerson'],
            pagination: ['false'],
            connectionPooling: ['false'],
            trustEmail: ['false'],
            cachePolicy: ['NO_CACHE'],
          },
        },
      ],
    },
  };
}

function write(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

function decodeJwt(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function form(values: Record<string, string>): { body: string; headers: Record<string, string> } {
  return { body: new URLSearchParams(values).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
}

/** A probe whose failure keeps the run directory and logs. */
function probe(name: string, body: () => Promise<void> | void, timeoutMs?: number): void {
  it(
    name,
    async () => {
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    timeoutMs,
  );
}

let failed = false;

describe('Keycloak on loopback (smoke)', () => {
  let directory = '';
  let sandbox: Sandbox | undefined;
  let keycloak: BuiltKeycloak;
  let keycloakProcess: SandboxProcess | undefined;
  let runHome = '';
  let publicEndpoint: Endpoint;
  let backchannel: Endpoint;
  let psql: (sql: string, database?: string) => string;
  let startKeycloak: (clientSecret: string) => Promise<number>;
  const timings: Record<string, number> = {};
  const firstSecret = randomBytes(18).toString('base64url');

  const back = (method: string, urlPath: string, body?: { body: string; headers: Record<string, string> }): Promise<Answer> =>
    call(backchannel, method, urlPath, {
      headers: { Host: `${NAMES.keycloak}:8443`, ...body?.headers },
      ...(body ? { body: body.body } : {}),
    });

  beforeAll(async () => {
    // Until the boot completes, a failure keeps the run directory.
    failed = true;
    requireOpenLdapTools();
    const buildStarted = Date.now();
    keycloak = ensureKeycloak(BUILD_OPTIONS);
    timings.ensureKeycloakMs = Date.now() - buildStarted;
    timings.kcBuildMs = recordedBuildMs(keycloak) ?? -1;

    directory = tempDirectory('keycloak-smoke-');
    fs.chmodSync(directory, 0o755);
    const caDirectory = path.join(directory, 'ca');
    fs.mkdirSync(caDirectory);
    const ca = testCa(caDirectory, 'internal-ca');
    const keycloakTls = issueServerCertificate(ca, [NAMES.keycloak, NAMES.public], caDirectory);
    const ldapTls = issueServerCertificate(ca, [NAMES.ldap], caDirectory);
    const postgresTls = issueServerCertificate(ca, [NAMES.postgres], caDirectory);
    const hosts = {
      [NAMES.keycloak]: ADDRESSES.keycloak,
      [NAMES.public]: ADDRESSES.gateway,
      [NAMES.postgres]: ADDRESSES.postgres,
      [NAMES.ldap]: ADDRESSES.ldap,
    };
    sandbox = await Sandbox.create(directory, hosts, '127.0.0.53');
    const box = sandbox;
    const deadline = Date.now() + BOOT_DEADLINE_MS;

    // The network: a client socket to the "gateway" (a plain TCP forward of the public name's 443 to Keycloak's 8443) and one straight to Keycloak.
    fs.mkdirSync(path.join(directory, 'sockets'));
    const sockets = { public: path.join(directory, 'sockets', 'public.sock'), back: path.join(directory, 'sockets', 'back.sock') };
    const bridge = box.start('network', 'python3', [
      BRIDGE_SCRIPT,
      JSON.stringify({
        clients: [
          { socket: sockets.public, source: '127.0.20.1', target: [ADDRESSES.gateway, 443] },
          { socket: sockets.back, source: '127.0.30.1', target: [ADDRESSES.keycloak, 8443] },
        ],
        services: [{ listen: [ADDRESSES.gateway, 443], targets: [[ADDRESSES.keycloak, 8443]] }],
      }),
    ]);
    const caPem = fs.readFileSync(ca.certificate);
    publicEndpoint = { label: 'public', socketPath: sockets.public, address: '127.0.20.1', servername: NAMES.public, ca: caPem };
    backchannel = { label: 'backchannel', socketPath: sockets.back, address: '127.0.30.1', servername: NAMES.keycloak, ca: caPem };
    await waitFor(
      'the loopback network',
      deadline,
      async () => fs.readFileSync(bridge.logFile, 'utf8').includes('ready'),
      () => box.assertRunning(bridge),
    );

    // The directory: slapd, LDAPS only, nothing readable without the bind DN.
    const ldapRoot = path.join(directory, 'ldap');
    const configDirectory = path.join(ldapRoot, 'slapd.d');
    fs.mkdirSync(configDirectory, { recursive: true });
    fs.mkdirSync(path.join(ldapRoot, 'data'));
    const bindPassword = randomBytes(18).toString('base64url');
    write(
      path.join(ldapRoot, 'config.ldif'),
      [
        `dn: cn=config\nobjectClass: olcGlobal\ncn: config\nolcPidFile: ${ldapRoot}/slapd.pid\nolcTLSCertificateFile: ${ldapTls.certificate}\nolcTLSCertificateKeyFile: ${ldapTls.key}\n`,
        'dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\nolcModulePath: /usr/lib/ldap\nolcModuleLoad: back_mdb\n',
        'dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n',
        'include: file:///etc/ldap/schema/core.ldif\n',
        'include: file:///etc/ldap/schema/cosine.ldif\n',
        'include: file:///etc/ldap/schema/inetorgperson.ldif\n',
        'dn: olcDatabase={-1}frontend,cn=config\nobjectClass: olcDatabaseConfig\nobjectClass: olcFrontendConfig\nolcDatabase: {-1}frontend\n',
        'dn: olcDatabase={0}config,cn=config\nobjectClass: olcDatabaseConfig\nolcDatabase: {0}config\nolcAccess: {0}to * by * none\n',
        [
          'dn: olcDatabase={1}mdb,cn=config',
          'objectClass: olcDatabaseConfig',
          'objectClass: olcMdbConfig',
          'olcDatabase: {1}mdb',
          `olcSuffix: ${BASE_DN}`,
          `olcDbDirectory: ${ldapRoot}/data`,
          `olcRootDN: ${BIND_DN}`,
          `olcRootPW: ${hashPassword(bindPassword)}`,
          'olcAccess: {0}to attrs=userPassword by anonymous auth by * none',
          'olcAccess: {1}to * by * none',
          '',
        ].join('\n'),
      ].join('\n'),
    );
    const people = Object.entries(USERS).map(([uid, password]) =>
      [
        `dn: uid=${uid},${PEOPLE_DN}`,
        'objectClass: inetOrgPerson',
        `uid: ${uid}`,
        `cn: ${uid}`,
        `sn: ${uid}`,
        `mail: ${uid}@smoke.test`,
        `userPassword: ${hashPassword(password)}`,
        '',
      ].join('\n'),
    );
    write(
      path.join(ldapRoot, 'data.ldif'),
      [
        `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: smoke\ndc: smoke\n`,
        `dn: ${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n`,
        ...people,
      ].join('\n'),
    );
    for (const [database, file] of [
      ['0', 'config.ldif'],
      ['1', 'data.ldif'],
    ] as const) {
      const added = run('/usr/sbin/slapadd', ['-n', database, '-F', configDirectory, '-l', path.join(ldapRoot, file)]);
      if (added.status !== 0) throw new Error(`slapadd ${file}: ${added.stderr}`);
    }
    const slapd = box.start('openldap', '/usr/sbin/slapd', ['-d', 'stats', '-h', `ldaps://${ADDRESSES.ldap}:636/`, '-F', configDirectory]);

    // PostgreSQL: TLS, the keycloak role and database with a password (scram), as the operator's managed role and Database would be.
    const postgresBin = postgresBinDirectory();
    const pgRoot = path.join(directory, 'postgres');
    const pg = { data: path.join(pgRoot, 'data'), socket: path.join(pgRoot, 'run'), tls: path.join(pgRoot, 'tls') };
    fs.mkdirSync(pg.socket, { recursive: true });
    fs.copyFileSync(postgresTls.certificate, path.join(pgRoot, 'tls.crt'));
    write(path.join(pgRoot, 'tls.key'), fs.readFileSync(postgresTls.key, 'utf8'), 0o600);
    write(path.join(pgRoot, 'pg_hba.conf'), `local all postgres trust\nhostssl keycloak keycloak 127.0.0.0/8 scram-sha-256\n`);
    giveToServer(pgRoot);
    const initdb = runAsServer(path.join(postgresBin, 'initdb'), ['-D', pg.data, '--username=postgres', '--auth=trust', '--no-sync']);
    if (initdb.status !== 0) throw new Error(`initdb: ${initdb.stderr}`);
    const postgres = box.start(
      'postgres',
      path.join(postgresBin, 'postgres'),
      [
        '-D',
        pg.data,
        ...Object.entries({
          listen_addresses: ADDRESSES.postgres,
          port: '5432',
          unix_socket_directories: pg.socket,
          ssl: 'on',
          ssl_cert_file: path.join(pgRoot, 'tls.crt'),
          ssl_key_file: path.join(pgRoot, 'tls.key'),
          ssl_min_protocol_version: 'TLSv1.3',
          hba_file: path.join(pgRoot, 'pg_hba.conf'),
          fsync: 'off',
        }).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
      ],
      { asNobody: true },
    );
    await waitFor(
      'PostgreSQL',
      deadline,
      async () => run(path.join(postgresBin, 'pg_isready'), ['-h', pg.socket]).status === 0,
      () => box.assertRunning(postgres),
    );
    psql = (sql: string, database = 'keycloak') => {
      const result = spawnSync('psql', ['-h', pg.socket, '-U', 'postgres', '-d', database, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`psql: ${result.stderr}`);
      return result.stdout.trim();
    };
    const databasePassword = randomBytes(18).toString('base64url');
    psql(`CREATE ROLE keycloak LOGIN PASSWORD '${databasePassword}'`, 'postgres');
    psql('CREATE DATABASE keycloak OWNER keycloak', 'postgres');
    await waitFor(
      'slapd',
      deadline,
      () => box.acceptsTcp(ADDRESSES.ldap, 636),
      () => box.assertRunning(slapd),
    );

    // Keycloak: its own home (conf, data), the realm to import, the vault, keycloak.conf with the runtime options.
    runHome = keycloakRunHome(keycloak, path.join(directory, 'keycloak'));
    const vault = path.join(directory, 'keycloak-vault');
    write(path.join(vault, `${REALM}_ldap-bind`), bindPassword, 0o600);
    write(path.join(runHome, 'data', 'import', `${REALM}.json`), JSON.stringify(realmJson(), null, 2));
    write(
      path.join(runHome, 'conf', 'keycloak.conf'),
      [
        `db-url-host=${NAMES.postgres}`,
        'db-url-port=5432',
        'db-url-database=keycloak',
        'db-username=keycloak',
        `db-url-properties=?sslmode=verify-full&sslrootcert=${ca.certificate}`,
        'http-enabled=false',
        `http-host=${ADDRESSES.keycloak}`,
        'https-port=8443',
        `https-certificate-file=${keycloakTls.certificate}`,
        `https-certificate-key-file=${keycloakTls.key}`,
        `hostname=${PUBLIC_BASE}`,
        'hostname-backchannel-dynamic=true',
        `truststore-paths=${ca.certificate}`,
        'vault=file',
        `vault-dir=${vault}`,
        'log=console',
        '',
      ].join('\n'),
    );
    startKeycloak = async (clientSecret: string) => {
      const started = Date.now();
      const logName = keycloakProcess ? 'keycloak-restart' : 'keycloak';
      const kc = box.start(logName, path.join(runHome, 'bin', 'kc.sh'), ['start', '--optimized', '--import-realm'], {
        env: {
          ...keycloakEnvironment(keycloak),
          KC_DB_PASSWORD: databasePassword,
          SMOKE_CLIENT_SECRET: clientSecret,
          SMOKE_DISPLAY_NAME: 'Smoke realm',
        },
      });
      keycloakProcess = kc;
      await waitFor(
        'Keycloak',
        Date.now() + BOOT_DEADLINE_MS,
        async () => (await back('GET', `/auth/realms/${REALM}/.well-known/openid-configuration`)).status === 200,
        () => box.assertRunning(kc),
      );
      return Date.now() - started;
    };
    timings.firstStartMs = await startKeycloak(firstSecret);
    failed = false;
  }, 15 * 60_000);

  afterAll(async () => {
    process.stderr.write(`\nkeycloak smoke timings (ms): ${JSON.stringify(timings)}\n`);
    if (keycloakProcess) process.stderr.write(`--- Keycloak log (last lines)\n${tail(keycloakProcess.logFile, 30)}\n`);
    await sandbox?.stop();
    const keep = failed || process.env.MATRIX_ITEST_KEEP === '1';
    if (keep) process.stderr.write(`keycloak smoke: run directory KEPT at ${directory}\n`);
    else if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  probe('serves the OIDC discovery document over HTTPS with the public issuer, on both names', async () => {
    const viaBack = await back('GET', `/auth/realms/${REALM}/.well-known/openid-configuration`);
    expect(viaBack.status).toBe(200);
    expect(viaBack.json?.issuer).toBe(ISSUER);
    const viaPublic = await call(publicEndpoint, 'GET', `/auth/realms/${REALM}/.well-known/openid-configuration`);
    expect(viaPublic.status).toBe(200);
    expect(viaPublic.json?.issuer).toBe(ISSUER);
    expect(viaPublic.json?.authorization_endpoint).toBe(`${ISSUER}/protocol/openid-connect/auth`);
    // Backchannel endpoints follow the host the request came to; the browser-facing ones stay public.
    expect(viaBack.json?.token_endpoint).toBe(`${BACKCHANNEL_BASE}/realms/${REALM}/protocol/openid-connect/token`);
    expect(viaBack.json?.authorization_endpoint).toBe(`${ISSUER}/protocol/openid-connect/auth`);
    process.stderr.write(
      `discovery via backchannel: ${JSON.stringify({ issuer: viaBack.json?.issuer, token: viaBack.json?.token_endpoint, jwks: viaBack.json?.jwks_uri, auth: viaBack.json?.authorization_endpoint })}\n`,
    );
  });

  probe('runs HTTPS only: no plain HTTP listener', async () => {
    expect(await sandbox?.acceptsTcp(ADDRESSES.keycloak, 8080)).toBe(false);
    expect(await sandbox?.acceptsTcp(ADDRESSES.keycloak, 8443)).toBe(true);
  });

  probe('fact 1: the realm import resolved ${SMOKE_CLIENT_SECRET} from the environment', async () => {
    const grant = (secret: string) =>
      back(
        'POST',
        `/auth/realms/${REALM}/protocol/openid-connect/token`,
        form({ grant_type: 'client_credentials', client_id: 'smoke-service', client_secret: secret }),
      );
    expect((await grant(firstSecret)).status).toBe(200);
    expect((await grant('${SMOKE_CLIENT_SECRET}')).status).toBe(401);
    // ${SMOKE_DISPLAY_NAME} in the realm's displayName too: the login page's title.
    const login = await browser().open(authorizationUrl('display-name'));
    expect(login.page.text).toMatch(/<title>Sign in to Smoke realm<\/title>/);
  });

  probe('fact 5: no bootstrap admin options, no admin user (the master realm has no users at all)', () => {
    expect(psql("SELECT count(*) FROM realm WHERE name = 'master'")).toBe('1');
    expect(psql("SELECT count(*) FROM user_entity u JOIN realm r ON u.realm_id = r.id WHERE r.name = 'master'")).toBe('0');
    expect(
      psql("SELECT count(*) FROM client c JOIN realm r ON c.realm_id = r.id WHERE r.name = 'master' AND c.service_accounts_enabled"),
    ).toBe('0');
  });

  let enrolledSecret = '';

  const browser = () =>
    new Browser((url) => (url.hostname === NAMES.public && (url.port === '' || url.port === '443') ? publicEndpoint : undefined));

  const authorizationUrl = (state: string) =>
    `${ISSUER}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'synapse', response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, state, nonce: randomBytes(8).toString('hex') }).toString()}`;

  const atCallback = (url: URL) => url.href.startsWith(`${CALLBACK}?`);

  async function passwordStep(client: Browser, user: string, password: string): Promise<Page> {
    const login = await client.open(authorizationUrl('s1'));
    expect(keycloakPageKind(login.page)).toBe('login');
    const posted = await client.submit(
      formOf(login.page, (candidate) => 'username' in candidate.fields),
      { username: user, password },
    );
    return (await client.follow(posted, { stopAt: atCallback })).page;
  }

  async function codeFrom(client: Browser, page: Page): Promise<string> {
    const followed = await client.follow(page, { stopAt: atCallback });
    if (!followed.stoppedAt)
      throw new Error(`no redirect to the callback: ${page.status} ${keycloakMessage(followed.page) ?? followed.page.text.slice(0, 500)}`);
    const code = followed.stoppedAt.searchParams.get('code');
    if (!code) throw new Error(`callback without a code: ${followed.stoppedAt.href}`);
    return code;
  }

  async function waitForFreshStep(): Promise<void> {
    if (msLeftInStep() < 5_000) await new Promise((resolve) => setTimeout(resolve, msLeftInStep() + 500));
  }

  probe(
    'fact 3 and 4: an LDAP user (bind credential from the vault) logs in, enrols TOTP; the code exchanged on the backchannel gives tokens with the public iss',
    async () => {
      const client = browser();
      const afterPassword = await passwordStep(client, 'alice', USERS.alice);
      expect(keycloakPageKind(afterPassword)).toBe('configure-totp');
      const secret = await totpEnrolment(client, afterPassword);
      // The page shows base32 of the raw secret it posts back.
      expect(base32Decode(secret.base32).toString('utf8')).toBe(secret.raw);
      enrolledSecret = secret.base32;
      await waitForFreshStep();
      const enrol = formOf(secret.page, (candidate) => 'totpSecret' in candidate.fields);
      const enrolled = await client.submit(enrol, { totp: totpFromBase32(secret.base32), userLabel: 'smoke' });
      const code = await codeFrom(client, enrolled);
      const exchanged = await back(
        'POST',
        `/auth/realms/${REALM}/protocol/openid-connect/token`,
        form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: 'synapse', client_secret: firstSecret }),
      );
      expect(exchanged.status).toBe(200);
      const idToken = decodeJwt(String(exchanged.json?.id_token));
      const accessToken = decodeJwt(String(exchanged.json?.access_token));
      expect(idToken.iss).toBe(ISSUER);
      expect(accessToken.iss).toBe(ISSUER);
      expect(idToken.preferred_username).toBe('alice');
      expect(idToken.email).toBe('alice@smoke.test');
      // The import stored the placeholder itself (no env substitution of ${vault.*}); the vault resolves it on each use.
      expect(psql("SELECT value FROM component_config WHERE name = 'bindCredential'")).toBe('${vault.ldap-bind}');
      // The keys Synapse fetches on the backchannel.
      const keys = await back('GET', `/auth/realms/${REALM}/protocol/openid-connect/certs`);
      expect(Array.isArray(keys.json?.keys)).toBe(true);
    },
  );

  probe(
    'second login: password, then the OTP form; a wrong code is refused, the right one passes',
    async () => {
      expect(enrolledSecret).not.toBe('');
      const client = browser();
      const afterPassword = await passwordStep(client, 'alice', USERS.alice);
      expect(keycloakPageKind(afterPassword)).toBe('otp');
      const otpForm = formOf(afterPassword, (candidate) => 'otp' in candidate.fields);
      const wrong = await client.submit(otpForm, { otp: '000000' === totpFromBase32(enrolledSecret) ? '111111' : '000000' });
      expect(wrong.location).toBeUndefined();
      expect(keycloakPageKind(wrong)).toBe('otp');
      await waitForFreshStep();
      // A new step's code: Keycloak refuses to accept one code twice, and the enrolment used this step's.
      await new Promise((resolve) => setTimeout(resolve, msLeftInStep() + 500));
      const right = await client.submit(
        formOf(wrong, (candidate) => 'otp' in candidate.fields),
        { otp: totpFromBase32(enrolledSecret) },
      );
      expect(await codeFrom(client, right)).toMatch(/./);
    },
    120_000,
  );

  probe(
    'fact 2: a restart with --import-realm and a different ${SMOKE_CLIENT_SECRET} keeps the stored realm (import skipped)',
    async () => {
      const stopped = Date.now();
      if (keycloakProcess) await stopProcess(keycloakProcess.child, 30_000);
      timings.stopMs = Date.now() - stopped;
      const secondSecret = randomBytes(18).toString('base64url');
      timings.restartMs = await startKeycloak(secondSecret);
      const grant = (secret: string) =>
        back(
          'POST',
          `/auth/realms/${REALM}/protocol/openid-connect/token`,
          form({ grant_type: 'client_credentials', client_id: 'smoke-service', client_secret: secret }),
        );
      expect((await grant(firstSecret)).status).toBe(200);
      expect((await grant(secondSecret)).status).toBe(401);
      const log = fs.readFileSync(keycloakProcess?.logFile ?? '', 'utf8');
      const skipped = log.split('\n').filter((line) => /already exists|skip/i.test(line));
      process.stderr.write(`restart log lines about the import: ${JSON.stringify(skipped)}\n`);
      expect(skipped.length).toBeGreaterThan(0);
    },
    10 * 60_000,
  );
});
