/**
 * The workload catalogue: which workloads run in each compartment of a homeserver, each with
 * its rendered, secret-free config files. The directory and gateway workloads are defined
 * here; the homeserver and media ones, which carry Synapse's configuration, in
 * homeserver-workloads.ts.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { parseSize } from '../config/durations';
import { CALLS_TLS_PORT, livekitServiceName, rtcAuthServiceName, rtcFoci } from '../model/calls';
import { CERTIFICATE_SECRETS, COMBINED_PEM_KEY } from '../model/certificates';
import { ELEMENT_HTTPS_PORT, elementServiceName } from '../model/client';
import { HOMESERVER_COMPARTMENTS, type HomeserverCompartment } from '../model/compartments';
import { homeserverServiceName } from '../model/dns-names';
import { KEYCLOAK_HTTPS_PORT, keycloakServiceName } from '../model/identity';
import { SECRET_NAMES } from '../model/secrets';
import { STORE_BACKUP_WORKLOADS } from '../model/store-backups';
import { synapseProcesses } from '../model/synapse-processes';
import {
  GATEWAY_HTTPS_PORT,
  GATEWAY_METRICS_PORT,
  LDAPS_PORT,
  MEDIA_WORKER,
  SYNAPSE_PORTS,
  type WorkloadSpec,
} from '../model/workload-spec';
import { renderHaproxyConfig } from '../render/gateway/haproxy-config';
import { BITNAMI_LAYOUT, OPENLDAP_PATHS, renderSlapdConfig, slapdCommand, slapdInitCommands } from '../render/openldap';
import { callsWorkloads } from './calls-workloads';
import { clientWorkloads } from './client-workloads';
import { homeserverWorkloads, mediaWorkloads, trustBundleMount } from './homeserver-workloads';
import { identityWorkloads } from './identity-workloads';

function directoryOf(file: string): string {
  return file.replace(/\/[^/]+$/, '');
}

/** OpenLDAP in the directory compartment; none when the homeserver uses an external directory. */
export function directoryWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  if (homeserver.directory.mode === 'external') return [];
  const layout = BITNAMI_LAYOUT;
  return [
    {
      name: 'openldap',
      compartment: 'directory',
      kind: 'StatefulSet',
      purpose: 'OpenLDAP directory (LDAPS only)',
      image: config.images.effective.openldap,
      replicas: 1,
      uid: 1001,
      gid: 1001,
      // Only the LDAPS port exists: slapd has no ldap:// or ldapi:// listener.
      ports: [LDAPS_PORT],
      writablePaths: [
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 64 },
        { name: 'runtime-config', mountPath: OPENLDAP_PATHS.runtimeConfigDirectory, sizeLimitMi: 16 },
      ],
      storage: { name: 'data', mountPath: OPENLDAP_PATHS.dataDirectory, sizeGi: 5, backedUpBy: STORE_BACKUP_WORKLOADS.directory },
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'ldaps' },
      command: slapdCommand(layout),
      configFiles: [
        {
          volumeName: 'config',
          mountPath: OPENLDAP_PATHS.configDirectory,
          files: { 'slapd-config.ldif': renderSlapdConfig(homeserver.directory, layout) },
        },
      ],
      secretMounts: [
        { volumeName: 'tls', secretName: CERTIFICATE_SECRETS.ldap, mountPath: OPENLDAP_PATHS.tlsDirectory },
        { volumeName: 'bootstrap', secretName: SECRET_NAMES.ldapBootstrap, mountPath: directoryOf(OPENLDAP_PATHS.bootstrapLdif) },
        { volumeName: 'ldap-bind', secretName: SECRET_NAMES.ldapBind, mountPath: directoryOf(OPENLDAP_PATHS.bindPasswordFile) },
      ],
      initSteps: slapdInitCommands(layout, homeserver.directory),
    },
  ];
}

/** The internal CA bundle HAProxy verifies the Synapse listeners against. */
const GATEWAY_TRUST_DIRECTORY = '/trust';

