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

function openssl(args: readonly string[]): void {
  const result = spawnSync('openssl', [...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
}

/** A throwaway CA, standing in for the internal CA cert-manager runs in the cluster. */
export function testCa(directory: string, name = 'test-ca'): TestCa {
  const key = path.join(directory, `${name}.key`);
  const certificate = path.join(directory, `${name}.crt`);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  return { certificate, key };
}

/** A server certificate for `dnsName` signed by `ca`, as cert-manager issues them (ECDSA P-384). */
export function issueServerCertificate(ca: TestCa, dnsName: string, directory: string): { certificate: string; key: string } {
  const key = path.join(directory, `${dnsName}.key`);
  const request = path.join(directory, `${dnsName}.csr`);
  const certificate = path.join(directory, `${dnsName}.crt`);
  const extensions = path.join(directory, `${dnsName}.ext`);
  fs.writeFileSync(extensions, `subjectAltName=DNS:${dnsName}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-nodes',
    '-subj',
    `/CN=${dnsName}`,
    '-keyout',
    key,
    '-out',
    request,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.certificate,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    extensions,
    '-out',
    certificate,
  ]);
  return { certificate, key };
}
