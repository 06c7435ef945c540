/**
 * The identity compartment's one workload: Keycloak, built at start into a writable copy of the
 * image's distribution (the root filesystem stays read-only), serving the realm rendered from
 * the config over HTTPS with the internal CA's certificate.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { CERTIFICATE_SECRETS } from '../model/certificates';
import {
  KEYCLOAK_GID,
  KEYCLOAK_HTTPS_PORT,
  KEYCLOAK_MANAGEMENT_PORT,
  KEYCLOAK_PATH,
  KEYCLOAK_RESOURCES,
  KEYCLOAK_UID,
  KEYCLOAK_WORKLOAD,
} from '../model/identity';
import { SECRET_NAMES } from '../model/secrets';
import type { WorkloadSpec } from '../model/workload-spec';
import { renderRealmFile } from '../render/keycloak/realm';
import {
  KEYCLOAK_PATHS,
  keycloakBuildCommand,
  keycloakRuntimeOptions,
  keycloakStartCommand,
  renderKeycloakConf,
} from '../render/keycloak/server-options';
import { trustBundleMount } from './homeserver-workloads';

export function identityWorkloads(config: DeploymentConfig, homeserver: HomeserverSettings): WorkloadSpec[] {
  return [
    {
      name: KEYCLOAK_WORKLOAD,
      compartment: 'identity',
      kind: 'Deployment',
      purpose: 'Keycloak identity provider: directory password and a second factor for every login',
      image: config.images.effective.keycloak,
      replicas: 1,
      singletonReason:
        'a second Keycloak needs its embedded cache cluster (Infinispan, mutual TLS) between the pods, not yet proven here: logins pause while it restarts, signed-in Matrix sessions do not',
      uid: KEYCLOAK_UID,
      gid: KEYCLOAK_GID,
      ports: [KEYCLOAK_HTTPS_PORT, KEYCLOAK_MANAGEMENT_PORT],
      writablePaths: [
        { name: 'tmp', mountPath: KEYCLOAK_PATHS.tmp, sizeLimitMi: 256 },
        // The built distribution (about 250 MiB) and Keycloak's data directory under it.
        { name: 'home', mountPath: KEYCLOAK_PATHS.home, sizeLimitMi: 1024 },
      ],
      resources: KEYCLOAK_RESOURCES,
      // The first start migrates the database and imports the realm: up to five minutes before liveness applies.
      probe: {
        type: 'http',
        path: `${KEYCLOAK_PATH}/health/ready`,
        port: KEYCLOAK_MANAGEMENT_PORT.name,
        scheme: 'HTTPS',
        startupSeconds: 300,
      },
      command: keycloakStartCommand(),
      env: { JAVA_OPTS_KC_HEAP: '-XX:MaxRAMPercentage=65 -XX:InitialRAMPercentage=25' },
      configFiles: [
        {
          volumeName: 'server',
          mountPath: KEYCLOAK_PATHS.serverConfigDirectory,
          files: { 'keycloak.conf': renderKeycloakConf(keycloakRuntimeOptions(homeserver)) },
        },
        { volumeName: 'realm', mountPath: KEYCLOAK_PATHS.realmDirectory, files: { 'realm.json': renderRealmFile(homeserver) } },
      ],
      secretMounts: [
        { volumeName: 'tls', secretName: CERTIFICATE_SECRETS.keycloak, mountPath: KEYCLOAK_PATHS.tlsDirectory },
        { volumeName: 'database', secretName: SECRET_NAMES.keycloakDatabase, mountPath: KEYCLOAK_PATHS.databaseSecretDirectory },
        { volumeName: 'oidc-client', secretName: SECRET_NAMES.oidcClient, mountPath: KEYCLOAK_PATHS.clientSecretDirectory },
        { volumeName: 'vault', secretName: SECRET_NAMES.ldapBind, mountPath: KEYCLOAK_PATHS.vaultDirectory },
      ],
      trustBundle: trustBundleMount(config, KEYCLOAK_PATHS.trustDirectory),
      initSteps: [{ name: 'build', command: keycloakBuildCommand() }],
    },
  ];
}
