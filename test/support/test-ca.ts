/**
 * A throwaway certificate authority for tests, standing in for the internal CA cert-manager
 * runs in the cluster: ECDSA P-384 keys, server certificates for exact DNS names.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
export interface TestCa {
  readonly certificate: string;
  readonly key: string;
}

export function openssl(args: readonly string[]): void {
  const result = spawnSync('openssl', [...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
}

/** A throwaway CA, standing in for the internal CA cert-manager runs in the cluster. */
export function testCa(directory: string, name = 'test-ca'): TestCa {
  const key = path.join(directory, `${name}.key`);
  const certificate = path.join(directory, `${name}.crt`);
  selfSignedCa({ key, certificate }, name, { curve: 'P-384', days: 1 });
  return { certificate, key };
}

/**
 * A server certificate for `dnsNames` (one name or several; the first is the common name)
 * signed by `ca`, as cert-manager issues them (ECDSA P-384); `alsoClient` adds the client
 * usage (a server that also presents its certificate as a client, as Synapse does to Redis).
 */
export function issueServerCertificate(
  ca: TestCa,
  dnsNames: string | readonly string[],
  directory: string,
  options: { readonly alsoClient?: boolean } = {},
): { certificate: string; key: string } {
  const names = typeof dnsNames === 'string' ? [dnsNames] : dnsNames;
  const usages = options.alsoClient ? 'serverAuth,clientAuth' : 'serverAuth';
  return issueCertificate(ca, directory, {
    commonName: names[0] ?? 'server',
    extensions: `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\nextendedKeyUsage=${usages}\nkeyUsage=critical,digitalSignature\n`,
  });
}

/** A client certificate for `commonName` (e.g. a PostgreSQL role that authenticates by certificate) signed by `ca`. */
export function issueClientCertificate(ca: TestCa, commonName: string, directory: string): { certificate: string; key: string } {
  return issueCertificate(ca, directory, { commonName, extensions: 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' });
}

function issueCertificate(
  ca: TestCa,
  directory: string,
  subject: { readonly commonName: string; readonly extensions: string },
): { certificate: string; key: string } {
  const base = path.join(directory, subject.commonName);
  const [key, request, certificate, extensions] = ['key', 'csr', 'crt', 'ext'].map((suffix) => `${base}.${suffix}`) as [
    string,
    string,
    string,
    string,
  ];
  fs.writeFileSync(extensions, subject.extensions);
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-nodes',
    '-subj',
    `/CN=${subject.commonName}`,
    '-keyout',
    key,
    '-out',
    request,
  ]);
  signRequest(ca, { request, extensions, certificate, days: 1 });
  return { certificate, key };
}

/** Signs a certificate request with `ca` for `days`, with the extensions in the file `extensions`. */
export function signRequest(
  ca: TestCa,
  files: { readonly request: string; readonly extensions: string; readonly certificate: string; readonly days: number },
): void {
  openssl([
    'x509',
    '-req',
    '-in',
    files.request,
    '-CA',
    ca.certificate,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    String(files.days),
    '-extfile',
    files.extensions,
    '-out',
    files.certificate,
  ]);
}

/** A self-signed CA certificate and its key, written to `files`. */
export function selfSignedCa(files: TestCa, name: string, options: { readonly curve: 'P-256' | 'P-384'; readonly days: number }): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    `ec_paramgen_curve:${options.curve}`,
    '-nodes',
    '-days',
    String(options.days),
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    files.key,
    '-out',
    files.certificate,
  ]);
}
