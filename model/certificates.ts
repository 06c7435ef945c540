/**
 * The TLS certificates of a homeserver's compartments, declared once. cert-manager issues
 * each one inside the namespace that serves it (the private key never leaves that
 * namespace and never passes through Terraform); every client verifies it against the
 * internal CA bundle that trust-manager writes into each namespace.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import { homeserverCompartments, homeserverNamespace, type HomeserverCompartment } from './compartments';
import { homeserverServiceName, hostOf } from './dns-names';
import { POSTGRES_CLUSTER_NAME, POSTGRES_SERVICES, REPLICATION_USER } from './postgres';
import { MAIN_PROCESS, synapseProcesses } from './synapse-processes';

export const CERTIFICATE_SECRETS = {
  ldap: 'ldap-tls',
  postgres: 'postgres-tls',
  postgresReplication: 'postgres-replication-tls',
  synapse: 'synapse-tls',
  media: 'media-tls',
  redis: 'redis-tls',
  gateway: 'gateway-tls',
  keycloak: 'keycloak-tls',
  element: 'element-tls',
  livekit: 'livekit-tls',
  rtcAuth: 'rtc-auth-tls',
} as const;

/** The key cert-manager writes the certificate chain followed by the key to (HAProxy's format). */
export const COMBINED_PEM_KEY = 'tls-combined.pem';

/** Who signs: the internal CA, or a site issuer for the public gateway name (e.g. an ACME or sovereign PKI issuer). */
export type IssuerReference = { readonly kind: 'internal' } | { readonly kind: 'ClusterIssuer' | 'Issuer'; readonly name: string };

export interface CertificateDeclaration {
  /** Secret (tls.crt, tls.key, ca.crt) in the serving compartment's namespace; also the Certificate's name. */
  readonly secretName: string;
  readonly compartment: HomeserverCompartment;
  /** The workloads that serve with it (the homeserver compartment's Synapse processes share one). */
  readonly workloads: readonly string[];
  readonly purpose: string;
  readonly dnsNames: readonly string[];
  readonly issuer: IssuerReference;
  /** Also write `tls-combined.pem` (HAProxy loads certificate and key from one file). */
  readonly combinedPem: boolean;
  /**
   * What the key may do: serve TLS, authenticate as a client (the replication user), or both
   * (Synapse's processes serve TLS and present the same certificate to Redis, which requires one).
   */
  readonly usages: readonly ('server auth' | 'client auth')[];
  /** The subject's common name when it is not the first DNS name (a client certificate names its user). */
  readonly commonName?: string;
}

/** The certificates Synapse processes also present to Redis as clients. */
const SYNAPSE_CERTIFICATES: ReadonlySet<string> = new Set([CERTIFICATE_SECRETS.synapse, CERTIFICATE_SECRETS.media]);

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
    secretName: CERTIFICATE_SECRETS.keycloak,
    compartment: 'identity',
    workload: 'keycloak',
    service: 'keycloak',
    purpose: 'identity provider listener (behind the gateway, and the back channel Synapse calls)',
  },
  {
    secretName: CERTIFICATE_SECRETS.postgres,
    compartment: 'homeserver',
    workload: 'postgres',
    // The longest of the operator's Services; the certificate names all three (postgresDnsNames).
    service: POSTGRES_SERVICES.readWrite,
    purpose: 'PostgreSQL server certificate (every instance; the operator verifies its status endpoint with it too)',
  },
  {
    secretName: CERTIFICATE_SECRETS.synapse,
    compartment: 'homeserver',
    workload: 'synapse',
    service: 'synapse',
    purpose:
      "the homeserver compartment's Synapse processes: listeners behind the gateway, replication listeners, and their client certificate to Redis",
  },
  {
    secretName: CERTIFICATE_SECRETS.media,
    compartment: 'media',
    workload: 'media-repository',
    service: 'media-repository',
    purpose: 'media worker: listener behind the gateway, replication listener, and its client certificate to Redis',
  },
  {
    secretName: CERTIFICATE_SECRETS.element,
    compartment: 'client',
    workload: 'element-web',
    service: 'element-web',
    purpose: 'web client listener (behind the gateway)',
  },
  {
    secretName: CERTIFICATE_SECRETS.livekit,
    compartment: 'calls',
    workload: 'livekit',
    service: 'livekit',
    purpose: "the SFU's TLS front: signalling and room creation behind the gateway",
  },
  {
    secretName: CERTIFICATE_SECRETS.rtcAuth,
    compartment: 'calls',
    workload: 'rtc-auth',
    service: 'rtc-auth',
    purpose: "the authorisation service's TLS front (behind the gateway)",
  },
  {
    secretName: CERTIFICATE_SECRETS.redis,
    compartment: 'homeserver',
    workload: 'redis',
    service: 'redis',
    purpose: 'Redis (TLS only; it accepts only clients with a certificate of the internal CA)',
  },
] as const satisfies readonly {
  secretName: string;
  compartment: HomeserverCompartment;
  workload: string;
  service: string;
  purpose: string;
}[];

