/**
 * The TLS certificates of a homeserver's compartments, declared once. cert-manager issues
 * each one inside the namespace that serves it (the private key never leaves that
 * namespace and never passes through Terraform); every client verifies it against the
 * internal CA bundle that trust-manager writes into each namespace.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import type { HomeserverCompartment } from './compartments';
import { homeserverServiceName, hostOf } from './dns-names';

export const CERTIFICATE_SECRETS = {
  ldap: 'ldap-tls',
  postgres: 'postgres-tls',
  synapse: 'synapse-tls',
  media: 'media-tls',
  gateway: 'gateway-tls',
} as const;

/** The key cert-manager writes the certificate chain followed by the key to (HAProxy's format). */
export const COMBINED_PEM_KEY = 'tls-combined.pem';

/** Who signs: the internal CA, or a site issuer for the public gateway name (e.g. an ACME or sovereign PKI issuer). */
export type IssuerReference = { readonly kind: 'internal' } | { readonly kind: 'ClusterIssuer' | 'Issuer'; readonly name: string };

export interface CertificateDeclaration {
  /** Secret (tls.crt, tls.key, ca.crt) in the serving compartment's namespace; also the Certificate's name. */
  readonly secretName: string;
  readonly compartment: HomeserverCompartment;
  /** The workload that serves with it. */
  readonly workload: string;
  readonly purpose: string;
  readonly dnsNames: readonly string[];
  readonly issuer: IssuerReference;
  /** Also write `tls-combined.pem` (HAProxy loads certificate and key from one file). */
  readonly combinedPem: boolean;
}

/** The internal TLS servers of a homeserver: secret, compartment, serving workload, Service and purpose. */
export const INTERNAL_SERVERS = [
  {
    secretName: CERTIFICATE_SECRETS.ldap,
    compartment: 'directory',
    workload: 'openldap',
    service: 'openldap',
    purpose: 'LDAPS server certificate',
  },
  {
    secretName: CERTIFICATE_SECRETS.postgres,
    compartment: 'homeserver',
    workload: 'postgres',
    service: 'postgres',
    purpose: 'PostgreSQL server certificate',
  },
  {
    secretName: CERTIFICATE_SECRETS.synapse,
    compartment: 'homeserver',
    workload: 'synapse',
    service: 'synapse',
    purpose: 'Synapse client listener behind the gateway',
  },
  {
    secretName: CERTIFICATE_SECRETS.media,
    compartment: 'media',
    workload: 'media-repository',
    service: 'media-repository',
    purpose: 'media worker listener behind the gateway',
  },
] as const satisfies readonly {
  secretName: string;
  compartment: HomeserverCompartment;
  workload: string;
  service: string;
  purpose: string;
}[];

export function homeserverCertificates(homeserver: HomeserverSettings): CertificateDeclaration[] {
  const internal: IssuerReference = { kind: 'internal' };
  const certificates: CertificateDeclaration[] = INTERNAL_SERVERS.filter(
    (server) => server.compartment !== 'directory' || homeserver.directory.mode === 'in-cluster',
  ).map((server) => ({
    secretName: server.secretName,
    compartment: server.compartment,
    workload: server.workload,
    purpose: server.purpose,
    dnsNames: [homeserverServiceName(homeserver.name, server.compartment, server.service)],
    issuer: internal,
    combinedPem: false,
  }));
  const gatewayIssuer = homeserver.gateway.certificateIssuer;
  certificates.push({
    secretName: CERTIFICATE_SECRETS.gateway,
    compartment: 'gateway',
    workload: 'haproxy',
    purpose: 'public certificate of the gateway',
    dnsNames: [hostOf(homeserver.serverName)],
    issuer: gatewayIssuer ? { kind: gatewayIssuer.kind, name: gatewayIssuer.name } : internal,
    combinedPem: true,
  });
  return certificates;
}
