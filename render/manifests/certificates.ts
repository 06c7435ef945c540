/**
 * cert-manager and trust-manager resources: the internal CA (a self-signed root whose key is
 * kept across renewals, so issued leaves stay valid), the issuer it backs, leaf certificates
 * with fresh keys on every renewal, and the Bundle that writes the CA certificate (never its
 * key) into every namespace of the deployment.
 */
import type { IssuerReference } from '../../model/certificates';
import { LABEL_DEPLOYMENT } from '../../model/compartments';
import { internalCaCommonName, TRUST_BUNDLE_KEY, type PlatformNames } from '../../model/platform';
import { API_VERSIONS, type KubernetesObject } from './kubernetes-object';

export interface CertificateLifetimes {
  /** Go durations, e.g. 2160h. */
  readonly duration: string;
  readonly renewBefore: string;
}

const ECDSA_KEY = { algorithm: 'ECDSA', size: 384, encoding: 'PKCS8' } as const;

export function selfSignedIssuer(names: PlatformNames, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.certManager,
    kind: 'ClusterIssuer',
    metadata: { name: names.selfSignedIssuer, labels },
    spec: { selfSigned: {} },
  };
}

/** The root CA certificate, in the cert-manager namespace (the only place a ClusterIssuer reads its key from). */
export function rootCaCertificate(
  names: PlatformNames,
  lifetimes: CertificateLifetimes,
  labels: Readonly<Record<string, string>>,
): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.certManager,
    kind: 'Certificate',
    metadata: { name: names.internalCaSecret, namespace: names.namespaces['cert-manager'], labels },
    spec: {
      isCA: true,
      commonName: internalCaCommonName(names),
      secretName: names.internalCaSecret,
      duration: lifetimes.duration,
      renewBefore: lifetimes.renewBefore,
      // Renewal re-signs the same key, so every certificate it issued keeps verifying.
      privateKey: { ...ECDSA_KEY, rotationPolicy: 'Never' },
      usages: ['cert sign', 'crl sign'],
      issuerRef: { name: names.selfSignedIssuer, kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  };
}

export function internalCaIssuer(names: PlatformNames, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.certManager,
    kind: 'ClusterIssuer',
    metadata: { name: names.internalCaIssuer, labels },
    spec: { ca: { secretName: names.internalCaSecret } },
  };
}

/** The CA certificate as a ConfigMap `<bundle>` (key ca.crt) in every namespace of this deployment, and nowhere else. */
export function trustBundle(names: PlatformNames, deploymentName: string, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.trustManager,
    kind: 'Bundle',
    metadata: { name: names.trustBundle, labels },
    spec: {
      // Only the internal CA: no public CAs, so nothing outside can present a certificate our clients accept.
      sources: [{ secret: { name: names.internalCaSecret, key: 'tls.crt' } }],
      target: { configMap: { key: TRUST_BUNDLE_KEY }, namespaceSelector: { matchLabels: { [LABEL_DEPLOYMENT]: deploymentName } } },
    },
  };
}

export interface LeafCertificate {
  readonly name: string;
  readonly namespace: string;
  readonly dnsNames: readonly string[];
  readonly issuer: IssuerReference;
  readonly combinedPem: boolean;
  readonly usages: readonly ('server auth' | 'client auth')[];
  /** Default: the first DNS name. */
  readonly commonName?: string;
}

export function leafCertificate(
  certificate: LeafCertificate,
  names: PlatformNames,
  lifetimes: CertificateLifetimes,
  labels: Readonly<Record<string, string>>,
): KubernetesObject {
  const issuerRef =
    certificate.issuer.kind === 'internal'
      ? { name: names.internalCaIssuer, kind: 'ClusterIssuer', group: 'cert-manager.io' }
      : { name: certificate.issuer.name, kind: certificate.issuer.kind, group: 'cert-manager.io' };
  return {
    apiVersion: API_VERSIONS.certManager,
    kind: 'Certificate',
    metadata: { name: certificate.name, namespace: certificate.namespace, labels },
    spec: {
      secretName: certificate.name,
      secretTemplate: { labels },
      commonName: certificate.commonName ?? certificate.dnsNames[0] ?? certificate.name,
      ...(certificate.dnsNames.length > 0 ? { dnsNames: [...certificate.dnsNames] } : {}),
      duration: lifetimes.duration,
      renewBefore: lifetimes.renewBefore,
      // A new key on every renewal: a leaked key stops being useful within one lifetime.
      privateKey: { ...ECDSA_KEY, rotationPolicy: 'Always' },
      // ECDSA keys sign; they never encipher.
      usages: ['digital signature', ...certificate.usages],
      issuerRef,
      ...(certificate.combinedPem ? { additionalOutputFormats: [{ type: 'CombinedPEM' }] } : {}),
    },
  };
}