/**
 * The names clients of the database dial: the operator's three Services, short, with the
 * namespace and with `.svc` (as the operator's own certificates name them). Standbys reach the
 * primary through the read-write Service too; no client dials an instance pod by name.
 */
export function postgresDnsNames(homeserverName: string): string[] {
  const namespace = homeserverNamespace(homeserverName, 'homeserver');
  return [POSTGRES_SERVICES.readWrite, POSTGRES_SERVICES.readOnly, POSTGRES_SERVICES.read].flatMap((service) => [
    homeserverServiceName(homeserverName, 'homeserver', service),
    service,
    `${service}.${namespace}`,
  ]);
}

export function homeserverCertificates(homeserver: HomeserverSettings): CertificateDeclaration[] {
  const internal: IssuerReference = { kind: 'internal' };
  const compartments = homeserverCompartments(homeserver);
  const certificates: CertificateDeclaration[] = INTERNAL_SERVERS.filter((server) => compartments.includes(server.compartment)).map(
    (server) => ({
      secretName: server.secretName,
      compartment: server.compartment,
      workloads:
        server.workload === MAIN_PROCESS
          ? synapseProcesses(homeserver)
              .filter((process) => process.compartment === 'homeserver')
              .map((process) => process.name)
          : [server.workload],
      purpose: server.purpose,
      dnsNames:
        server.workload === POSTGRES_CLUSTER_NAME
          ? postgresDnsNames(homeserver.name)
          : server.workload === MAIN_PROCESS
            ? // One certificate for every Synapse process of the compartment: the main process's name first (the common name).
              synapseProcesses(homeserver)
                .filter((process) => process.compartment === 'homeserver')
                .map((process) => homeserverServiceName(homeserver.name, 'homeserver', process.name))
            : [homeserverServiceName(homeserver.name, server.compartment, server.service)],
      issuer: internal,
      // The calls compartment's TLS fronts are HAProxy: certificate and key in one file.
      combinedPem: server.compartment === 'calls',
      usages: SYNAPSE_CERTIFICATES.has(server.secretName) ? (['server auth', 'client auth'] as const) : (['server auth'] as const),
    }),
  );
  certificates.push({
    secretName: CERTIFICATE_SECRETS.postgresReplication,
    compartment: 'homeserver',
    workloads: [POSTGRES_CLUSTER_NAME],
    purpose: 'client certificate of the streaming_replica user: standbys authenticate to the primary with it, and with nothing else',
    dnsNames: [],
    issuer: internal,
    combinedPem: false,
    usages: ['client auth'],
    commonName: REPLICATION_USER,
  });
  const gatewayIssuer = homeserver.gateway.certificateIssuer;
  certificates.push({
    secretName: CERTIFICATE_SECRETS.gateway,
    compartment: 'gateway',
    workloads: ['haproxy'],
    purpose: 'public certificate of the gateway: the homeserver name, and the web client and calls names when there are',
    dnsNames: [
      hostOf(homeserver.serverName),
      ...(homeserver.client ? [homeserver.client.hostname] : []),
      ...(homeserver.calls ? [homeserver.calls.hostname] : []),
    ],
    issuer: gatewayIssuer ? { kind: gatewayIssuer.kind, name: gatewayIssuer.name } : internal,
    combinedPem: true,
    usages: ['server auth'],
  });
  return certificates;
}
