/**
 * The workload catalogue: which workloads run in each compartment of a homeserver. The
 * directory and gateway workloads are defined here; the homeserver and media ones, which
 * carry Synapse's rendered configuration, in homeserver-workloads.ts.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import type { HomeserverCompartment } from './compartments';
import { homeserverWorkloads, mediaWorkloads } from './homeserver-workloads';
import { GATEWAY_HTTPS_PORT, LDAPS_PORT, type WorkloadSpec } from './workload-spec';

export function directoryWorkloads(config: DeploymentConfig): WorkloadSpec[] {
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
      // Only the LDAPS port is declared: there is no plain-LDAP port to reach.
      ports: [LDAPS_PORT],
      writablePaths: [
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 64 },
        { name: 'run', mountPath: '/opt/bitnami/openldap/var/run', sizeLimitMi: 16 },
      ],
      storage: { name: 'data', mountPath: '/bitnami/openldap', sizeGi: 5 },
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 500, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'ldaps' },
    },
  ];
}

export function gatewayWorkloads(config: DeploymentConfig): WorkloadSpec[] {
  return [
    {
      name: 'haproxy',
      compartment: 'gateway',
      kind: 'Deployment',
      purpose: 'HAProxy reverse proxy and TLS termination',
      image: config.images.effective.haproxy,
      replicas: 2,
      uid: 99,
      gid: 99,
      ports: [GATEWAY_HTTPS_PORT],
      writablePaths: [
        { name: 'run', mountPath: '/var/run/haproxy', sizeLimitMi: 16 },
        { name: 'tmp', mountPath: '/tmp', sizeLimitMi: 32 },
      ],
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 1000, memoryRequestMi: 128, memoryLimitMi: 512 },
      probe: { type: 'tcp', port: 'https' },
      publicEntryPoint: true,
    },
  ];
}

/** Every workload of one homeserver's compartments. */
export function workloadsOf(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  return [...directoryWorkloads(config), ...homeserverWorkloads(config, homeserver), ...mediaWorkloads(config, homeserver), ...gatewayWorkloads(config)];
}

export function workloadsIn(config: DeploymentConfig, homeserver: HomeserverSettings, compartment: HomeserverCompartment): WorkloadSpec[] {
  return workloadsOf(config, homeserver).filter((workload) => workload.compartment === compartment);
}
