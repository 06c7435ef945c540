/**
 * The client compartment's one workload: Element Web's static files served by the image's
 * nginx, over TLS with the internal CA's certificate, with a config locked to the homeserver.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { CERTIFICATE_SECRETS } from '../model/certificates';
import { ELEMENT_GID, ELEMENT_HTTPS_PORT, ELEMENT_PATHS, ELEMENT_RESOURCES, ELEMENT_UID, ELEMENT_WORKLOAD } from '../model/client';
import type { WorkloadSpec } from '../model/workload-spec';
import { renderElementConfig } from '../render/element/client-config';
import { renderElementNginxConfig } from '../render/element/nginx';

export function clientWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  if (!homeserver.client) return [];
  return [
    {
      name: ELEMENT_WORKLOAD,
      compartment: 'client',
      kind: 'Deployment',
      purpose: 'Element Web: the web client, static files with a config locked to this homeserver',
      image: config.images.effective.elementWeb,
      // Stateless: as many as the gateway, so the client stays up whenever the gateway is.
      replicas: homeserver.gateway.replicas,
      uid: ELEMENT_UID,
      gid: ELEMENT_GID,
      ports: [ELEMENT_HTTPS_PORT],
      writablePaths: [{ name: 'tmp', mountPath: ELEMENT_PATHS.tmp, sizeLimitMi: 16 }],
      resources: ELEMENT_RESOURCES,
      probe: { type: 'tcp', port: ELEMENT_HTTPS_PORT.name },
      // The image's entrypoint templates its own nginx config at start, which a read-only root forbids.
      command: ['nginx', '-c', `${ELEMENT_PATHS.serverConfigDirectory}/nginx.conf`],
      configFiles: [
        { volumeName: 'server', mountPath: ELEMENT_PATHS.serverConfigDirectory, files: { 'nginx.conf': renderElementNginxConfig() } },
        { volumeName: 'client', mountPath: ELEMENT_PATHS.clientConfigDirectory, files: { 'config.json': renderElementConfig(homeserver) } },
      ],
      secretMounts: [{ volumeName: 'tls', secretName: CERTIFICATE_SECRETS.element, mountPath: ELEMENT_PATHS.tlsDirectory }],
    },
  ];
}