/** HAProxy: the only public entry point, configured from the route table. */
export function gatewayWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  const haproxyConfig = renderHaproxyConfig({
    serverName: homeserver.serverName,
    federationEnabled: homeserver.federation.enabled,
    maxUploadBytes: parseSize(homeserver.synapse.maxUploadSize) ?? 0,
    rateLimit: homeserver.gateway.rateLimit,
    listenPort: GATEWAY_HTTPS_PORT.containerPort,
    metricsPort: GATEWAY_METRICS_PORT.containerPort,
    certificateFile: `/tls/${COMBINED_PEM_KEY}`,
    backendCaFile: `${GATEWAY_TRUST_DIRECTORY}/ca.crt`,
    backends: {
      synapse: { host: homeserverServiceName(homeserver.name, 'homeserver', 'synapse'), port: SYNAPSE_PORTS.http.containerPort },
      media: { host: homeserverServiceName(homeserver.name, 'media', MEDIA_WORKER), port: SYNAPSE_PORTS.http.containerPort },
      identity: { host: keycloakServiceName(homeserver), port: KEYCLOAK_HTTPS_PORT.servicePort },
    },
    pools: Object.fromEntries(
      synapseProcesses(homeserver).flatMap((process) =>
        process.pool
          ? [
              [
                process.pool,
                { host: homeserverServiceName(homeserver.name, 'homeserver', process.name), port: SYNAPSE_PORTS.http.containerPort },
              ],
            ]
          : [],
      ),
    ),
    ...(homeserver.calls
      ? {
          calls: {
            hostname: homeserver.calls.hostname,
            livekit: { host: livekitServiceName(homeserver), port: CALLS_TLS_PORT.servicePort },
            rtcAuth: { host: rtcAuthServiceName(homeserver), port: CALLS_TLS_PORT.servicePort },
            foci: rtcFoci(homeserver),
          },
        }
      : {}),
    ...(homeserver.client
      ? {
          client: {
            hostname: homeserver.client.hostname,
            backend: { host: elementServiceName(homeserver), port: ELEMENT_HTTPS_PORT.servicePort },
          },
        }
      : {}),
  });
  return [
    {
      name: 'haproxy',
      compartment: 'gateway',
      kind: 'Deployment',
      purpose: 'HAProxy reverse proxy and TLS termination',
      image: config.images.effective.haproxy,
      replicas: homeserver.gateway.replicas,
      uid: 99,
      gid: 99,
      // The metrics port has no Service port: only the site's Prometheus reaches it, pod to pod.
      ports: [GATEWAY_HTTPS_PORT, GATEWAY_METRICS_PORT],
      writablePaths: [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 32 }],
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 1000, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'https' },
      command: ['haproxy', '-db', '-f', '/config/haproxy.cfg'],
      configFiles: [{ volumeName: 'config', mountPath: '/config', files: { 'haproxy.cfg': haproxyConfig } }],
      secretMounts: [{ volumeName: 'tls', secretName: CERTIFICATE_SECRETS.gateway, mountPath: '/tls' }],
      trustBundle: trustBundleMount(config, GATEWAY_TRUST_DIRECTORY),
      publicEntryPoint: true,
    },
  ];
}

/** Each compartment's workloads, built on their own: a compartment's stack reads only what its own workloads need. */
const COMPARTMENT_WORKLOADS: Readonly<
  Record<HomeserverCompartment, (config: DeploymentConfig, homeserver: HomeserverSettings) => WorkloadSpec[]>
> = {
  directory: directoryWorkloads,
  identity: identityWorkloads,
  homeserver: homeserverWorkloads,
  media: mediaWorkloads,
  client: clientWorkloads,
  calls: callsWorkloads,
  gateway: gatewayWorkloads,
};

/** Every workload of one homeserver's compartments. */
export function workloadsOf(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  return HOMESERVER_COMPARTMENTS.flatMap((compartment) => COMPARTMENT_WORKLOADS[compartment](config, homeserver));
}

export function workloadsIn(config: DeploymentConfig, homeserver: HomeserverSettings, compartment: HomeserverCompartment): WorkloadSpec[] {
  return COMPARTMENT_WORKLOADS[compartment](config, homeserver);
}
