/**
 * The throwaway certificates of an engine-proof cluster, made with openssl: a cluster CA
 * (what pods find as kube-root-ca.crt), the API server's serving certificate for every name
 * pods and tools use to reach it, and a separate CA for the loopback chart repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openssl, selfSignedCa, signRequest } from '../../support/test-ca';

export interface CertificateFiles {
  readonly certificate: string;
  readonly key: string;
}

export function certificateAuthority(directory: string, name: string): CertificateFiles {
  fs.mkdirSync(directory, { recursive: true });
  const key = path.join(directory, `${name}.key`);
  const certificate = path.join(directory, `${name}.crt`);
  selfSignedCa({ key, certificate }, name, { curve: 'P-256', days: 2 });
  fs.chmodSync(key, 0o600);
  return { certificate, key };
}

export interface Subject {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** serverAuth (default), or clientAuth for a client identity. */
  readonly usage?: 'serverAuth' | 'clientAuth';
  readonly organization?: string;
}

export function issue(ca: CertificateFiles, directory: string, name: string, subject: Subject): CertificateFiles {
  const key = path.join(directory, `${name}.key`);
  const request = path.join(directory, `${name}.csr`);
  const certificate = path.join(directory, `${name}.crt`);
  const extensions = path.join(directory, `${name}.ext`);
  const alternativeNames = [...(subject.dnsNames ?? []).map((dns) => `DNS:${dns}`), ...(subject.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
  fs.writeFileSync(
    extensions,
    [
      ...(alternativeNames.length > 0 ? [`subjectAltName=${alternativeNames.join(',')}`] : []),
      `extendedKeyUsage=${subject.usage ?? 'serverAuth'}`,
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '',
    ].join('\n'),
  );
  const dn = `${subject.organization ? `/O=${subject.organization}` : ''}/CN=${subject.commonName}`;
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', dn, '-keyout', key, '-out', request]);
  signRequest(ca, { request, extensions, certificate, days: 2 });
  fs.chmodSync(key, 0o600);
  return { certificate, key };
}

/** An RSA key pair for service-account token signing (the API server signs, the controllers verify). */
export function signingKey(directory: string, name: string): string {
  const key = path.join(directory, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  fs.chmodSync(key, 0o600);
  return key;
}
