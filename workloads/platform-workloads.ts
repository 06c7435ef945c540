/**
 * The platform's own typed workload: the OpenBao configurator Job, which applies the
 * declared policies and roles (model/secret-access.ts) on every deploy. It runs the OpenBao
 * image (for the `bao` client), logs in with a 10-minute token bound to the OpenBao
 * audience, and reaches nothing but OpenBao.
 */
import type { DeploymentConfig } from '../config/deployment-config';
import { CONFIGURATOR, OPENBAO_AUDIENCE, OPENBAO_GID, OPENBAO_UID, platformNames } from '../model/platform';
import type { WorkloadSpec } from '../model/workload-spec';
import { configuratorFiles, CONFIGURATOR_PATHS, CONFIGURE_SCRIPT } from '../render/openbao/configurator';
import { openBaoAccess } from './secrets';

export function configuratorWorkload(config: DeploymentConfig): WorkloadSpec<'platform'> {
  const names = platformNames(config.deploymentName);
  return {
    name: CONFIGURATOR,
    compartment: 'platform',
    kind: 'Job',
    purpose: 'applies the declared OpenBao policies and Kubernetes auth roles',
    image: config.images.effective.openbao,
    replicas: 1,
    uid: OPENBAO_UID,
    gid: OPENBAO_GID,
    ports: [],
    // The bao client keeps a token helper file in HOME.
    writablePaths: [{ name: 'home', mountPath: '/home/openbao', sizeLimitMi: 1, medium: 'Memory' }],
    resources: { cpuRequestMilli: 50, cpuLimitMilli: 200, memoryRequestMi: 64, memoryLimitMi: 128 },
    command: ['/bin/sh', `${CONFIGURATOR_PATHS.desiredState}/${CONFIGURE_SCRIPT}`],
    env: { HOME: '/home/openbao' },
    configFiles: [
      {
        volumeName: 'desired',
        mountPath: CONFIGURATOR_PATHS.desiredState,
        files: configuratorFiles(openBaoAccess(config), names.openbaoAddress),
      },
    ],
    trustBundle: { configMapName: names.trustBundle, mountPath: CONFIGURATOR_PATHS.trust },
    serviceAccountToken: { audience: OPENBAO_AUDIENCE, expirationSeconds: 600, mountPath: CONFIGURATOR_PATHS.token },
  };
}
